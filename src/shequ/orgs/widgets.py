"""Search pickers for an organization and for a resident (``core.widgets.SearchPickerWidget``)."""

from __future__ import annotations

from shequ.core.widgets import SearchPickerWidget

__all__ = ["OrganizationPickerWidget", "ResidentPickerWidget", "SearchPickerWidget"]


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
