"""Search pickers: a search box that asks a pick view (htmx) for suggestions within the user's scope and
keeps the chosen id in a hidden input.  One markup and one script (``static/shequ/app.js``) for all."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SearchPickerWidget(forms.Widget):
    """Subclass: set ``url_name`` (the pick view, answering with ``[data-pick-id]`` suggestions) and
    implement ``label_for(pk)``; ``query()`` gives the parameters the pick view reads besides the typed text
    (``{field}__q``, or ``q``) and ``field``."""

    template_name = "core/widgets/picker.html"
    url_name = ""
    placeholder: Any = _("Type a name, pinyin or initials")

    def __init__(self, attrs: dict[str, Any] | None = None, kinds: list[str] | None = None) -> None:
        super().__init__(attrs)
        self.kinds = [str(k) for k in kinds or []]

    def label_for(self, pk: int) -> str:
        raise NotImplementedError

    def query(self) -> dict[str, str]:
        return {"kinds": ",".join(self.kinds)}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            try:
                label = self.label_for(int(value))
            except (TypeError, ValueError):
                label = ""
        context["widget"].update(
            {
                "label": label,
                "url": reverse(self.url_name),
                "query": urlencode({**self.query(), "field": name}, safe=","),
                "placeholder": self.placeholder,
            }
        )
        return context


class NodePickerWidget(SearchPickerWidget):
    """Places (within scope) by name, pinyin or code."""

    url_name = "territory:node_pick"
    placeholder = _("Type a name, pinyin or code")

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        kinds: list[str] | None = None,
        action: str = "view",
        model: str = "territory.node",
    ) -> None:
        super().__init__(attrs, kinds)
        self.action = action
        self.model = model  # whose permission decides which places are offered
        self.user: Any = None  # when set, a place outside the user's scope is not named

    def label_for(self, pk: int) -> str:
        from shequ.territory.models import Node

        places = Node.objects.all() if self.user is None else Node.objects.restrict(self.user, "view")
        node = places.filter(pk=pk).only("name", "path").first()
        return node.name if node else ""

    def query(self) -> dict[str, str]:
        return {**super().query(), "action": self.action, "model": self.model}
