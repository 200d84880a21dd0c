"""Who answers for which households, and which households are due a visit.

- ``committee_members(community)``: the residents holding a committee post now in one of the community's two
  committees (its party organization and its residents' committee): those who take 3–5 households each.
- ``must_visit(communities)``: the households of the must-visit kinds (a member carrying one of the care
  tags), each with its interval (the community's rule, else the default), last visit, due date and the
  members linked to it; a few grouped queries for any number of households.
- ``propose(community)``: links for the households no one answers for, building by building, the load
  balanced between the members (each up to at least 3, none beyond 5 while another has room).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from shequ.orgs.models import COMMITTEE_TITLES, COMMUNITY_PARTY_KINDS, OrgKind, Post
from shequ.territory.models import Node

from .models import DEFAULT_INTERVALS, MAX_LINKS, MIN_LINKS, HouseholdLink, Visit, VisitRule

COMMITTEE_KINDS = (*COMMUNITY_PARTY_KINDS, OrgKind.RESIDENTS_COMMITTEE)


def committee_posts(communities: Iterable[Node]) -> Any:
    """Current committee posts, held by registered residents, in the two committees of *communities*."""
    ids = [c.pk for c in communities]
    return Post.objects.current().filter(
        organization__node_id__in=ids,
        organization__kind__in=COMMITTEE_KINDS,
        organization__active=True,
        title__in=COMMITTEE_TITLES,
        person__isnull=False,
    )


def committee_members(community: Node) -> list[Any]:
    """The residents on the community's two committees now, by name (each once: cross-posted ones too)."""
    from shequ.people.models import Resident

    ids = committee_posts([community]).values("person_id")
    return list(Resident.objects.filter(pk__in=ids).select_related("node").order_by("name", "pk"))


def member_communities(member: Any) -> list[Node]:
    """The communities on whose two committees *member* sits now."""
    ids = (
        Post.objects.current()
        .filter(
            person=member,
            organization__kind__in=COMMITTEE_KINDS,
            organization__active=True,
            title__in=COMMITTEE_TITLES,
        )
        .values("organization__node_id")
    )
    return list(Node.objects.filter(pk__in=ids))


def current_links(communities: Iterable[Node]) -> Any:
    return HouseholdLink.objects.filter(community__in=[c.pk for c in communities], ended_on__isnull=True)


@dataclass
class MemberLoad:
    member: Any
    households: int
    flag: str = ""  # "few" (fewer than 3), "many" (more than 5) or ""


def member_loads(community: Node) -> list[MemberLoad]:
    """Each committee member with their number of households; below 3 or above 5 flagged."""
    members = committee_members(community)
    counts = dict(current_links([community]).values("member_id").annotate(n=Count("pk")).values_list("member_id", "n"))
    result = []
    for member in members:
        n = counts.get(member.pk, 0)
        flag = "few" if n < MIN_LINKS else "many" if n > MAX_LINKS else ""
        result.append(MemberLoad(member, n, flag))
    return result


def unanswered(community: Node) -> Any:
    """The community's households no committee member answers for."""
    from shequ.people.models import Household

    linked = current_links([community]).values("household_id")
    return (
        Household.objects.within(community.path)
        .filter(dissolved=False)
        .exclude(pk__in=linked)
        .select_related("node__parent")
        .order_by("path", "address", "pk")
    )


# -- must-visit --------------------------------------------------------------------------------------------------


def intervals(community_ids: Sequence[int]) -> tuple[dict[str, int], dict[int, dict[str, int | None]]]:
    """The default intervals by tag code, and each community's own (None: taken off the list)."""
    own: dict[int, dict[str, int | None]] = defaultdict(dict)
    for node_id, code, days, active in VisitRule.objects.filter(node_id__in=list(community_ids)).values_list(
        "node_id", "tag__code", "interval_days", "active"
    ):
        own[node_id][code] = days if active else None
    return dict(DEFAULT_INTERVALS), own


@dataclass
class DueHousehold:
    household_id: int
    community_id: int
    path: str
    kinds: list[str]
    interval: int
    last_visit: Any = None
    due_on: date | None = None
    members: list[int] = field(default_factory=list)
    household: Any = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.due_on).days if self.overdue and self.due_on else 0


