from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .declared import ShallowCopies
from .models import AUDIT_ACTIONS, AuditEntry, Job
from .widgets import NodePickerWidget, SearchPickerWidget


class _Filters(ShallowCopies):
    """A filterset class's filters (``core.declared``).  A form field is made from a copy of ``extra`` with a
    deep copy of the widget (Django's ``Field.__init__``): each filter is copied with its own ``extra``, its own
    ``FilterMethod`` (which holds the filter it belongs to) and no form field yet."""

    def copy_one(self, declared: Any) -> Any:
        clone = copy.copy(declared)
        clone.__dict__.pop("_field", None)
        clone.extra = dict(declared.extra)
        if declared.method is not None:
            clone.method = declared.method  # its FilterMethod calls the clone's parent, not the declared one's
        return clone


class FilterSet(django_filters.FilterSet):
    """Every filterset of the project: django-filter's, with its filters copied one by one (``_Filters``)."""

    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        return _Filters(super().get_filters())


class SearchFilterSet(FilterSet):
    """A FilterSet with a free-text ``q`` over the model's ``search_fields`` lookups (or its
    ``search_condition``).  When the model can turn a value into a token (``search_token``: a full
    identity number), the screens post the form and the list's URL carries ``idh=<token>`` instead
    (``secure_query``); such a filterset declares the ``idh`` filter."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    # Fields whose values may not travel in a URL: a submitted form (POST) carries them as a token.
    token_fields: tuple[str, ...] = ("q",)

    def search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(search_q(queryset.model, value))

    @property
    def submit_by_post(self) -> bool:
        """Whether the screens post this form: some value it takes (an identity number) may not be in a URL."""
        return hasattr(self._meta.model, "search_token")

    @classmethod
    def tokenize(cls, field: str, value: str) -> str | None:
        return search_token(cls._meta.model, value)

    def filter_token(self, queryset: Any, name: str, value: str) -> Any:
        """For an ``idh`` filter (``CharFilter(method="filter_token", widget=HiddenInput)``) of a model with
        the search hooks: the rows the token stands for; a malformed token finds nothing."""
        condition = token_q(queryset.model, value)
        return queryset.none() if condition is None else queryset.filter(condition)

    @classmethod
    def secure_query(cls, data: Any) -> QueryDict:
        """What a POST of the filter form becomes as a query string (see ``secure_query``)."""
        return secure_query(data, cls.token_fields, cls.tokenize)


class IdField(forms.IntegerField):
    """A row's id: a whole number a database key can hold."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PickedIdField(IdField):
    """The id a picker chose: an id its picker does not offer the user (outside their scope, a forged
    ``?person=1``) is no choice: the filter is left empty, filtering nothing, as the picker shows nothing."""

    def clean(self, value: Any) -> Any:
        pk = super().clean(value)
        if pk is not None and isinstance(self.widget, SearchPickerWidget) and self.widget.chosen(pk) is None:
            return None
        return pk


class PickerFilter(django_filters.NumberFilter):
    """A filter by an object chosen with a search picker (``core.widgets``): the screens show the chosen
    object's name, read through ``restrict(user)``; the URL and the API carry its id; an id outside the
    user's scope filters nothing."""

    field_class: type[forms.Field] = PickedIdField

    @property
    def field(self) -> Any:
        field = super().field
        widget = field.widget
        if isinstance(widget, SearchPickerWidget) and getattr(self, "parent", None) is not None:
            widget.user = getattr(getattr(self.parent, "request", None), "user", None)
            self.bind(widget, self.parent._meta.model)
        return field

    def bind(self, widget: Any, model: Any) -> None:
        """Tell the widget more about the filtered *model* (the place picker: whose places to offer)."""


