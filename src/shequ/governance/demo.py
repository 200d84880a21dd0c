"""Demo decisions, disclosures and the work access list for ``shequ seed`` (small and fast, deterministic).

The first district gets a work access list in force; in the first few communities: a finance duty each quarter
(one community overdue), a funds decision that passed the four meetings with its resolution public, one
waiting for the party members' meeting, a matter handed with its funds and one without."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.territory.models import Kind, Node

COMMUNITIES = 4
ITEMS = [
    ("城市管理综合执法协管", "《城市管理执法办法》", "区城市管理局", Decimal("20000")),
    ("退役军人服务站日常服务", "《退役军人保障法》", "区退役军人事务局", Decimal("15000")),
    ("居家养老服务需求摸底", "《老年人权益保障法》", "区民政局", Decimal("10000")),
]


def seed_governance(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.accounts.models import User

    from . import actions
    from .models import DisclosureKind, DisclosureRequirement, Frequency

    admin = User.objects.filter(is_superuser=True).first()
    district = Node.objects.within(city.path).filter(kind=Kind.DISTRICT).order_by("path").first()
    if admin is None or district is None:
        return {"decisions": 0}
    today = timezone.localdate()
    access = actions.do_new_access_list(acting_user=admin, node=district, reference=f"{district.name}社区工作准入清单")
    for matter, basis, department, funds in ITEMS:
        actions.do_save_item(
            access.items.model(
                access_list=access, matter=matter, legal_basis=basis, department=department, funds_per_year=funds
            ),
            acting_user=admin,
        )
    actions.do_put_in_force(access, acting_user=admin, in_force_from=today.replace(month=1, day=1))
    communities = list(Node.objects.within(district.path).filter(kind=Kind.COMMUNITY).order_by("path")[:COMMUNITIES])
    decisions = 0
    for i, community in enumerate(communities):
        duty = actions.do_save_requirement(
            DisclosureRequirement(node=community, kind=DisclosureKind.FINANCE, frequency=Frequency.QUARTERLY),
            acting_user=admin,
        )
        if i % 2 == 0:
            actions.do_publish_disclosure(
                acting_user=admin,
                node=community,
                kind=DisclosureKind.FINANCE,
                title=f"{today.year}年第{(today.month - 1) // 3 + 1}季度社区财务收支公开",
                body="工作经费收入 50,000.00 元；支出：办公用品 3,200.00 元，活动经费 8,600.00 元。",
            )
        else:  # overdue: the last publication was due before today
            DisclosureRequirement.objects.filter(pk=duty.pk).update(next_due=today - timedelta(days=10))
        actions.do_publish_disclosure(
            acting_user=admin,
            node=community,
            kind=DisclosureKind.PARTY,
            title="本月党员固定主题党日安排",
            body="时间：每月第一个周五下午；地点：社区党群服务中心。",
        )
        decided = _decision(admin, community, "老旧小区加装电梯补助资金使用", Decimal("120000"), today, 4)
        actions.do_publish_result(
            decided, acting_user=admin, result="已完成 2 部电梯加装，补助资金已拨付到位。"
        ) if i == 0 else None
        _decision(admin, community, "社区广场健身器材更新", Decimal("36000"), today, 2)
        decisions += 2
        first = actions.do_hand_over(
            acting_user=admin, node=community, department=ITEMS[0][2], matter=ITEMS[0][0], year=today.year
        )
        if i % 2 == 0:
            actions.do_record_funds(first, acting_user=admin, amount=ITEMS[0][3], transferred_on=today)
    return {"decisions": decisions, "disclosures": len(communities) * 2}


def _decision(admin: Any, community: Node, title: str, amount: Decimal, today: Any, meetings: int) -> Any:
    from . import actions
    from .models import DecisionKind, Stage

    decision = actions.do_create_decision(
        acting_user=admin,
        node=community,
        title=title,
        kind=DecisionKind.FUNDS,
        amount=amount,
        description=f"{title}，预算 {amount:,.0f} 元，由社区党委提议。",
    )
    people = {Stage.PROPOSAL: 7, Stage.DISCUSSION: 11, Stage.REVIEW: 60, Stage.RESOLUTION: 30}
    for n, stage in enumerate(list(Stage)[:meetings]):
        entitled = people[stage]
        present = entitled * 3 // 4 + 1
        actions.do_hold_meeting(
            decision,
            acting_user=admin,
            stage=stage,
            held_on=today - timedelta(days=20 - 4 * n),
            entitled=entitled,
            present=present,
            votes_for=present - 1,
            votes_against=1,
            votes_abstaining=0,
            minutes=f"会议讨论了“{title}”，同意提交下一程序。",
            resolution=f"同意{title}，金额 {amount:,.0f} 元，按程序实施。" if stage == Stage.RESOLUTION else "",
        )
    return decision
