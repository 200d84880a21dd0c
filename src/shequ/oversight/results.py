"""Results read from the stored counts: a campaign's per-item breakdown, the units without an agreement."""

from __future__ import annotations

from typing import Any

from .models import Agreement, Campaign, Rating


def item_results(campaign: Campaign) -> list[dict[str, Any]]:
    """Per questionnaire item: the count of each rating and the share satisfied or basically satisfied."""
    items = campaign.item_list
    counts = [[0, 0, 0] for _ in items]
    for digits in campaign.answers.values_list("ratings", flat=True).iterator(chunk_size=5000):
        for i, d in enumerate(digits[: len(items)]):
            counts[i][int(d) - 1] += 1
    rows = []
    for item, (sat, basic, dis) in zip(items, counts, strict=True):
        total = sat + basic + dis
        rows.append(
            {
                "item": item,
                "counts": [sat, basic, dis],
                "satisfaction": round((sat + basic) * 100 / total, 1) if total else None,
            }
        )
    return rows


def units_without_agreement(user: Any, year: int) -> list[Any]:
    from shequ.orgs.models import Organization

    signed = Agreement.objects.filter(year=year).values("unit_id")
    return list(
        Organization.objects.restrict(user, "view")
        .filter(kind="resident_unit", active=True)
        .exclude(pk__in=signed)
        .select_related("node")
        .order_by("path", "name")[:1000]
    )


__all__ = ["Rating", "item_results", "units_without_agreement"]
