"""The party member and party organization pickers (``core.widgets.SearchPickerWidget``)."""

from __future__ import annotations

from typing import Any

from shequ.core.widgets import SearchPickerWidget


class MemberPickerWidget(SearchPickerWidget):
    """Members by name, pinyin, initials or full identity number: the typed text is posted, never put in a URL."""

    template_name = "party/widgets/member_picker.html"
    url_name = "party:member_pick"
    model = "party.partymember"

    def offered(self, user: Any) -> Any:
        return super().offered(user).defer("id_number")


class PartyOrgPickerWidget(SearchPickerWidget):
    """Party organizations that keep members; ``everywhere`` offers those outside the user's area too
    (the destination of a transfer: an organization's name is no personal information)."""

    url_name = "party:org_pick"
    model = "orgs.organization"

    def __init__(self, *args: Any, everywhere: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.everywhere = everywhere
        self.kinds = ["everywhere"] if everywhere else []

    def offered(self, user: Any) -> Any:
        from shequ.orgs.models import Organization

        from .actions.common import MEMBER_ORG_KINDS
        from .models import PartyMember

        qs = Organization.objects.filter(kind__in=MEMBER_ORG_KINDS)
        return qs if self.everywhere else qs.restrict(user, "view", perm_model=PartyMember)