def must_visit(communities: Sequence[Node], within: str = "") -> list[DueHousehold]:
    """The households of the must-visit kinds in *communities* (narrowed to the subtree *within*), with their
    interval (the shortest of their kinds), last visit, due date and linked members."""
    from shequ.people.models import CareTag, Resident

    if not communities:
        return []
    by_path = sorted(((c.path, c.pk) for c in communities), key=lambda p: -len(p[0]))
    defaults, own = intervals([c.pk for c in communities])
    codes = set(defaults) | {code for rules in own.values() for code in rules}
    tag_codes = dict(CareTag.objects.filter(code__in=codes, active=True).values_list("pk", "code"))
    if not tag_codes:
        return []
    condition = Q()
    for community in communities:
        condition |= Q(path__within=community.path)
    qs = Resident.objects.filter(condition, archived=False, household__isnull=False, household__dissolved=False)
    if within:
        qs = qs.within(within)
    rows = qs.filter(tags__in=list(tag_codes)).values_list("household_id", "household__path", "tags").distinct()
    found: dict[int, DueHousehold] = {}
    for household_id, path, tag_id in rows.iterator(chunk_size=5000):
        community_id = next((pk for prefix, pk in by_path if path.startswith(prefix)), None)
        if community_id is None:
            continue
        code = tag_codes[tag_id]
        rules = own.get(community_id, {})
        days = rules[code] if code in rules else defaults.get(code)
        if days is None:
            continue
        item = found.get(household_id)
        if item is None:
            item = found[household_id] = DueHousehold(household_id, community_id, path, [], days)
        if code not in item.kinds:
            item.kinds.append(code)
        item.interval = min(item.interval, days)
    if not found:
        return []
    ids = list(found)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for household_id, last in (
            Visit.objects.filter(household_id__in=chunk)
            .values("household_id")
            .annotate(last=Max("visited_at"))
            .values_list("household_id", "last")
        ):
            found[household_id].last_visit = last
        for household_id, member_id, started in HouseholdLink.objects.filter(
            household_id__in=chunk, ended_on__isnull=True
        ).values_list("household_id", "member_id", "started_on"):
            item = found[household_id]
            item.members.append(member_id)
            item.__dict__.setdefault("linked_since", started)
    today = timezone.localdate()
    for item in found.values():
        if item.last_visit is not None:
            item.due_on = timezone.localtime(item.last_visit).date() + timedelta(days=item.interval)
        else:
            since = item.__dict__.get("linked_since")
            item.due_on = since + timedelta(days=item.interval) if since else today
    return sorted(found.values(), key=lambda d: (d.due_on or today, d.path, d.household_id))


def attach_households(items: list[DueHousehold]) -> list[DueHousehold]:
    """Load each item's household (with its place) and name its linked members, in two queries."""
    from shequ.people.models import Household, Resident

    households = Household.objects.select_related("node__parent", "head").in_bulk([i.household_id for i in items])
    names = dict(Resident.objects.filter(pk__in={m for i in items for m in i.members}).values_list("pk", "name"))
    for item in items:
        item.household = households.get(item.household_id)
        item.member_names = [names.get(m, "") for m in item.members]  # type: ignore[attr-defined]
    return items


# -- proposals ---------------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    member: Any
    household: Any


def propose(community: Node) -> list[Proposal]:
    """Links for the households no one answers for: in order of place (building by building), each run of a
    building to one member while they have room; the least loaded member takes the next building, up to an
    even share (at least 3, at most 5 each).  Households beyond everyone's 5 stay unanswered (and listed)."""
    loads = {load.member.pk: load for load in member_loads(community)}
    if not loads:
        return []
    households = list(unanswered(community)[:2000])
    total = sum(load.households for load in loads.values()) + len(households)
    share = min(MAX_LINKS, max(MIN_LINKS, math.ceil(total / len(loads))))
    count = {pk: load.households for pk, load in loads.items()}
    proposals: list[Proposal] = []
    current: int | None = None
    building = None
    for household in households:
        place = household.path
        if current is None or place != building or count[current] >= share:
            candidates = [pk for pk in count if count[pk] < share]
            if not candidates:
                candidates = [pk for pk in count if count[pk] < MAX_LINKS]
                if not candidates:
                    break
            if current in candidates and place == building:
                pass
            else:
                current = min(candidates, key=lambda pk: (count[pk], pk))
            building = place
        count[current] += 1
        proposals.append(Proposal(loads[current].member, household))
    return proposals
