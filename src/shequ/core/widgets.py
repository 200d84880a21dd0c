"""The one search picker: a search box that asks a pick view (htmx) for suggestions within the user's scope
and keeps the chosen id in a hidden input.  One markup and one script (``static/shequ/app.js``) for all.

The label of a chosen id is read through ``restrict(user)``, as the suggestions are: an id outside the
user's scope (a forged ``?person=1``) shows nothing, and a filter given one filters nothing
(``core.filtersets.PickerFilter``).  Without a user (a widget no form or filter told who is looking) nothing
is named.  Apps declare their pickers as subclasses naming the pick view and the model (or ``choices``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SearchPickerWidget(forms.Widget):
    """Subclass: set ``url_name`` (the pick view, answering with ``[data-pick-id]`` suggestions) and
    ``model`` ("app.model", whose rows the user may ``action`` are the choices), or override ``offered``;
    ``label_of`` names a chosen row.  ``query()`` gives the parameters the pick view reads besides the typed
    text (``{field}__q``, or ``q``) and ``field``."""

    template_name = "core/widgets/picker.html"
    url_name = ""
    model = ""
    action = "view"
    placeholder: Any = _("Type a name, pinyin or initials")

    def __init__(self, attrs: dict[str, Any] | None = None, kinds: list[str] | None = None, user: Any = None) -> None:
        super().__init__(attrs)
        self.kinds = [str(k) for k in kinds or []]
        self.user = user  # who is looking: set by the form or the filter (``bind_pickers``)

    def offered(self, user: Any) -> Any:
        """The rows *user* may choose here, and see named (a query set): of the picker's ``kinds``, if any."""
        model = apps.get_model(self.model)
        qs = model._default_manager.restrict(user, self.action)
        return qs.filter(kind__in=self.kinds) if self.kinds and hasattr(model, "kind") else qs

    def label_of(self, obj: Any) -> str:
        return str(obj)

    def chosen(self, pk: Any) -> Any:
        """The row of id *pk* if the user may see it here, else None."""
        if self.user is None or pk in (None, ""):
            return None
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:
            return None
        return self.offered(self.user).filter(pk=pk).first()

    def label_for(self, pk: Any) -> str:
        obj = self.chosen(pk)
        return self.label_of(obj) if obj is not None else ""

    def query(self) -> dict[str, str]:
        return {"kinds": ",".join(self.kinds)}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "label": self.label_for(value),
                "url": reverse(self.url_name),
                "query": urlencode({**self.query(), "field": name}, safe=","),
                "placeholder": self.placeholder,
            }
        )
        return context


def bind_pickers(fields: Iterable[Any], user: Any) -> None:
    """Tell every picker among the form fields *fields* who is looking (one not told names nothing)."""
    for field in fields:
        widget = getattr(field, "widget", None)
        if isinstance(widget, SearchPickerWidget) and widget.user is None:
            widget.user = user


class NodePickerWidget(SearchPickerWidget):
    """Places (within scope) by name, pinyin or code; a place is named with its path from the street down
    (东风街道 / 幸福社区 / 阳光公寓2期 / 3号楼 / 2单元)."""

    url_name = "territory:node_pick"
    model = "territory.node"
    placeholder = _("Type a name, pinyin or code")

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        kinds: list[str] | None = None,
        action: str = "view",
        model: str = "territory.node",
        user: Any = None,
    ) -> None:
        super().__init__(attrs, kinds, user)
        self.action = action
        self.perm_model = model  # whose permission decides which places are offered

    def offered(self, user: Any) -> Any:
        from shequ.territory.models import Node

        try:
            perm_model = apps.get_model(self.perm_model)
        except (LookupError, ValueError):
            perm_model = Node
        # Named where the user may see the model's rows (a filter), offered where they may act.
        qs = Node.objects.restrict(user, "view", perm_model=perm_model)
        return qs.filter(kind__in=self.kinds) if self.kinds else qs

    def label_of(self, obj: Any) -> str:
        from shequ.territory.trails import trail

        return trail(obj)

    def query(self) -> dict[str, str]:
        return {**super().query(), "action": self.action, "model": self.perm_model}
