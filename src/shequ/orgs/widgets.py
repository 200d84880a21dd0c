"""The organization and resident pickers: ``core.widgets.SearchPickerWidget`` declared for their models
(the chosen one is named through ``restrict(user)``)."""

from __future__ import annotations

from typing import Any

from shequ.core.widgets import SearchPickerWidget

__all__ = ["OrganizationPickerWidget", "ResidentPickerWidget", "SearchPickerWidget"]


class OrganizationPickerWidget(SearchPickerWidget):
    url_name = "orgs:organization_pick"
    model = "orgs.organization"


class ResidentPickerWidget(SearchPickerWidget):
    url_name = "orgs:resident_pick"
    model = "people.resident"

    def label_of(self, obj: Any) -> str:
        from shequ.people.distinct import who

        return who(obj)
