"""Targets on organizations and posts, per community, for any node's subtree (domain §2, §6).

- Cross-posting (交叉任职, 001 §4.2.1): the share of the current members of the community party
  committee who also sit on the community's residents' committee; target > 50 %.
- "One shoulder" (一肩挑, 000 §13): the community party secretary is also the residents' committee
  director and the service-station head; and the share of communities where that holds.
- Double coverage of "two new" organizations (000 §1): the share with a party organization and the
  share where party work is carried out; target 100 %.

``compute`` runs a fixed number of queries however many communities the subtree holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.utils import timezone

from shequ.core.fields import SEGMENT_WIDTH, SEP
from shequ.core.text import normalize
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .models import (
    COMMITTEE_TITLES,
    COMMUNITY_PARTY_KINDS,
    PARTY_RANK,
    TWO_NEW_KINDS,
    Organization,
    OrgKind,
    Post,
    Title,
)

CROSS_POSTING_TARGET = 0.5  # strictly more than half
COVERAGE_TARGET = 1.0
STATION_HEAD_TITLES = (Title.STATION_HEAD, Title.DIRECTOR)
T = TypeVar("T")


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class _Rates:
    """The rates and targets met, from the counts of a community or of an area pooling its communities
    (an area's rate is pooled: all cross-posted members over all committee members, not a mean of rates)."""

    cross_posted: int
    committee_members: int
    two_new: int
    two_new_with_party_org: int
    two_new_with_party_work: int

    @property
    def cross_posting_rate(self) -> float | None:
        return ratio(self.cross_posted, self.committee_members)

    @property
    def cross_posting_ok(self) -> bool | None:
        rate = self.cross_posting_rate
        return None if rate is None else rate > CROSS_POSTING_TARGET

    @property
    def party_org_coverage(self) -> float | None:
        return ratio(self.two_new_with_party_org, self.two_new)

    @property
    def party_work_coverage(self) -> float | None:
        return ratio(self.two_new_with_party_work, self.two_new)

    @property
    def party_org_coverage_ok(self) -> bool | None:
        return None if not self.two_new else self.two_new_with_party_org == self.two_new

    @property
    def party_work_coverage_ok(self) -> bool | None:
        return None if not self.two_new else self.two_new_with_party_work == self.two_new

    @property
    def double_coverage_ok(self) -> bool | None:
        if not self.two_new:
            return None
        return bool(self.party_org_coverage_ok and self.party_work_coverage_ok)

    def coverage_dict(self) -> dict[str, Any]:
        return {
            "two_new": self.two_new,
            "two_new_with_party_org": self.two_new_with_party_org,
            "two_new_with_party_work": self.two_new_with_party_work,
            "party_org_coverage": self.party_org_coverage,
            "party_work_coverage": self.party_work_coverage,
            "party_org_coverage_ok": self.party_org_coverage_ok,
            "party_work_coverage_ok": self.party_work_coverage_ok,
            "double_coverage_ok": self.double_coverage_ok,
        }


@dataclass
class CommunityMetrics(_Rates):
    node_id: int
    name: str
    path: str
    street: str = ""
    party_org: str = ""
    party_org_id: int | None = None
    residents_committee: str = ""
    service_station: str = ""
    committee_members: int = 0
    cross_posted: int = 0
    secretary: str = ""
    one_shoulder: bool | None = None
    two_new: int = 0
    two_new_with_party_org: int = 0
    two_new_with_party_work: int = 0
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "name": self.name,
            "street": self.street,
            "rank": self.rank,
            "party_org": self.party_org,
            "residents_committee": self.residents_committee,
            "service_station": self.service_station,
            "committee_members": self.committee_members,
            "cross_posted": self.cross_posted,
            "cross_posting_rate": self.cross_posting_rate,
            "cross_posting_ok": self.cross_posting_ok,
            "secretary": self.secretary,
            "one_shoulder": self.one_shoulder,
            **self.coverage_dict(),
        }


