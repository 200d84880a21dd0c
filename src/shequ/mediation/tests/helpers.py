"""Mediation test data on top of the framework's World: per street, the community's mediation committee with two
mediators, residents to be parties, a mediator login granted with the committee, the community's secretary and a
community worker (who must not see cases)."""

from __future__ import annotations

from typing import Any

from shequ.accounts.models import Grant, User
from shequ.core.testing import World
from shequ.mediation import actions
from shequ.mediation.actions import PartyIn
from shequ.mediation.models import Background, Category, MediationCase, PartyRole
from shequ.orgs.models import OrgKind
from shequ.territory.models import Node
from shequ.volunteers.tests.helpers import org, person

# Pairs of the 12 residents, disjoint ones first.
PAIRS = [(2 * k, 2 * k + 1) for k in range(6)] + [(i, j) for i in range(12) for j in range(i + 2, 12)]


class MedSide:
    def __init__(self, world: World, community: Node, label: str) -> None:
        self.world, self.community, self.label = world, community, label
        self.committee = org(community, OrgKind.MEDIATION_COMMITTEE, f"{label}人民调解委员会")
        self.mediators = [
            actions.do_add_mediator(
                acting_user=world.admin,
                committee=self.committee,
                name=f"{label}调解员{i + 1}",
                background=Background.FIVE_ELDERS,
            )
            for i in range(2)
        ]
        self.people = [person(community, f"{label}居民{i + 1}") for i in range(12)]
        self.mediator = self.user(f"med_{label}", "mediator", organization=self.committee)
        self.secretary = self.user(f"sec_{label}", "party_secretary")
        self.worker = self.user(f"cw_{label}", "community_worker")
        self._pair = 0

    def user(self, username: str, role: str, organization: Any = None) -> User:
        user = User.objects.create_user(username, password=f"{username}-pass-123", node=self.community)
        Grant.objects.create(user=user, role=role, node=self.community, organization=organization)
        return user

    def pair(self) -> tuple[Any, Any]:
        """Two residents not yet parties to a case together."""
        i, j = PAIRS[self._pair % len(PAIRS)]
        self._pair += 1
        return self.people[i], self.people[j]

    def parties(self) -> list[PartyIn]:
        a, b = self.pair()
        return [PartyIn(PartyRole.APPLICANT, resident=a.pk), PartyIn(PartyRole.RESPONDENT, resident=b.pk)]

    def case(self, category: str = Category.NEIGHBOUR, **kwargs: Any) -> MediationCase:
        return actions.do_register_case(
            acting_user=self.world.admin,
            committee=self.committee,
            category=category,
            summary=kwargs.pop("summary", f"{self.label}漏水纠纷"),
            parties=kwargs.pop("parties", None) or self.parties(),
            **kwargs,
        )


class MedWorld:
    def __init__(self, world: World) -> None:
        self.a = MedSide(world, world.community_a, "甲")
        self.b = MedSide(world, world.community_b, "乙")

    def side(self, node: Node) -> MedSide:
        return self.a if self.a.community.path.startswith(node.path) else self.b
