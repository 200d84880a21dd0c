"""On-the-job members and their home communities (000 §10): the reporting rate per community, with who has
not reported, and the yearly selection of outstanding on-the-job members around 1 July.

Who should report to a community: the probationary and full on-the-job members who live in it by the
residents' register (their archive is linked to a resident there) and keep their organizational relation
elsewhere (their organization is not one of the community's).  Who has reported: the members with an open
report to it.  A member reporting to a community without living there by the register counts as expected
too (they live there; the register has not caught up), so the rate is reported / (expected ∪ reported).

Each figure is a fixed number of grouped queries however many communities the area holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shequ.accounts.scope import can
from shequ.people.models import Resident
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .models import Category, CommunityReport, OutstandingSelection, PartyMember, ReportActivity
from .models.members import ACTIVE_STATUSES

MISSING_SHOWN = 500  # members not reported, listed for one community on the screen
CANDIDATES_SHOWN = 200


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CommunityRate:
    node: Node
    street: str
    should: int = 0  # living here, relation elsewhere
    reported: int = 0  # open reports of active members
    both: int = 0  # reported and among ``should``

    @property
    def expected(self) -> int:
        return self.should + self.reported - self.both

    @property
    def missing(self) -> int:
        return self.should - self.both

    @property
    def rate(self) -> float | None:
        return ratio(self.reported, self.expected)


@dataclass
class Reporting:
    anchor: Node
    rows: list[CommunityRate] = field(default_factory=list)
    community: Node | None = None  # the one whose missing members are listed
    missing: list[PartyMember] = field(default_factory=list)
    names_visible: bool = False
    # Who should report and has not, per community path: member ids (the list and the export read them).
    missing_ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.rows)

    @property
    def reported(self) -> int:
        return sum(r.reported for r in self.rows)

    @property
    def rate(self) -> float | None:
        return ratio(self.reported, self.expected)


def communities_of(anchor: Node) -> tuple[list[Node], str]:
    """The communities of the area, and the prefix the members' homes must have: the anchor itself when
    it lies below a community (a grid, a residential area), else the communities' own paths."""
    nodes = Node.objects.filter(retired=False).select_related("parent")
    if anchor.kind in (NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING, NodeKind.UNIT):
        ancestor = nodes.filter(kind=NodeKind.COMMUNITY, path__in=_prefixes(anchor.path)).first()
        return ([ancestor] if ancestor is not None else []), anchor.path
    return list(nodes.within(anchor.path).filter(kind=NodeKind.COMMUNITY).order_by("path")), anchor.path


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")[:-1]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def living(homes: str, width: int) -> dict[int, str]:
    """Who should report, by member id: the active on-the-job members living under *homes* by the register
    whose organization is outside their community; the value is the path of that community.

    One query driven by the residents' path index (the members' side is looked up by its unique index on
    the resident), the rest sorted out here: a street's few thousand residents take milliseconds."""
    rows = (
        Resident.objects.within(homes)
        .filter(archived=False, party_memberships__isnull=False)
        .order_by()
        .values_list(
            "path",
            "party_memberships__pk",
            "party_memberships__path",
            "party_memberships__status",
            "party_memberships__category",
        )
    )
    found: dict[int, str] = {}
    for path, member, member_path, status, category in rows:
        home = path[:width]
        if status in ACTIVE_STATUSES and category == Category.ON_THE_JOB and member_path[:width] != home:
            found[member] = home
    return found


