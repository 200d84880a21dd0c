"""Demo party members for ``shequ seed``: deterministic, realistic, within the Party's rules, written in bulk.

- Every resident whose political status is 中共党员 or 预备党员 gets an archive, in the branch of the
  residential area where they live (the community's committee when the area has none).  About a third
  of the on-the-job ones keep their relation where they work (the street office's working committee,
  another community's committee): those report to their home community, most of them, with
  activities and hours; around 1 July the communities select their outstanding ones.
- Members who do not live in the territory (retirees living with their children elsewhere, members of
  the units in the communities …) fill the organizations: a quarter as many again, or, for ``city``,
  up to 500,000 members in all (the figure of the performance target).
- Dates follow the rules the actions enforce: at least 18 when joining, conversion when the one-year
  probation ends (a few after an extension of at most a year); probationary members came through the
  development pipeline (application, a year as activist, development target, two full members as
  introducers); applicants, activists and targets are in progress in several communities.
- A few relation transfers of every kind, open (some overdue) and closed; dues of this year with some
  arrears (in the first district only at city scale); each archive's timeline.

Everything goes in through ``BulkInsert`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL) a chunk at
a time, with ids reserved up front; only the few members later steps need are kept in memory.
"""

from __future__ import annotations

from shequ.core.importing import advance_sequences
from shequ.orgs.models import Organization, OrgKind
from shequ.party import tally
from shequ.party.models import (
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberEvent,
    MemberTally,
    OutstandingSelection,
    PartyMember,
    RelationTransfer,
    ReportActivity,
)
from shequ.territory.models import Kind, Node

from .base import DUES_ALL_UP_TO, EXTRA_SHARE, TOTAL_MEMBERS, TRANSFER_FIELDS, TRANSFER_TYPES, BulkInsert
from .members import _Members
from .pipeline import _Pipeline


class _Seeder(_Members, _Pipeline):
    def run(self) -> dict[str, int]:
        if not self.orgs.keeping:
            return {"party members": 0}
        total = TOTAL_MEMBERS.get(self.scale_name)
        estimate = total or 0
        if estimate > DUES_ALL_UP_TO:
            first = Node.objects.within(self.city.path).filter(kind=Kind.DISTRICT).order_by("path").first()
            self.dues_area = first.path if first is not None else ""
        linked = self.seed_residents()
        extra = max(0, total - linked) if total else round(linked * EXTRA_SHARE)
        self.seed_outsiders(max(extra, self.transfer_sets() * len(TRANSFER_TYPES)))
        self.incoming_open()
        records = self.seed_development()
        reports, _activities = self.seed_reports()
        self.flush()
        BulkInsert(RelationTransfer, TRANSFER_FIELDS).insert(self.transfers)
        _reset_sequences()
        tally.rebuild()  # the statistics' rollup
        return {
            "party members": self.counts["party members"],
            "development records": records,
            "relation transfers": len(self.transfers),
            "community reports": reports,
            "dues payments": self.counts["dues payments"],
        }


def seed_party(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    """The demo city's party members and everything around them (see the module's docstring)."""
    return _Seeder(city, scale_name, seed).run()


def _reset_sequences() -> None:
    advance_sequences(
        PartyMember,
        MemberEvent,
        DuesPayment,
        DevelopmentRecord,
        RelationTransfer,
        CommunityReport,
        MemberTally,
        ReportActivity,
        OutstandingSelection,
    )


def demo_logins(city: Node) -> list[tuple[str, str, str, Node, Organization | None]]:
    """A branch secretary to try the demo with: the first branch with members in the first community (the
    community the ``secretary`` login is for), so both views of the same members can be compared."""
    community = Node.objects.filter(kind=Kind.COMMUNITY, path__startswith=city.path).order_by("path").first()
    if community is None:
        return []
    branch_id = (
        PartyMember.objects.filter(
            organization__kind=OrgKind.BRANCH, organization__node__path__startswith=community.path
        )
        .order_by("organization__node__path", "organization_id")
        .values_list("organization_id", flat=True)
        .first()
    )
    if branch_id is None:
        return []
    branch = Organization.objects.select_related("node").get(pk=branch_id)
    return [("branch", "branch_secretary", "党支部书记", branch.node, branch)]
