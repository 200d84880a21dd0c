"""Party test data on top of the framework's World: a party-organization tree in each street, members."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from shequ.core.testing import World
from shequ.orgs.models import Organization, OrgKind
from shequ.party.actions import do_create_member
from shequ.party.models import Category, MemberStatus, PartyMember
from shequ.people.tests.helpers import make_id

_names = itertools.count(1)


def org(node: Any, kind: str, name: str, parent: Organization | None = None) -> Organization:
    obj = Organization(node=node, kind=kind, name=name, parent=parent)
    obj.full_clean()
    obj.save()
    return obj


class PartyTree:
    """Per street: street committee → community committee → a community branch and a grid branch."""

    def __init__(self, world: World) -> None:
        self.world = world
        for side, street, community, grid in (
            ("a", world.street_a, world.community_a, world.grid_a),
            ("b", world.street_b, world.community_b, world.grid_b),
        ):
            top = org(street, OrgKind.STREET_COMMITTEE, f"{street.name}党工委")
            committee = org(community, OrgKind.COMMUNITY_COMMITTEE, f"{community.name}党委", top)
            branch = org(community, OrgKind.BRANCH, f"{community.name}第一党支部", committee)
            grid_branch = org(grid, OrgKind.BRANCH, f"{community.name}网格党支部", committee)
            setattr(self, f"street_{side}", top)
            setattr(self, f"committee_{side}", committee)
            setattr(self, f"branch_{side}", branch)
            setattr(self, f"grid_branch_{side}", grid_branch)
        self.street_a: Organization
        self.street_b: Organization
        self.committee_a: Organization
        self.committee_b: Organization
        self.branch_a: Organization
        self.branch_b: Organization
        self.grid_branch_a: Organization
        self.grid_branch_b: Organization


def member(
    world: World,
    organization: Organization,
    *,
    status: str = MemberStatus.FULL,
    joined_on: date = date(2010, 7, 1),
    converted_on: date | None = None,
    category: str = Category.ON_THE_JOB,
    born: date = date(1980, 5, 4),
    **fields: Any,
) -> PartyMember:
    n = next(_names)
    fields.setdefault("name", f"党员{n:04d}")
    fields.setdefault("id_number", make_id(born=born, seq=n + 300))
    if status == MemberStatus.FULL and converted_on is None:
        converted_on = joined_on.replace(year=joined_on.year + 1)
    return do_create_member(
        acting_user=world.admin,
        organization=organization,
        status=status,
        joined_on=joined_on,
        converted_on=converted_on,
        category=category,
        **fields,
    )


class DevelopmentStages:
    """One record at each stage of development, for the lists of who is due: an applicant of ten days and one of
    2020 made an activist that year (both due), an activist of a month (not yet), a development target of 2021
    in the grid's branch (due), each with the branch's contact; identity numbers from *first_seq* on."""

    def __init__(self, world: World, tree: PartyTree, first_seq: int) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from shequ.party import actions

        self.world, self.seqs = world, itertools.count(first_seq)
        today = timezone.localdate()
        contact = member(world, tree.branch_a, name="联系人")

        def activist(record: Any, on: date) -> None:
            actions.do_make_activist(record, acting_user=world.admin, on=on, contacts=[contact])

        self.applicant = self.register("申请人", tree.branch_a, today - timedelta(days=10))
        self.old = self.register("老积极分子", tree.branch_a, date(2020, 1, 1))
        activist(self.old, date(2020, 2, 1))
        self.recent = self.register("新积极分子", tree.branch_a, today - timedelta(days=40))
        activist(self.recent, today - timedelta(days=30))
        self.target = self.register("发展对象", tree.grid_branch_a, date(2020, 1, 1))
        activist(self.target, date(2020, 2, 1))
        actions.do_make_target(self.target, acting_user=world.admin, on=date(2021, 3, 1))

    def register(self, name: str, org: Any, applied: date) -> Any:
        """A further applicant (the next identity number)."""
        from shequ.party import actions

        return actions.do_register_applicant(
            acting_user=self.world.admin,
            organization=org,
            name=name,
            id_number=make_id(born=date(1995, 1, 1), seq=next(self.seqs)),
            applied_on=applied,
        )