class PlaceFilter(PickerFilter):
    """A place chosen with the place picker (the suggestions are the places where the user may see the
    filtered model); the screens show its path, the URL and the API carry its id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NodePickerWidget(action="view"))
        super().__init__(*args, **kwargs)

    def bind(self, widget: Any, model: Any) -> None:
        if isinstance(widget, NodePickerWidget) and model is not None:
            widget.perm_model = model._meta.label_lower


class WithinFilter(PlaceFilter):
    """Everything under a place the user can see.  A forged id outside the scope finds nothing (and the
    picker names nothing)."""

    field_class = IdField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Within"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        from shequ.territory.models import Node

        user = getattr(getattr(self.parent, "request", None), "user", None)
        anchor = Node.objects.restrict(user, "view").filter(pk=value).only("path").first()
        if anchor is None:
            return qs.none()
        narrowed = qs.within(anchor.path)
        # The scope (restrict) put its own path range first.  Without statistics SQLite walks the index
        # by the first range it meets on a column: for a city-wide grant that is the whole table (0.3 s
        # for one street of a million residents).  Put the narrower range first; PostgreSQL does not mind.
        where = narrowed.query.where
        last = where.children[-1] if where.children else None
        if where.connector == "AND" and not where.negated and getattr(last, "lookup_name", "") == "within":
            where.children.insert(0, where.children.pop())
        return narrowed


def search_q(model: Any, value: str) -> Q:
    """The condition for a free-text search of *model*: the model's own ``search_condition(value)`` when it
    has one (to search only what the value can be: an identity number by its blind index alone, letters
    by pinyin, characters by name), else every lookup of ``search_fields`` OR-ed."""
    value = value.strip()
    condition = Q()
    if not value:
        return condition
    hook = getattr(model, "search_condition", None)
    if hook is not None:
        return hook(value)
    for lookup in getattr(model, "search_fields", ()):
        term = value.lower() if lookup.split("__")[0] in ("pinyin", "initials") else value
        if lookup.split("__")[0] in ("pinyin", "initials"):
            term = term.replace(" ", "")
        condition |= Q(**{lookup: term})
    return condition


def search_token(model: Any, value: str) -> str | None:
    """An opaque token to carry in a URL instead of *value* when the value must never appear in one
    (a full identity number): the model's ``search_token(value)``, or None."""
    hook = getattr(model, "search_token", None)
    return hook(value.strip()) if hook is not None and value.strip() else None


def token_q(model: Any, token: str) -> Q | None:
    """The condition for a token made by ``search_token`` (None when *model* has none, or it is malformed)."""
    hook = getattr(model, "token_condition", None)
    if hook is None or not TOKEN_RE.fullmatch(token or ""):
        return None
    return hook(token)


TOKEN_RE = re.compile(r"[0-9a-f]{64}")
TOKEN_PARAM = "idh"


def secure_query(data: Any, fields: Iterable[str], tokenize: Callable[[str, str], str | None]) -> QueryDict:
    """The query string for a submitted filter form (POST), with no value that must stay out of URLs:
    a value of one of *fields* that ``tokenize(field, value)`` turns into a token (a full identity
    number → its keyed hash) is carried as ``idh=<token>`` instead.  Empty values and the CSRF token
    are left out; a new plain search in one of *fields* replaces an earlier token."""
    query = QueryDict(mutable=True)
    token = data.get(TOKEN_PARAM, "")
    new_token, plain = None, False
    for key, values in data.lists():
        if key in ("csrfmiddlewaretoken", TOKEN_PARAM):
            continue
        for value in values:
            if value in ("", None):
                continue
            if key in fields:
                found = tokenize(key, value)
                if found is not None:
                    new_token = found
                    continue
                plain = True
            query.appendlist(key, value)
    if new_token is not None:
        token = new_token
    elif plain:
        token = ""
    if token:
        query[TOKEN_PARAM] = token
    return query


class AuditEntryFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label=_("Object"))
    action = django_filters.ChoiceFilter(choices=AUDIT_ACTIONS, label=_("Action"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("Actor (user name)"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "actor", "since", "until"]


class JobFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, label=_("Status"))

    class Meta:
        model = Job
        fields = ["status"]
