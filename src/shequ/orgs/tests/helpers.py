"""Test data for organizations and posts, on top of the framework's World."""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import uscc

from shequ.core.crypto import blind_index
from shequ.orgs.models import Organization, OrgKind, Post
from shequ.people.models import Resident
from shequ.territory.models import Node

START = date(2024, 1, 1)
_counter = {"n": 0}


def next_n() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_uscc(n: int) -> str:
    """A valid unified social credit code, different for each *n*."""
    body = f"91420100{n:09d}"
    return body + uscc.calc_check_digit(body)


def org(node: Node, kind: str = OrgKind.RESIDENT_UNIT, name: str | None = None, **fields: Any) -> Organization:
    """An organization created directly (no scope check, no audit)."""
    obj = Organization(node=node, kind=kind, name=name or f"单位{next_n():04d}", **fields)
    obj.full_clean()
    obj.save()
    return obj


def resident(node: Node, name: str, id_number: str = "") -> Resident:
    person = Resident(node=node, name=name)
    if id_number:
        person.id_number = id_number
        person.id_hash = blind_index(id_number)
        person.id_masked = id_number[:6] + "********" + id_number[-4:]
    person.save()
    return person


def post(
    organization: Organization,
    title: str,
    person: Resident | None = None,
    name: str = "",
    start: date = START,
    end: date | None = None,
    other: str = "",
) -> Post:
    obj = Post(
        organization=organization,
        title=title,
        title_other=other,
        person=person,
        person_name=name,
        start_date=start,
        end_date=end,
    )
    obj.node = organization.node
    obj.full_clean()
    obj.save()
    return obj


def community_set(world: Any, community: Node, street_committee: Organization | None = None) -> dict[str, Any]:
    """A community's party committee, residents' committee and service station."""
    party = org(community, OrgKind.COMMUNITY_COMMITTEE, f"{community.name}党委", parent=street_committee)
    rc = org(community, OrgKind.RESIDENTS_COMMITTEE, f"{community.name}居委会")
    station = org(community, OrgKind.SERVICE_STATION, f"{community.name}综合服务站")
    return {"party": party, "rc": rc, "station": station}
