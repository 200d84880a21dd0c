"""The mediation figures kept as indicators (``core.indicators``, per community, summed up the tree): the success
rate (agreements over concluded cases) and the on-time rate (concluded within the term) of the year.  No policy
target: shown without a goal.  Both count cases only, never names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import RATIO, Indicator, Pairs, drill_to, register

SUCCESS = "mediation.success_rate"
ON_TIME = "mediation.on_time"


def _concluded(places: Sequence[Any], year: int) -> dict[int, dict[str, int]]:
    """Per community of *places*: the cases concluded in *year*, those agreed, those on time (one grouped query
    per community path prefix: the cases sit on the committee's node, the community or below)."""
    from .models import CONCLUDED_STATES, MediationCase

    by_path = {p.path: p.pk for p in places}
    condition = Q()
    for path in by_path:
        condition |= Q(path__startswith=path)
    if not by_path:
        return {}
    rows = (
        MediationCase.objects.filter(condition, status__in=CONCLUDED_STATES, concluded_at__year=year)
        .values("path")
        .annotate(
            total=Count("pk"),
            agreed=Count("pk", filter=Q(result="agreed")),
            on_time=Count("pk", filter=Q(on_time=True)),
        )
        .order_by()
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        community = next((pk for path, pk in by_path.items() if row["path"].startswith(path)), None)
        if community is None:
            continue
        into = result.setdefault(community, {"total": 0, "agreed": 0, "on_time": 0})
        for key in into:
            into[key] += row[key]
    return result


def success_rate(places: Sequence[Any], year: int) -> Pairs:
    rows = _concluded(places, year)
    return {pk: (float(r["agreed"]), float(r["total"])) for pk, r in rows.items() if r["total"]}


def on_time_rate(places: Sequence[Any], year: int) -> Pairs:
    rows = _concluded(places, year)
    return {pk: (float(r["on_time"]), float(r["total"])) for pk, r in rows.items() if r["total"]}


def register_all() -> None:
    register(
        Indicator(
            code=SUCCESS,
            name=_("Mediation success rate"),
            compute=success_rate,
            unit="%",
            kind=RATIO,
            source="000 §18",
            model="mediation.mediationcase",
            description=_("Share of the concluded mediation cases of the year that reached an agreement."),
            drill=drill_to("mediation:figures", "node"),
            order=400,
        )
    )
    register(
        Indicator(
            code=ON_TIME,
            name=_("Mediation cases concluded on time"),
            compute=on_time_rate,
            unit="%",
            kind=RATIO,
            source="000 §18",
            model="mediation.mediationcase",
            description=_("Share of the concluded mediation cases of the year concluded within their term."),
            drill=drill_to("mediation:figures", "node"),
            order=410,
        )
    )


def todo(user: Any) -> list[Any]:
    """Cases to accept or to mediate, the overdue ones urgent, and agreements due for their follow-up."""
    from django.urls import reverse
    from django.utils import timezone

    from shequ.accounts.scope import can
    from shequ.core.today import Todo

    from .models import CaseStatus, MediationCase

    if not can(user, MediationCase, "change"):
        return []
    mine = MediationCase.objects.restrict(user, "change")
    url = reverse("mediation:mediationcase_list")
    return [
        Todo("mediation.open", _("Mediation cases open"), mine.filter(is_open=True), f"{url}?is_open=true"),
        Todo(
            "mediation.overdue",
            _("Overdue mediation cases"),
            mine.filter(is_open=True, deadline__lt=timezone.now()),
            f"{url}?overdue=true",
            urgent=True,
        ),
        Todo(
            "mediation.follow_up",
            _("Agreements due for a follow-up"),
            mine.filter(status=CaseStatus.AGREED, follow_up_due__lte=timezone.localdate()),
            f"{url}?follow_up_due=true",
        ),
    ]
