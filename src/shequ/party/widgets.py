"""A picker for a party member (the orgs app's search-picker markup and script)."""

from __future__ import annotations

from shequ.orgs.widgets import SearchPickerWidget


class MemberPickerWidget(SearchPickerWidget):
    """Members by name, pinyin, initials or full identity number: the typed text is posted, never put in a URL."""

    template_name = "party/widgets/member_picker.html"
    url_name = "party:member_pick"

    def label_for(self, pk: int) -> str:
        from .models import PartyMember

        found = PartyMember.objects.filter(pk=pk).only("name").first()
        return found.name if found else ""


class PartyOrgPickerWidget(SearchPickerWidget):
    """Party organizations that keep members; ``everywhere`` offers those outside the user's area too
    (the destination of a transfer)."""

    url_name = "party:org_pick"

    def __init__(self, *args, everywhere: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kinds = ["everywhere"] if everywhere else []

    def label_for(self, pk: int) -> str:
        from shequ.orgs.models import Organization

        found = Organization.objects.filter(pk=pk).only("name").first()
        return found.name if found else ""
