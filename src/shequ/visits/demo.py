"""Demo household links, visits and must-arrive tasks for ``shequ seed`` (deterministic, in bulk).

In each community the proposal links the households to the committee members (most get 3 to 5; in every
fourth community the last few members are left with fewer, and households beyond their room stay
unanswered); must-visit households were mostly visited within their interval (about one in five is
overdue); a few must-arrive tasks are open, one of them overdue."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.core.importing import advance_sequences
from shequ.core.workdays import DeadlineUnit, Duration
from shequ.territory.models import Kind, Node

from .lists import must_visit, propose
from .models import ArrivalReason, HouseholdLink, MustArriveTask, TaskEvent, TaskStatus, Visit, VisitKind

MAX_RESIDENTS = 300_000
FINDINGS = [
    "身体状况良好，生活能自理",
    "血压偏高，已提醒按时服药",
    "家中暖气不热",
    "子女每周来探望",
    "需要代购生活用品",
    "情绪低落，需多关心",
]


def seed_visits(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.people.models import Resident

    if Resident.objects.within(city.path).count() > MAX_RESIDENTS:
        return {"household links": 0}
    rng = random.Random(seed * 7727 + 5)
    now = timezone.now()
    today = timezone.localdate()
    communities = list(Node.objects.within(city.path).filter(kind=Kind.COMMUNITY, retired=False).order_by("path"))
    links: list[HouseholdLink] = []
    for index, community in enumerate(communities):
        proposals = propose(community)
        if index % 4 == 3:
            proposals = proposals[: max(0, len(proposals) - 12)]
        for p in proposals:
            links.append(
                HouseholdLink(
                    household_id=p.household.pk,
                    member_id=p.member.pk,
                    community=community,
                    node_id=p.household.node_id,
                    path=p.household.path,
                    started_on=today - timedelta(days=rng.randint(60, 600)),
                    created=now,
                    updated=now,
                )
            )
    visits: list[Visit] = []
    tasks: list[MustArriveTask] = []
    with transaction.atomic():
        HouseholdLink.objects.bulk_create(links, batch_size=2000)
        member_of = {link.household_id: link.member_id for link in links}
        for item in must_visit(communities):
            late = rng.random() < 0.2
            days = item.interval + rng.randint(1, 20) if late else rng.randint(0, max(0, item.interval - 1))
            when = now - timedelta(days=days, hours=rng.randint(0, 8))
            visits.append(_visit(rng, item.household_id, item.path, member_of.get(item.household_id), when, now))
            if rng.random() < 0.5:
                visits.append(
                    _visit(
                        rng,
                        item.household_id,
                        item.path,
                        member_of.get(item.household_id),
                        when - timedelta(days=item.interval),
                        now,
                    )
                )
        for link in rng.sample(links, k=min(len(links), len(communities) * 10)):
            visits.append(
                _visit(
                    rng, link.household_id, link.path, link.member_id, now - timedelta(days=rng.randint(1, 300)), now
                )
            )
        from shequ.people.models import Household

        nodes = dict(Household.objects.filter(pk__in={v.household_id for v in visits}).values_list("pk", "node_id"))
        for visit in visits:
            visit.node_id = nodes[visit.household_id]
        chosen = sorted({(v.household_id, v.node_id, v.path) for v in visits})
        for household_id, node_id, path in rng.sample(chosen, k=min(len(chosen), max(1, len(communities)))):
            reason = rng.choice(ArrivalReason.values)
            task = MustArriveTask(
                reason=reason,
                household_id=household_id,
                member_id=member_of.get(household_id),
                node_id=node_id,
                path=path,
                description="居民反映情况，需上门了解",
                hours=24,
                status=TaskStatus.OPEN,
            )
            start = now - timedelta(hours=rng.choice((1, 5, 30)))
            from .actions import WORKFLOW

            WORKFLOW.set_deadline(task, Duration(24, DeadlineUnit.HOURS), start)
            tasks.append(task)
        Visit.objects.bulk_create(visits, batch_size=2000)
        MustArriveTask.objects.bulk_create(tasks)
        TaskEvent.objects.bulk_create(
            [
                TaskEvent(task=t, kind="status", to_status=TaskStatus.OPEN, text=t.description, actor_label="居民")
                for t in tasks
            ]
        )
        advance_sequences(HouseholdLink, Visit, MustArriveTask, TaskEvent)
    return {"household links": len(links), "visits": len(visits), "must-arrive tasks": len(tasks)}


def _visit(rng: random.Random, household_id: int, path: str, member_id: Any, when: Any, now: Any) -> Visit:
    return Visit(
        household_id=household_id,
        path=path,
        member_id=member_id,
        kind=VisitKind.VISIT,
        visited_at=when,
        findings=rng.choice(FINDINGS),
        created=now,
        updated=now,
    )
