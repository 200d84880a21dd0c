"""The organizations' policy indicators (``core.indicators``), from ``orgs.metrics``: cross-posting of the
community party committee onto the residents' committee (> 50 %, 001 §4.2.1) and the double coverage of
"two new" organizations (party organization and party work, 100 %, 000 §1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.indicator_helpers import from_reports
from shequ.core.indicators import RATIO, Indicator, Pairs, drill_to, register

CROSS_POSTING = "orgs.cross_posting"
PARTY_ORG_COVERAGE = "orgs.two_new_party_org"
PARTY_WORK_COVERAGE = "orgs.two_new_party_work"


def _on(year: int) -> date:
    today = timezone.localdate()
    return today if year >= today.year else date(year, 12, 31)


def _metric(numerator: str, denominator: str) -> Any:
    def compute(places: Sequence[Any], year: int) -> Pairs:
        from .metrics import compute as metrics

        def report(anchor: Any) -> dict[int, tuple[float, float]]:
            return {
                c.node_id: (float(getattr(c, numerator)), float(getattr(c, denominator)))
                for c in metrics(anchor, on=_on(year)).communities
            }

        return from_reports(places, report)

    return compute


def register_all() -> None:
    register(
        Indicator(
            code=CROSS_POSTING,
            drill=drill_to("orgs:metrics", "node"),
            name=_("Cross-posting rate of committee members"),
            compute=_metric("cross_posted", "committee_members"),
            target=50,
            comparison=">",
            kind=RATIO,
            source="001 §4.2.1",
            model="orgs.post",
            description=_("Members of the community party committees who also sit on the residents' committee."),
            order=30,
        )
    )
    register(
        Indicator(
            code=PARTY_ORG_COVERAGE,
            drill=drill_to("orgs:metrics", "node"),
            name=_("“Two new” organizations covered by a party organization"),
            compute=_metric("two_new_with_party_org", "two_new"),
            target=100,
            kind=RATIO,
            source="000 §1",
            model="orgs.organization",
            order=140,
        )
    )
    register(
        Indicator(
            code=PARTY_WORK_COVERAGE,
            drill=drill_to("orgs:metrics", "node"),
            name=_("“Two new” organizations covered by party work"),
            compute=_metric("two_new_with_party_work", "two_new"),
            target=100,
            kind=RATIO,
            source="000 §1",
            model="orgs.organization",
            order=141,
        )
    )
