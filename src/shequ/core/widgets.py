from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse


class NodePickerWidget(forms.Widget):
    """A search box that suggests nodes (within scope) and keeps the chosen id in a hidden input."""

    template_name = "core/widgets/node_picker.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        kinds: list[str] | None = None,
        action: str = "view",
        model: str = "territory.node",
    ) -> None:
        super().__init__(attrs)
        self.kinds = kinds or []
        self.action = action
        self.model = model  # whose permission decides which places are offered

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        from shequ.territory.models import Node

        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            try:
                node = Node.objects.filter(pk=int(value)).only("name", "path").first()
            except (TypeError, ValueError):
                node = None
            label = node.name if node else ""
        context["widget"].update(
            {
                "label": label,
                "url": reverse("territory:node_pick"),
                "kinds": ",".join(self.kinds),
                "action": self.action,
                "model": self.model,
            }
        )
        return context
