"""The party's policy indicators (``core.indicators``): communities developing at least one member a year
(000 §13) and the reporting rate of on-the-job members to their home communities (000 §10)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from shequ.core.indicator_helpers import from_reports
from shequ.core.indicators import RATIO, Indicator, Pairs, drill_to, per_community, register

DEVELOPED = "party.developed"
REPORTING = "party.reporting_rate"
DUES_PAID_UP = "party.dues_paid_up"
DEVELOPED_TARGET = 1


def developed(places: Sequence[Any], year: int) -> Pairs:
    """Per community: 1 when it admitted at least one probationary member in *year* (out of 1)."""
    from .models import PartyMember

    rows = per_community(PartyMember.objects.filter(joined_on__year=year), places, n=Count("pk"))
    return {p.pk: (1.0 if (rows.get(p.pk, {}).get("n") or 0) >= DEVELOPED_TARGET else 0.0, 1.0) for p in places}


def reporting(places: Sequence[Any], year: int) -> Pairs:
    """On-the-job members living in the community who have reported to it, of those expected (today's)."""
    from .summaries import reporting as report

    def rates(anchor: Any) -> dict[int, tuple[float, float]]:
        return {row.node.pk: (float(row.reported), float(row.expected)) for row in report(anchor, None).rows}

    return from_reports(places, rates)


def dues_paid_up(places: Sequence[Any], year: int) -> Pairs:
    """Active members who owe no month of *year* (by today, as the arrears page counts), of the active members
    — per community, from one pass over the members and one grouped count of their payments of the year."""
    from django.utils import timezone

    from .arrears import months_due
    from .models import DuesPayment, PartyMember
    from .models.members import ACTIVE_STATUSES

    today = timezone.localdate()
    by_path = {p.path: p.pk for p in places}
    widths = sorted({len(p) for p in by_path})
    scope = {"path__within": places[0].path} if len(places) == 1 else {}
    paid = dict(
        DuesPayment.objects.filter(month__year=year, **{f"member__{k}": v for k, v in scope.items()})
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    result: dict[int, list[float]] = {p.pk: [0.0, 0.0] for p in places}
    members = PartyMember.objects.filter(status__in=ACTIVE_STATUSES, joined_on__year__lte=year, **scope)
    for pk, path, joined in members.values_list("pk", "path", "joined_on").iterator(chunk_size=5000):
        community = next((by_path[path[:w]] for w in widths if path[:w] in by_path), None)
        if community is None:
            continue
        result[community][1] += 1
        if paid.get(pk, 0) >= len(months_due(joined, year, today)):
            result[community][0] += 1
    return {pk: (n, d) for pk, (n, d) in result.items()}


def register_all() -> None:
    register(
        Indicator(
            code=DEVELOPED,
            drill=drill_to("party:developmentrecord_list"),
            name=_("Communities developing at least one party member this year"),
            compute=developed,
            target=100,
            kind=RATIO,
            source="000 §13",
            model="party.partymember",
            order=60,
        )
    )
    register(
        Indicator(
            code=REPORTING,
            drill=drill_to("party:reporting", "node"),
            name=_("On-the-job members reported to their home community"),
            compute=reporting,
            target=100,
            kind=RATIO,
            source="000 §10",
            model="party.communityreport",
            order=230,
        )
    )
    register(
        Indicator(
            code=DUES_PAID_UP,
            name=_("Party members with their dues paid up"),
            compute=dues_paid_up,
            target=100,
            kind=RATIO,
            source="000 §10",
            model="party.duespayment",
            description=_("Active members who owe no month of the year so far, of the active members."),
            drill=drill_to("party:arrears", "node", year="{year}"),
            order=240,
        )
    )
