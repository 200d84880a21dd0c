"""Demo mediators and mediation cases for ``shequ seed``: in the first few communities, the committee's mediators
on the roster and a handful of cases through the real actions (registered, being mediated after a session, an
agreement due for its follow-up, a failure); a ``mediator`` login for the first committee."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequ.territory.models import Kind, Node

from .models import Background, Category, MediationCase, Mediator, PartyRole

COMMUNITIES = 4
SUMMARIES = [
    (Category.NEIGHBOUR, "楼上漏水渗到楼下，双方就维修费用发生争执"),
    (Category.FAMILY, "兄弟二人因赡养母亲及房屋使用问题发生矛盾"),
    (Category.PROPERTY, "业主拖欠物业费，物业公司停止对其电梯卡授权"),
    (Category.NEIGHBOUR, "邻居在楼道堆放杂物，影响通行和消防安全"),
]


def _committee(community: Node) -> Any:
    from shequ.orgs.models import Organization, OrgKind

    return (
        Organization.objects.filter(node=community, kind=OrgKind.MEDIATION_COMMITTEE, active=True)
        .order_by("pk")
        .first()
    )


def seed_mediation(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.accounts.models import User
    from shequ.orgs.models import Post
    from shequ.people.models import Resident

    from . import actions

    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return {}
    rng = random.Random(seed * 31 + 12)
    communities = list(Node.objects.within(city.path).filter(kind=Kind.COMMUNITY, retired=False).order_by("path"))
    cases = 0
    for community in communities[:COMMUNITIES]:
        committee = _committee(community)
        if committee is None:
            continue
        mediators = []
        for post in Post.objects.filter(organization=committee, end_date__isnull=True).select_related("person"):
            name = post.person.name if post.person_id else post.person_name
            mediators.append(
                Mediator.objects.create(
                    committee=committee,
                    resident=post.person,
                    name=name,
                    background=rng.choice([Background.FIVE_ELDERS, Background.PARTY_MEMBER, Background.RETIRED_JUDGE]),
                    specialities="邻里纠纷、家庭纠纷",
                    training_hours=rng.choice([8, 16, 24]),
                    post=post,
                )
            )
        if not mediators:
            continue
        people = list(Resident.objects.within(community.path).order_by("pk")[:8])
        if len(people) < 8:
            continue
        for index, (category, summary) in enumerate(SUMMARIES):
            a, b = people[2 * index], people[2 * index + 1]
            case = actions.do_register_case(
                acting_user=admin,
                committee=committee,
                category=category,
                summary=summary,
                parties=[
                    actions.PartyIn(PartyRole.APPLICANT, resident=a.pk),
                    actions.PartyIn(PartyRole.RESPONDENT, resident=b.pk),
                ],
            )
            cases += 1
            if index == 0:
                continue
            actions.do_accept(case, acting_user=admin, mediators=mediators[:2])
            actions.do_record_session(
                case,
                acting_user=admin,
                held_at=timezone.now() - timedelta(minutes=5),
                place=f"{community.name}调解室",
                mediators=mediators[:1],
                attendees=f"{a.name}、{b.name}",
                minutes="双方陈述事实，调解员释法说理，双方同意继续协商。",
            )
            if index == 2:
                actions.do_agree(
                    case,
                    acting_user=admin,
                    facts=summary,
                    terms="一、业主于本月底前补缴物业费；二、物业公司即日恢复电梯卡授权。",
                    performance="本协议签订之日起十五日内履行完毕。",
                )
            elif index == 3:
                actions.do_fail(case, acting_user=admin, reason="一方拒绝继续调解")
    return {"mediation cases": cases} if cases else {}


def demo_logins(city: Node) -> list[tuple[str, str, str, Node, Any]]:
    """A mediator to try the demo with: the committee of the first community that has cases."""
    case = MediationCase.objects.within(city.path).select_related("committee__node").order_by("path", "pk").first()
    if case is None:
        return []
    return [("mediator", "mediator", "人民调解员", case.committee.node, case.committee)]
