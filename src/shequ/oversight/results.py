"""Results read from the stored counts: a campaign's per-item breakdown, the units without an agreement."""

from __future__ import annotations

from typing import Any

from .models import Agreement, Answer, Campaign, CampaignStatus, Rating


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


def count_answers(pk: int) -> dict[str, int]:
    """The sums of a campaign's answers (what its stored results are)."""
    from django.db.models import Count, Sum

    found = Answer.objects.filter(campaign_id=pk).aggregate(
        answers_count=Count("pk"), satisfied=Sum("satisfied"), basic=Sum("basic"), dissatisfied=Sum("dissatisfied")
    )
    return {k: int(v or 0) for k, v in found.items()}


def refresh_counts(campaigns: Any = None) -> int:
    """Store the sums of the answers of the open *campaigns* (a queryset; all open ones by default) in one UPDATE."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    qs = (Campaign.objects.all() if campaigns is None else campaigns).filter(status=CampaignStatus.OPEN)

    def total(expression: Any) -> Any:
        rows = Answer.objects.filter(campaign_id=OuterRef("pk")).order_by().values("campaign_id")
        return Coalesce(Subquery(rows.annotate(v=expression).values("v")[:1], output_field=IntegerField()), 0)

    return qs.update(
        answers_count=total(Count("pk")),
        satisfied=total(Sum("satisfied")),
        basic=total(Sum("basic")),
        dissatisfied=total(Sum("dissatisfied")),
    )


def refresh_all(now: Any = None) -> dict[str, int]:
    """``shequ tick``: the open campaigns' results."""
    return {"campaigns": refresh_counts()}


def complaints(user: Any, year: int) -> list[dict[str, Any]]:
    """Residents' requests of the property categories (``property``, ``property-*``) of *year* in each residential
    area a property company of the user's area serves, counted per company and area, the most first."""
    from django.db.models import Count

    from shequ.orgs.models import Organization
    from shequ.services.models import ServiceRequest

    from .indicators import _by_place

    pairs = list(
        Organization.estates.through.objects.filter(
            organization__in=Organization.objects.restrict(user, "view").filter(kind="property_company")
        )
        .select_related("organization", "node")
        .order_by("node__path")[:2000]
    )
    estates = {p.node.pk: p.node for p in pairs}
    if not estates:
        return []
    rows = (
        ServiceRequest.objects.restrict(user, "view")
        .filter(created__year=year, category__code__startswith="property")
        .values_list("path")
        .annotate(n=Count("pk"), d=Count("pk"))
    )
    counts = _by_place(list(estates.values()), rows)
    result: list[dict[str, Any]] = [
        {
            "company": p.organization,
            "estate": p.node,
            "complaints": int(counts.get(p.node.pk, (0, 0))[0]),
        }
        for p in pairs
    ]
    result.sort(key=lambda r: (-int(r["complaints"]), str(r["company"])))
    return result


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
