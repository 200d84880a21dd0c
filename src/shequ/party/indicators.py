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
