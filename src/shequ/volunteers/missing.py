"""Who must join a volunteer team and has not (000 §4, §10): the community's cadres (post holders of its party
organization, residents' committee and service station), the party members living there, and the on-the-job
party members reporting to it.  Each is proposed the team of the residential area where they live (else the
community's first team), so the secretary can enrol them in one step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.orgs.models import COMMUNITY_PARTY_KINDS, Organization, OrgKind, Post
from shequ.territory.models import Node

from .models import TeamMembership

CADRE_KINDS = (*COMMUNITY_PARTY_KINDS, OrgKind.RESIDENTS_COMMITTEE, OrgKind.SERVICE_STATION)
WHY = {
    "cadre": _("community cadre"),
    "resident_member": _("party member living here"),
    "reported_member": _("on-the-job party member reporting here"),
}


@dataclass
class Missing:
    resident: Any
    reasons: list[str] = field(default_factory=list)
    team: Organization | None = None

    @property
    def why(self) -> str:
        return "、".join(str(WHY[r]) for r in self.reasons)


@dataclass
class TeamGroup:
    team: Organization | None
    people: list[Missing] = field(default_factory=list)


def teams_of(community: Node) -> list[Organization]:
    return list(
        Organization.objects.within(community.path)
        .filter(kind=OrgKind.VOLUNTEER_TEAM, active=True)
        .select_related("node")
        .order_by("path", "name")
    )


def missing(community: Node) -> list[Missing]:
    """The people of *community* who must be in one of its teams and are in none, with the team proposed."""
    from shequ.party.models import CommunityReport, PartyMember
    from shequ.party.models.members import ACTIVE_STATUSES
    from shequ.people.models import Resident

    found: dict[int, Missing] = {}

    def add(resident_ids: Any, reason: str) -> None:
        for pk in resident_ids:
            item = found.setdefault(pk, Missing(None))
            if reason not in item.reasons:
                item.reasons.append(reason)

    add(
        Post.objects.current()
        .filter(
            organization__node=community,
            organization__kind__in=CADRE_KINDS,
            organization__active=True,
            person__isnull=False,
        )
        .values_list("person_id", flat=True),
        "cadre",
    )
    add(
        PartyMember.objects.filter(
            status__in=ACTIVE_STATUSES,
            resident__isnull=False,
            resident__archived=False,
            resident__path__startswith=community.path,
        ).values_list("resident_id", flat=True),
        "resident_member",
    )
    add(
        CommunityReport.objects.filter(
            node=community, ended_on__isnull=True, member__resident__isnull=False
        ).values_list("member__resident_id", flat=True),
        "reported_member",
    )
    if not found:
        return []
    teams = teams_of(community)
    in_teams = set(
        TeamMembership.objects.filter(
            ended_on__isnull=True, team__in=[t.pk for t in teams], volunteer__resident_id__in=list(found)
        ).values_list("volunteer__resident_id", flat=True)
    )
    residents = Resident.objects.filter(
        pk__in=[pk for pk in found if pk not in in_teams], archived=False
    ).select_related("node")
    result = []
    for resident in residents.order_by("path", "name", "pk"):
        item = found[resident.pk]
        item.resident = resident
        item.team = propose_team(resident, teams)
        result.append(item)
    return result


def propose_team(resident: Any, teams: list[Organization]) -> Organization | None:
    """The team sitting nearest above where the resident lives (their residential area's), else the first."""
    best = None
    for team in teams:
        if resident.path.startswith(team.node.path) and (best is None or len(team.node.path) > len(best.node.path)):
            best = team
    return best or (teams[0] if teams else None)


def by_team(people: list[Missing]) -> list[TeamGroup]:
    groups: dict[int | None, TeamGroup] = {}
    for item in people:
        key = item.team.pk if item.team else None
        groups.setdefault(key, TeamGroup(item.team)).people.append(item)
    return sorted(groups.values(), key=lambda g: (g.team is None, g.team.name if g.team else ""))