@dataclass
class AreaMetrics(_Rates):
    """The communities of one area (the anchor, or one of its children) pooled together."""

    node_id: int
    name: str
    communities: int = 0
    communities_with_data: int = 0
    committee_members: int = 0
    cross_posted: int = 0
    passing: int = 0
    one_shoulder: int = 0
    two_new: int = 0
    two_new_with_party_org: int = 0
    two_new_with_party_work: int = 0
    rank: int | None = None

    def add(self, c: CommunityMetrics) -> None:
        self.communities += 1
        self.communities_with_data += c.committee_members > 0
        self.committee_members += c.committee_members
        self.cross_posted += c.cross_posted
        self.passing += bool(c.cross_posting_ok)
        self.one_shoulder += bool(c.one_shoulder)
        self.two_new += c.two_new
        self.two_new_with_party_org += c.two_new_with_party_org
        self.two_new_with_party_work += c.two_new_with_party_work

    @property
    def passing_share(self) -> float | None:
        return ratio(self.passing, self.communities)

    @property
    def one_shoulder_share(self) -> float | None:
        return ratio(self.one_shoulder, self.communities)

    def as_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "name": self.name,
            "rank": self.rank,
            "communities": self.communities,
            "committee_members": self.committee_members,
            "cross_posted": self.cross_posted,
            "cross_posting_rate": self.cross_posting_rate,
            "cross_posting_ok": self.cross_posting_ok,
            "communities_passing": self.passing,
            "passing_share": self.passing_share,
            "one_shoulder": self.one_shoulder,
            "one_shoulder_share": self.one_shoulder_share,
            **self.coverage_dict(),
        }


@dataclass
class MetricsReport:
    anchor: Node
    on: date
    total: AreaMetrics
    communities: list[CommunityMetrics] = field(default_factory=list)
    areas: list[AreaMetrics] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.anchor.pk,
            "node": self.anchor.name,
            "on": self.on,
            "targets": {"cross_posting_rate_above": CROSS_POSTING_TARGET, "coverage": COVERAGE_TARGET},
            "total": self.total.as_dict(),
            "areas": [a.as_dict() for a in self.areas],
            "communities": [c.as_dict() for c in self.communities],
        }


def _rank(items: list[Any]) -> list[Any]:
    """Best cross-posting rate first; equal rates share a rank (1, 2, 2, 4); no data last."""
    ordered = sorted(
        items,
        key=lambda i: (i.cross_posting_rate is None, -(i.cross_posting_rate or 0), i.name),
    )
    previous: float | None = None
    for position, item in enumerate(ordered, start=1):
        rate = item.cross_posting_rate
        if rate is None:
            item.rank = None
            continue
        item.rank = position if previous is None or rate != previous else ordered[position - 2].rank
        previous = rate
    return ordered


def _prefixes(path: str) -> list[str]:
    step = SEGMENT_WIDTH + len(SEP)
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _nearest(path: str, by_path: dict[str, T]) -> T | None:
    """What *by_path* holds for the highest node on *path* (the node itself included), if anything."""
    for prefix in _prefixes(path):
        found = by_path.get(prefix)
        if found is not None:
            return found
    return None


class _People:
    """Who holds which post in one community, a person being a resident or, failing that, a name."""

    def __init__(self) -> None:
        self.by_org: dict[int, list[tuple[str, tuple[str, Any], str]]] = defaultdict(list)
        self.resident_names: dict[str, set[int]] = defaultdict(set)

    def add(self, org_id: int, title: str, person_id: int | None, resident_name: str | None, name: str) -> None:
        if person_id:
            key: tuple[str, Any] = ("resident", person_id)
            label = resident_name or ""
            self.resident_names[normalize(label)].add(person_id)
        else:
            key, label = ("name", normalize(name)), name
        self.by_org[org_id].append((title, key, label))

    def holders(self, org_id: int | None, titles: tuple[str, ...]) -> dict[tuple[str, Any], str]:
        if org_id is None:
            return {}
        found: dict[tuple[str, Any], str] = {}
        for title, key, label in self.by_org.get(org_id, ()):
            if title in titles:
                found[self._unify(key)] = label
        return found

    def _unify(self, key: tuple[str, Any]) -> tuple[str, Any]:
        # A name typed for someone who is registered elsewhere in the same community counts as that resident.
        if key[0] == "name":
            ids = self.resident_names.get(key[1], set())
            if len(ids) == 1:
                return ("resident", next(iter(ids)))
        return key


