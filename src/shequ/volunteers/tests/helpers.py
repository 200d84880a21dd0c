"""Volunteers and visits test data on top of the framework's World: per community an estate with a building
and households, a volunteer team and station, the two committees with their members (registered residents)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from shequ.core.crypto import blind_index
from shequ.core.testing import World
from shequ.orgs.models import Organization, OrgKind, Post, Title
from shequ.people.identity import mask_id
from shequ.people.models import Household, Resident
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node
from shequ.volunteers.models import Activity, TeamMembership, Volunteer

_n = {"n": 0}


def next_n() -> int:
    _n["n"] += 1
    return _n["n"]


def id_number(n: int | None = None, born: str = "19800101") -> str:
    n = next_n() if n is None else n
    body = f"990101{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def person(node: Node, name: str, *, household: Household | None = None, phone: str = "", number: str = "") -> Resident:
    number = number or id_number()
    r = Resident(node=node, name=name, phone=phone, household=household, birth_date=date(1980, 1, 1))
    r.id_number, r.id_hash, r.id_masked = number, blind_index(number), mask_id(number)
    r.save()
    return r


def org(node: Node, kind: str, name: str) -> Organization:
    obj = Organization(node=node, kind=kind, name=name)
    obj.full_clean()
    obj.save()
    return obj


def post(organization: Organization, who: Resident, title: str = Title.MEMBER) -> Post:
    obj = Post(organization=organization, title=title, person=who, start_date=date(2021, 10, 15))
    obj.node = organization.node
    obj.save()
    return obj


class Side:
    """One community's part of the tree."""

    def __init__(self, world: World, community: Node, grid: Node, label: str) -> None:
        a = world.admin
        self.community, self.grid = community, grid
        self.estate = do_create_node(acting_user=a, parent=grid, kind=Kind.ESTATE, name=f"{label}小区")
        self.building = do_create_node(acting_user=a, parent=self.estate, kind=Kind.BUILDING, name="1栋")
        self.households = []
        for i in range(6):
            household = Household(node=self.building, address=f"{i + 1}01", number=f"{label}{i + 1:04d}")
            household.save()
            head = person(self.building, f"{label}户主{i + 1}", household=household)
            household.head = head
            household.save()
            self.households.append(household)
        self.station = org(community, OrgKind.VOLUNTEER_STATION, f"{label}志愿服务站")
        self.team = org(self.estate, OrgKind.VOLUNTEER_TEAM, f"{label}志愿服务队")
        self.party = org(community, OrgKind.COMMUNITY_COMMITTEE, f"{label}社区党委")
        self.rc = org(community, OrgKind.RESIDENTS_COMMITTEE, f"{label}居委会")
        self.members = [person(community, f"{label}委员{i + 1}", phone=f"1391234{next_n():04d}") for i in range(3)]
        post(self.party, self.members[0], Title.SECRETARY)
        post(self.rc, self.members[0], Title.DIRECTOR)
        post(self.party, self.members[1])
        post(self.rc, self.members[2])


class Tree:
    def __init__(self, world: World) -> None:
        self.world = world
        self.a = Side(world, world.community_a, world.grid_a, "和平")
        self.b = Side(world, world.community_b, world.grid_b, "胜利")
        self.worker_a = world.user("worker_a", "community_worker", world.community_a)
        self.grid_worker_a = world.user("gridder_a", "grid_worker", world.grid_a)

    def side(self, node: Node) -> Side:
        return self.a if node.path.startswith(self.world.street_a.path) else self.b


def volunteer(side: Side, name: str | None = None, phone: str = "", team: bool = True, **fields: Any) -> Volunteer:
    """A volunteer created directly (no checks), a member of the side's team."""
    who = person(side.building, name or f"志愿者{next_n():04d}", phone=phone)
    v = Volunteer(
        resident=who,
        node=side.community,
        phone=phone,
        consent_on=date(2024, 1, 1),
        registered_on=date(2024, 1, 1),
        **fields,
    )
    v.save()
    if team:
        TeamMembership(volunteer=v, team=side.team, node=side.team.node, started_on=date(2024, 1, 1)).save()
    return v


def activity(side: Side, *, days: int = 3, hours: int = 2, places: int = 10, title: str | None = None) -> Activity:
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    a = Activity(
        team=side.team,
        node=side.team.node,
        title=title or f"活动{next_n():04d}",
        place=side.estate,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        places=places,
        hours=Decimal(hours),
    )
    a.save()
    return a
