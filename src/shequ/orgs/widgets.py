"""Search pickers for an organization and for a resident (the same markup and script as the node picker)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse


class SearchPickerWidget(forms.Widget):
    template_name = "orgs/widgets/picker.html"
    url_name = ""

    def __init__(self, attrs: dict[str, Any] | None = None, kinds: list[str] | None = None) -> None:
        super().__init__(attrs)
        self.kinds = [str(k) for k in kinds or []]

    def label_for(self, pk: int) -> str:
        raise NotImplementedError

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            try:
                label = self.label_for(int(value))
            except (TypeError, ValueError):
                label = ""
        context["widget"].update({"label": label, "url": reverse(self.url_name), "kinds": ",".join(self.kinds)})
        return context


class OrganizationPickerWidget(SearchPickerWidget):
    url_name = "orgs:organization_pick"

    def label_for(self, pk: int) -> str:
        from .models import Organization

        org = Organization.objects.filter(pk=pk).only("name").first()
        return org.name if org else ""


class ResidentPickerWidget(SearchPickerWidget):
    url_name = "orgs:resident_pick"

    def label_for(self, pk: int) -> str:
        from shequ.people.models import Resident

        person = Resident.objects.filter(pk=pk).only("name").first()
        return person.name if person else ""
