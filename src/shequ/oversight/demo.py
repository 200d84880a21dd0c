"""Demo evaluations, termination cases, agreements and hearings for ``shequ seed`` (small, deterministic).

The first property companies serving a residential area are evaluated by its households: most are content,
the last one falls under 50 % and its contract-termination case opens.  Resident units of the first
communities sign agreements with commitments; one hearing and one consent request per community shown."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.territory.models import Kind, Node

ITEMS = "服务态度\n环境卫生\n安全秩序\n设施维修"
MAX_CAMPAIGNS = 4


def seed_oversight(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.orgs.models import Organization

    from . import actions
    from .models import (
        Agreement,
        Answer,
        AnswerChannel,
        Campaign,
        CampaignEvent,
        CampaignStatus,
        Commitment,
        CommitmentKind,
        Evaluators,
        Hearing,
        SubjectKind,
    )

    rng = random.Random(seed * 131 + 13)
    year = timezone.localdate().year
    counts = {"evaluations": 0, "evaluation answers": 0, "agreements": 0}
    with transaction.atomic():
        companies = list(
            Organization.objects.filter(kind="property_company", active=True, path__startswith=city.path)
            .prefetch_related("estates")
            .order_by("path", "pk")[:MAX_CAMPAIGNS]
        )
        pairs = [(c, e) for c in companies for e in list(c.estates.all())[:1]]
        for i, (company, estate) in enumerate(pairs):
            households = list(actions.households_of(estate).values_list("pk", flat=True)[:200])
            if not households:
                continue
            low = i == len(pairs) - 1
            campaign = Campaign.objects.create(
                node=estate,
                year=year,
                subject_kind=SubjectKind.PROPERTY_COMPANY,
                subject=company,
                evaluators=Evaluators.HOUSEHOLDS,
                items=ITEMS,
                expected=actions.households_of(estate).count(),
                status=CampaignStatus.OPEN,
            )
            CampaignEvent.objects.create(
                case=campaign, kind="status", to_status=CampaignStatus.OPEN, actor_label="演示数据"
            )
            weights = (55, 35, 10)
            answers = []
            for pk in households[: max(1, len(households) * 3 // 5)]:
                # The failing company: three of four items dissatisfied in every answer (25 %).
                digits = "3323" if low else "".join(str(rng.choices((1, 2, 3), weights)[0]) for _ in range(4))
                answers.append(
                    Answer(
                        campaign=campaign,
                        household_id=pk,
                        ratings=digits,
                        satisfied=digits.count("1"),
                        basic=digits.count("2"),
                        dissatisfied=digits.count("3"),
                        channel=AnswerChannel.PORTAL,
                    )
                )
            Answer.objects.bulk_create(answers)
            campaign.answers_count = len(answers)
            for value, name in ((1, "satisfied"), (2, "basic"), (3, "dissatisfied")):
                setattr(campaign, name, sum(a.ratings.count(str(value)) for a in answers))
            campaign.save()
            counts["evaluations"] += 1
            counts["evaluation answers"] += len(answers)
            if low:
                # Closed by the platform's own rule, with the timeline of a real close.
                with actions.CAMPAIGN.transition(
                    campaign, "close", acting_user=None, trusted=True, actor_label="演示数据"
                ) as move:
                    current = move.case
                    current.closed_on = timezone.localdate()
                    move.to(CampaignStatus.CLOSED, "测评结束")
                    if current.satisfaction is not None and current.satisfaction < 50:
                        actions._open_termination(current, current.satisfaction, None, move)
        communities = list(Node.objects.filter(kind=Kind.COMMUNITY, path__startswith=city.path).order_by("path")[:3])
        for community in communities:
            units = list(
                Organization.objects.filter(kind="resident_unit", active=True, path__startswith=community.path)[:3]
            )
            for unit in units[:-1] if len(units) > 1 else units:
                agreement = Agreement.objects.create(node=community, unit=unit, year=year, signed_on=date(year, 1, 15))
                Commitment.objects.create(
                    agreement=agreement,
                    node=community,
                    kind=CommitmentKind.VOLUNTEER_HOURS,
                    description="职工志愿服务",
                    target=Decimal(200),
                    unit_label="小时",
                    achieved=Decimal(rng.randint(50, 260)),
                )
                Commitment.objects.create(
                    agreement=agreement,
                    node=community,
                    kind=CommitmentKind.PLACES,
                    description="会议室向居民开放",
                    target=Decimal(12),
                    unit_label="次",
                    achieved=Decimal(rng.randint(2, 14)),
                )
                counts["agreements"] += 1
            Hearing.objects.create(
                node=community,
                topic="老旧小区改造方案听证",
                held_on=date(year, 3, 20),
                participants="居民代表12人，驻区单位代表3人",
                opinions="多数赞成加装电梯，部分一楼住户有顾虑",
                outcome="方案修改后公示",
            )
    return counts


__all__ = ["seed_oversight", "Any"]