def compute(anchor: Node, user: Any = None, on: date | None = None) -> MetricsReport:
    """The metrics of every community in *anchor*'s subtree (inside *user*'s scope when given)."""
    on = on or timezone.localdate()
    communities_qs = Node.objects.within(anchor.path).filter(kind=NodeKind.COMMUNITY, retired=False)
    if user is not None:
        communities_qs = communities_qs.restrict(user, "view", perm_model=Organization)
    nodes = list(communities_qs.select_related("parent").only("id", "name", "path", "parent__name").order_by("path"))
    community_by_path = {n.path: n for n in nodes}
    metrics = {n.pk: CommunityMetrics(n.pk, n.name, n.path, street=n.parent.name if n.parent else "") for n in nodes}

    # 1. The leading organizations sitting on each community.
    lead_kinds = (*COMMUNITY_PARTY_KINDS, OrgKind.RESIDENTS_COMMITTEE, OrgKind.SERVICE_STATION)
    party: dict[int, tuple[int, int, str]] = {}
    committee: dict[int, tuple[int, str]] = {}
    station: dict[int, tuple[int, str]] = {}
    rows = (
        Organization.objects.within(anchor.path)
        .filter(active=True, kind__in=lead_kinds, node__kind=NodeKind.COMMUNITY)
        .order_by("id")
        .values_list("id", "kind", "name", "node_id")
    )
    for org_id, kind, name, node_id in rows:
        if node_id not in metrics:
            continue
        if kind in COMMUNITY_PARTY_KINDS:
            best = party.get(node_id)
            if best is None or PARTY_RANK[kind] < best[0]:
                party[node_id] = (PARTY_RANK[kind], org_id, name)
        elif kind == OrgKind.RESIDENTS_COMMITTEE:
            committee.setdefault(node_id, (org_id, name))
        else:
            station.setdefault(node_id, (org_id, name))

    # 2. The current posts in those organizations.
    people: dict[int, _People] = defaultdict(_People)
    post_rows = (
        Post.objects.within(anchor.path)
        .current(on)
        .filter(
            organization__active=True, organization__kind__in=lead_kinds, organization__node__kind=NodeKind.COMMUNITY
        )
        .values_list("organization__node_id", "organization_id", "title", "person_id", "person__name", "person_name")
    )
    for node_id, org_id, title, person_id, resident_name, name in post_rows:
        if node_id in metrics:
            people[node_id].add(org_id, title, person_id, resident_name, name)

    for node_id, m in metrics.items():
        p = people[node_id]
        party_org = party.get(node_id)
        rc = committee.get(node_id)
        st = station.get(node_id)
        party_id = party_org[1] if party_org else None
        m.party_org, m.party_org_id = (party_org[2], party_org[1]) if party_org else ("", None)
        m.residents_committee = rc[1] if rc else ""
        m.service_station = st[1] if st else ""
        members = p.holders(party_id, COMMITTEE_TITLES)
        rc_members = p.holders(rc[0] if rc else None, COMMITTEE_TITLES)
        m.committee_members = len(members)
        m.cross_posted = len(members.keys() & rc_members.keys())
        secretaries = p.holders(party_id, (Title.SECRETARY,))
        if secretaries:
            directors = p.holders(rc[0] if rc else None, (Title.DIRECTOR,))
            heads = p.holders(st[0] if st else None, STATION_HEAD_TITLES)
            both = secretaries.keys() & directors.keys() & heads.keys()
            m.one_shoulder = bool(both)
            m.secretary = "、".join(sorted(secretaries.values()))

    # 3. "Two new" organizations anywhere under each community.
    two_new = (
        Organization.objects.within(anchor.path)
        .filter(active=True, kind__in=TWO_NEW_KINDS)
        .values_list("path", "has_party_org", "party_work_carried_out")
    )
    for path, has_org, has_work in two_new:
        community = _nearest(path, community_by_path)
        if community is not None:
            m = metrics[community.pk]
            m.two_new += 1
            m.two_new_with_party_org += bool(has_org)
            m.two_new_with_party_work += bool(has_work)

    # 4. Pooled per child area of the anchor (e.g. per street of a district), and in total.
    total = AreaMetrics(anchor.pk, anchor.name)
    areas: dict[str, AreaMetrics] = {}
    if anchor.kind in (NodeKind.CITY, NodeKind.DISTRICT):  # below a street, the areas are the communities
        for child in Node.objects.filter(parent=anchor, retired=False).only("id", "name", "path").order_by("path"):
            areas[child.path] = AreaMetrics(child.pk, child.name)
    for m in metrics.values():
        total.add(m)
        area = _nearest(m.path, areas)
        if area is not None:
            area.add(m)
    return MetricsReport(
        anchor=anchor,
        on=on,
        total=total,
        communities=_rank(list(metrics.values())),
        areas=_rank([a for a in areas.values() if a.communities]),
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def write_xlsx(report: MetricsReport) -> str:
    """The report as a spreadsheet: communities (ranked), then the areas and the total."""
    from django.utils.translation import gettext as _

    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Communities"))
    coverage_headers = [
        _("“Two new” organizations"),
        _("With a party organization"),
        _("With party work"),
        _("Party-organization coverage (%)"),
        _("Work coverage (%)"),
        _("Double coverage met"),
    ]
    writer.header(
        [
            _("Rank"),
            _("Community"),
            _("Street"),
            _("Party organization"),
            _("Committee members"),
            _("Also on the residents' committee"),
            _("Cross-posting rate (%)"),
            _("Target (%)"),
            _("Target met"),
            _("Secretary"),
            _("One shoulder"),
            *coverage_headers,
        ]
    )
    for c in report.communities:
        writer.write(
            [
                c.rank,
                c.name,
                c.street,
                c.party_org,
                c.committee_members,
                c.cross_posted,
                _pct(c.cross_posting_rate),
                f"> {CROSS_POSTING_TARGET * 100:.0f}",
                c.cross_posting_ok,
                c.secretary,
                c.one_shoulder,
                c.two_new,
                c.two_new_with_party_org,
                c.two_new_with_party_work,
                _pct(c.party_org_coverage),
                _pct(c.party_work_coverage),
                c.double_coverage_ok,
            ]
        )
    writer.sheet = writer.workbook.add_worksheet(_("Areas")[:31])
    writer.row = 0
    writer.header(
        [
            _("Rank"),
            _("Area"),
            _("Communities"),
            _("Committee members"),
            _("Also on the residents' committee"),
            _("Cross-posting rate (%)"),
            _("Communities meeting the target"),
            _("Communities with one shoulder"),
            _("One shoulder (%)"),
            *coverage_headers,
        ]
    )
    for a in [*report.areas, report.total]:
        writer.write(
            [
                a.rank if a is not report.total else _("Total"),
                a.name,
                a.communities,
                a.committee_members,
                a.cross_posted,
                _pct(a.cross_posting_rate),
                a.passing,
                a.one_shoulder,
                _pct(a.one_shoulder_share),
                a.two_new,
                a.two_new_with_party_org,
                a.two_new_with_party_work,
                _pct(a.party_org_coverage),
                _pct(a.party_work_coverage),
                a.double_coverage_ok,
            ]
        )
    writer.close()
    return target
