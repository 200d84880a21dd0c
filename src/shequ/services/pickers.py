"""The category picker of every services form and filter: a ``<select>`` grouped by parent category
(``<optgroup>``), with a search box that keeps only the categories whose name, parent, keywords or pinyin
hold what is typed (``static/shequ/app.js``).  Without scripts it is a plain grouped select."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.renderers import render_select
from shequ.core.text import pinyin_of

from .models import ServiceCategory


@lru_cache(maxsize=1024)
def _pinyin(text: str) -> str:
    full, initials = pinyin_of(text)
    return f"{full} {initials}"


def search_text(category: ServiceCategory) -> str:
    """What the search box matches: name, parent's name, keywords, code, and their pinyin and initials."""
    parent = category.parent if category.parent_id else None
    names = [category.name, parent.name if parent is not None else ""]
    words = [*names, category.keywords, category.code, *(_pinyin(n) for n in names if n)]
    return " ".join(w for w in words if w).lower()


class CategorySelect(forms.Select):
    """The select (written by ``core.renderers.render_select``, as every select) under a search box that
    app.js shows and wires; the box has no name, so it is never sent."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        select = render_select(self.get_context(name, value, attrs)["widget"])
        hint = _("Find a category: name or pinyin")
        return format_html(
            '<div class="category-select" data-category-select><input type="text" class="form-control'
            ' form-control-sm mb-1" data-category-search hidden autocomplete="off" enterkeyhint="search"'
            ' placeholder="{}" aria-label="{}">{}</div>',
            hint,
            hint,
            select,
        )

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if isinstance(instance, ServiceCategory):
            option["attrs"]["data-search"] = search_text(instance)
        return option


def fileable_categories() -> Any:
    """The categories a request can be filed about: active, under an active parent if any, without active
    sub-categories of their own."""
    return ServiceCategory.objects.filter(active=True).exclude(parent__active=False).exclude(children__active=True)


class CategoryChoiceIterator(ModelChoiceIterator):
    """The categories grouped under their parent's name, in catalogue order.  A top-level category is the
    first choice of its own group ("供水（全部）") when ``parents_selectable``; otherwise a top-level
    category in the query set (one without sub-categories) is a choice outside any group."""

    field: CategoryChoiceField

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        categories = list(self.queryset.select_related("parent"))
        top = sorted(
            {c.parent if c.parent_id and c.parent is not None else c for c in categories},
            key=lambda c: (c.order, c.code),
        )
        members: dict[int, list[ServiceCategory]] = {}
        for c in categories:
            if c.parent_id:
                members.setdefault(c.parent_id, []).append(c)
        chosen = {c.pk for c in categories}
        for parent in top:
            children = sorted(members.get(parent.pk, []), key=lambda c: (c.order, c.code))
            options = [self.choice(c) for c in children]
            if parent.pk in chosen and (self.field.parents_selectable or not children):
                if not self.field.parents_selectable:
                    yield self.choice(parent)
                    continue
                value, _label = self.choice(parent)
                options.insert(0, (value, _("%(name)s (all)") % {"name": parent.name}))
            if options:
                yield (parent.name, options)

    def __len__(self) -> int:
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class CategoryChoiceField(forms.ModelChoiceField):
    """A category, picked from the grouped, searchable select.  ``parents_selectable``: a top-level category
    may be chosen too (filters, routing rules, questions); ``mark_private``: the categories that are not
    public say so (the portal tells the resident their matter is not published)."""

    iterator = CategoryChoiceIterator
    widget = CategorySelect
    default_error_messages = {
        "invalid_choice": gettext_lazy("There is no category %(value)s to choose: choose one from the list."),
    }

    def __init__(
        self, queryset: Any = None, *, parents_selectable: bool = False, mark_private: bool = False, **kwargs: Any
    ) -> None:
        self.parents_selectable = parents_selectable
        self.mark_private = mark_private
        if queryset is None:
            queryset = ServiceCategory.objects.all()
        super().__init__(queryset.select_related("parent"), **kwargs)

    def label_from_instance(self, obj: ServiceCategory) -> str:
        if self.mark_private and not obj.is_public:
            return _("%(name)s (not published)") % {"name": obj.name}
        return obj.name


class CategoryFilter(django_filters.ModelChoiceFilter):
    """The category filter of a list: grouped and searchable; a top-level category may be chosen."""

    field_class = CategoryChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", ServiceCategory.objects.all())
        kwargs.setdefault("label", gettext_lazy("Category"))
        kwargs.setdefault("parents_selectable", True)
        super().__init__(*args, **kwargs)