def open_reports(communities: list[Node], homes: str, below: bool) -> list[tuple[str, int]]:
    """(community path, member id) of the open reports of active members to *communities*."""
    reports = CommunityReport.objects.filter(ended_on__isnull=True, node_id__in=[c.pk for c in communities])
    if below:  # only the part of the community asked for
        reports = reports.filter(member__resident__path__within=homes)
    pairs = list(reports.order_by().values_list("path", "member_id"))
    active: set[int] = set()
    ids = sorted({m for _p, m in pairs})
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        active.update(PartyMember.objects.filter(pk__in=chunk, status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    return [(path, member) for path, member in pairs if member in active]


def reporting(anchor: Node, user: Any, community: Node | None = None) -> Reporting:
    result = Reporting(anchor=anchor)
    communities, homes = communities_of(anchor)
    if not communities:
        return result
    width = len(communities[0].path)
    below = len(homes) > width
    rows = {c.path: CommunityRate(c, c.parent.name if c.parent else "") for c in communities}
    should = living(homes, width)
    reported: dict[str, set[int]] = defaultdict(set)
    for path, member in open_reports(communities, homes, below):
        reported[path].add(member)
    missing: dict[str, list[int]] = defaultdict(list)
    for member, home in should.items():
        if home in rows:
            rows[home].should += 1
            if member in reported[home]:
                rows[home].both += 1
            else:
                missing[home].append(member)
    for path, members in reported.items():
        if path in rows:
            rows[path].reported = len(members)
    result.rows = list(rows.values())
    result.missing_ids = dict(missing)
    result.names_visible = can(user, Resident, "view", anchor.path)
    if community is not None and community.path in rows and result.names_visible:
        result.community = community
        result.missing = list(missing_members(missing.get(community.path, []))[:MISSING_SHOWN])
    return result


def missing_members(ids: list[int]) -> QuerySet[PartyMember]:
    """The members of *ids* (who should report and have not), as the list shows them."""
    return (
        PartyMember.objects.filter(pk__in=ids)
        .select_related("organization", "resident__node")
        .defer("id_number")
        .order_by("resident__path", "name", "id")
    )


def write_reporting_xlsx(result: Reporting) -> str:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Reporting rate"))
    writer.header(
        [_("Community"), _("Street"), _("Should report"), _("Reported"), _("Rate"), _("Not reported")],
        [24, 16, 14, 12, 10, 14],
    )
    for row in result.rows:
        rate = round(row.rate * 100, 1) if row.rate is not None else None
        writer.write([row.node.name, row.street, row.expected, row.reported, rate, row.missing])
    rate = round(result.rate * 100, 1) if result.rate is not None else None
    writer.write([_("Total"), "", result.expected, result.reported, rate, sum(r.missing for r in result.rows)])
    if result.names_visible and result.rows:
        writer.write([])
        writer.write(
            [_("Not reported"), pgettext("person", "Name"), _("Party organization"), _("Work unit"), _("Lives in")]
        )
        written = 0
        for row in result.rows:
            ids = result.missing_ids.get(row.node.path, [])
            for start in range(0, len(ids), 2000):
                for member in missing_members(ids[start : start + 2000]):
                    place = member.resident.node.name if member.resident and member.resident.node else ""
                    writer.write([row.node.name, member.name, member.organization.name, member.work_unit, place])
                    written += 1
            if written >= 100_000:
                break
    writer.close()
    return target


# -- outstanding on-the-job members -------------------------------------------------------------------------


def selection_period(year: int) -> tuple[date, date]:
    """The service counted for the selection of *year* (made around 1 July): the twelve months before it."""
    return date(year - 1, 7, 1), date(year, 6, 30)


@dataclass
class Outstanding:
    anchor: Node
    year: int
    start: date
    end: date
    candidates: list[CommunityReport] = field(default_factory=list)
    selected: list[OutstandingSelection] = field(default_factory=list)
    total_candidates: int = 0
    total_selected: int = 0
    selected_ids: set[int] = field(default_factory=set)
    per_community: list[tuple[Node, int, int]] = field(default_factory=list)  # community, candidates, selected


def ranked(user: Any, anchor: Node, year: int) -> list[tuple[int, int, Decimal, int]]:
    """(report id, community id, hours, activities) of the reports of the area open during the selection
    period with service in it, most hours first: one grouped query over the period's activities."""
    start, end = selection_period(year)
    reports = (
        CommunityReport.objects.restrict(user, "view")
        .within(anchor.path)
        .filter(registered_on__lte=end)
        .exclude(ended_on__lt=start)
    )
    rows = (
        ReportActivity.objects.filter(report__in=reports.values("pk"), on__gte=start, on__lte=end)
        .values_list("report", "report__node")
        .annotate(hours=Sum("hours"), n=Count("id"))
        .order_by()
    )
    found = [(report, node, Decimal(hours), n) for report, node, hours, n in rows if hours]
    return sorted(found, key=lambda row: (-row[2], row[0]))


def with_hours(rows: list[tuple[int, int, Decimal, int]]) -> list[CommunityReport]:
    """The reports of *rows*, in their order, each with its ``hours`` and ``activities_count``."""
    found = (
        CommunityReport.objects.select_related("member", "node", "branch")
        .defer("member__id_number", "node__boundary")
        .in_bulk([r[0] for r in rows])
    )
    result = []
    for report_id, _node, hours, n in rows:
        report = found.get(report_id)
        if report is not None:
            report.hours, report.activities_count = hours, n  # type: ignore[attr-defined]
            result.append(report)
    return result


def outstanding(anchor: Node, user: Any, year: int) -> Outstanding:
    start, end = selection_period(year)
    result = Outstanding(anchor=anchor, year=year, start=start, end=end)
    ranking = ranked(user, anchor, year)
    result.candidates = with_hours(ranking[:CANDIDATES_SHOWN])
    result.total_candidates = len(ranking)
    reports = CommunityReport.objects.restrict(user, "view").within(anchor.path)
    selected = (
        OutstandingSelection.objects.filter(year=year, report__in=reports.values("pk"))
        .select_related("report__member", "report__node", "report__branch")
        .defer("report__member__id_number", "report__node__boundary")
        .order_by("report__path", "report__member__name")
    )
    hours = {report: h for report, _node, h, _n in ranking}
    result.total_selected = selected.count()
    result.selected = list(selected[:CANDIDATES_SHOWN])
    for selection in result.selected:
        selection.hours = hours.get(selection.report_id, Decimal(0))  # type: ignore[attr-defined]
    result.selected_ids = set(selected.values_list("report_id", flat=True))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _report, node, _h, _n in ranking:
        counts[node][0] += 1
    for node, n in selected.order_by().values_list("report__node").annotate(n=Count("id")):
        counts[node][1] = n
    nodes = Node.objects.only("id", "name", "path").in_bulk(list(counts))
    result.per_community = sorted(
        ((nodes[pk], c, s) for pk, (c, s) in counts.items() if pk in nodes), key=lambda row: row[0].path
    )
    return result


def write_outstanding_xlsx(result: Outstanding, user: Any) -> str:
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Outstanding on-the-job members"))
    writer.header(
        [_("Rank"), pgettext("person", "Name"), _("Community"), _("Residential-area branch")]
        + [_("Hours"), _("Activities"), _("Selected")],
        [8, 14, 24, 28, 10, 10, 10],
    )
    ranking = ranked(user, result.anchor, result.year)[:100_000]
    rank = 0
    for start in range(0, len(ranking), 2000):
        for report in with_hours(ranking[start : start + 2000]):
            rank += 1
            writer.write(
                [
                    rank,
                    report.member.name,
                    report.node.name,
                    report.branch.name if report.branch else "",
                    float(report.hours or 0),  # type: ignore[attr-defined]
                    report.activities_count,  # type: ignore[attr-defined]
                    report.pk in result.selected_ids,
                ]
            )
    writer.write([])
    writer.write([_("Selected in %(year)d") % {"year": result.year}, _("Community"), _("Citation")])
    reports = CommunityReport.objects.restrict(user, "view").within(result.anchor.path)
    everyone = (
        OutstandingSelection.objects.filter(year=result.year, report__in=reports.values("pk"))
        .order_by("report__path", "report__member__name")
        .values_list("report__member__name", "report__node__name", "citation")
    )
    for row in everyone.iterator():
        writer.write(list(row))
    writer.close()
    return target
