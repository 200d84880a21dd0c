"""The policy targets of domain.md §6, per community (``core.indicators``):

- six-haves compliance: communities whose inspection of the year finds all six (target 100 %, 000 §11);
- service area: communities with a service centre of at least 300 m² (target ≥ 80 %, 001; classes 002 §11);
- class shares: communities of each area class, standard / boutique / demonstration, against 30 / 30 / 40 % (002 §11);
- coverage: communities with a leisure square within 2 km and a fitness path within 1 km (100 %, 000 §11);
- work funds per community in the year (approved allocations, ≥ 50,000 yuan, 000 §20);
- party-building funds per party member in the year (≥ 50 yuan, 003).

The area and coverage read the ``CommunityStandard`` rollup, the funds the ``FundYear`` rollup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from shequ.core.indicators import MEAN, RATIO, Indicator, Pairs, drill_to, per_community, register

SIX_HAVES = "positions.six_haves"
AREA_CLASS = "positions.standard_area"
COVERAGE = "positions.coverage"
WORK_FUNDS = "positions.work_funds"
WORK_FUNDS_HOUSEHOLDS = "positions.work_funds_households"
PARTY_FUNDS = "positions.party_funds"
AREA_SHARE_TARGET = 80
# 002 §11: of the communities, 30 % standard (≥ 300 m²), 30 % boutique (≥ 500 m²), 40 % demonstration (≥ 1,000 m²).
CLASS_STANDARD = "positions.class_standard"
CLASS_BOUTIQUE = "positions.class_boutique"
CLASS_DEMONSTRATION = "positions.class_demonstration"
CLASS_SHARES = {
    CLASS_STANDARD: ("standard", 30),
    CLASS_BOUTIQUE: ("boutique", 30),
    CLASS_DEMONSTRATION: ("demonstration", 40),
}


def _ones(places: Sequence[Any], rows: dict[int, dict[str, Any]]) -> Pairs:
    return {p.pk: (float((rows.get(p.pk) or {}).get("ok") or 0), 1.0) for p in places}


def six_haves(places: Sequence[Any], year: int) -> Pairs:
    from .models import StandardCheck

    full = Q(
        activity_place=True,
        service_window=True,
        office_facilities=True,
        distance_education=True,
        rules=True,
        archives=True,
    )
    rows = per_community(StandardCheck.objects.filter(year=year), places, ok=Count("pk", filter=full))
    return _ones(places, rows)


def standard_area(places: Sequence[Any], year: int) -> Pairs:
    from .models import STANDARD_AREA, CommunityStandard

    rows = per_community(
        CommunityStandard.objects.all(), places, ok=Count("pk", filter=Q(service_area__gte=STANDARD_AREA))
    )
    return _ones(places, rows)


def class_share(area_class: str) -> Any:
    """The compute of one class's share: communities whose service area falls in exactly *area_class*."""

    def compute(places: Sequence[Any], year: int) -> Pairs:
        from .models import CommunityStandard

        rows = per_community(CommunityStandard.objects.all(), places, ok=Count("pk", filter=Q(area_class=area_class)))
        return _ones(places, rows)

    return compute


def coverage(places: Sequence[Any], year: int) -> Pairs:
    from .models import PATH_RADIUS_M, SQUARE_RADIUS_M, CommunityStandard

    covered = Q(square_m__lte=SQUARE_RADIUS_M, path_m__lte=PATH_RADIUS_M)
    rows = per_community(CommunityStandard.objects.all(), places, ok=Count("pk", filter=covered))
    return _ones(places, rows)


def work_funds(places: Sequence[Any], year: int) -> Pairs:
    from .models import Book, FundYear

    rows = per_community(FundYear.objects.filter(year=year, book=Book.WORK), places, ok=Sum("allocated"))
    return _ones(places, rows)


def work_funds_by_households(places: Sequence[Any], year: int) -> Pairs:
    """003's measure: the year's approved work-fund allocations per thousand households (not dissolved)."""
    from shequ.people.models import Household

    from .models import Book, FundYear

    money = per_community(FundYear.objects.filter(year=year, book=Book.WORK), places, ok=Sum("allocated"))
    households = per_community(Household.objects.filter(dissolved=False), places, n=Count("pk"))
    return {
        p.pk: (float((money.get(p.pk) or {}).get("ok") or 0), ((households.get(p.pk) or {}).get("n") or 0) / 1000)
        for p in places
    }


def party_funds(places: Sequence[Any], year: int) -> Pairs:
    from shequ.party.models import MemberStatus, PartyMember

    from .models import Book, FundYear

    money = per_community(FundYear.objects.filter(year=year, book=Book.PARTY), places, ok=Sum("allocated"))
    members = per_community(
        PartyMember.objects.filter(status__in=(MemberStatus.PROBATIONARY, MemberStatus.FULL)), places, n=Count("pk")
    )
    return {
        p.pk: (float((money.get(p.pk) or {}).get("ok") or 0), float((members.get(p.pk) or {}).get("n") or 0))
        for p in places
    }


def register_all() -> None:
    from .models import PARTY_FUNDS_PER_MEMBER, WORK_FUNDS_PER_THOUSAND_HOUSEHOLDS, WORK_FUNDS_TARGET

    register(
        Indicator(
            code=SIX_HAVES,
            name=_("Six-haves compliance"),
            compute=six_haves,
            target=100,
            kind=RATIO,
            source="000 §11",
            description=_("Communities whose party organization has all six haves at the inspection of the year."),
            order=500,
            drill=drill_to("positions:standardcheck_list", year="{year}"),
            model="positions.standardcheck",
        )
    )
    register(
        Indicator(
            code=AREA_CLASS,
            name=_("Communities with a service centre of at least 300 m²"),
            compute=standard_area,
            target=AREA_SHARE_TARGET,
            kind=RATIO,
            source="001 §4.4, 002 §11",
            description=_("Share of the communities whose service centre reaches the standard class."),
            order=510,
            drill=drill_to("positions:standards", param="node"),
            model="positions.facility",
        )
    )
    class_names = {
        CLASS_STANDARD: _("Communities of the standard class (300 to 500 m²)"),
        CLASS_BOUTIQUE: _("Communities of the boutique class (500 to 1,000 m²)"),
        CLASS_DEMONSTRATION: _("Communities of the demonstration class (at least 1,000 m²)"),
    }
    for order, (code, (klass, target)) in enumerate(CLASS_SHARES.items(), start=511):
        register(
            Indicator(
                code=code,
                name=class_names[code],
                compute=class_share(klass),
                target=target,
                kind=RATIO,
                source="002 §11",
                description=_("Share of the communities whose service centre area falls in this class."),
                order=order,
                drill=drill_to("positions:standards", param="node"),
                model="positions.facility",
            )
        )
    register(
        Indicator(
            code=COVERAGE,
            name=_("Leisure square within 2 km and fitness path within 1 km"),
            compute=coverage,
            target=100,
            kind=RATIO,
            source="000 §11",
            description=_("Share of the communities with both an outdoor leisure square and a fitness path near."),
            order=520,
            drill=drill_to("positions:standards", param="node"),
            model="positions.facility",
        )
    )
    register(
        Indicator(
            code=WORK_FUNDS,
            name=_("Work funds per community"),
            compute=work_funds,
            unit="yuan",
            target=WORK_FUNDS_TARGET,
            kind=MEAN,
            source="000 §20",
            description=_("Approved work-fund allocations of the year per community."),
            order=530,
            drill=drill_to("positions:funds", param="node", year="{year}"),
            places=0,
            model="positions.ledgerentry",
        )
    )
    register(
        Indicator(
            code=WORK_FUNDS_HOUSEHOLDS,
            name=_("Work funds per thousand households"),
            compute=work_funds_by_households,
            unit="yuan",
            target=WORK_FUNDS_PER_THOUSAND_HOUSEHOLDS,
            kind=MEAN,
            source="003",
            description=_("Approved work-fund allocations of the year per thousand households (003: 10,000 yuan)."),
            order=535,
            drill=drill_to("positions:funds", param="node", year="{year}"),
            places=0,
            model="positions.ledgerentry",
        )
    )
    register(
        Indicator(
            code=PARTY_FUNDS,
            name=_("Party-building funds per party member"),
            compute=party_funds,
            unit="yuan",
            target=PARTY_FUNDS_PER_MEMBER,
            kind=MEAN,
            source="003",
            description=_("Approved party-building allocations of the year per party member."),
            order=540,
            drill=drill_to("positions:funds", param="node", year="{year}"),
            model="positions.ledgerentry",
        )
    )


def todo(user: Any) -> list[Any]:
    """Ledger entries awaiting the user's approval."""
    from django.urls import reverse

    from shequ.core.today import Todo

    from .actions.funds import APPROVERS
    from .models import EntryStatus, LedgerEntry

    if not getattr(user, "is_authenticated", False):
        return []
    from shequ.accounts.scope import can, user_grants

    if not can(user, LedgerEntry, "change"):
        return []
    if not user.is_superuser and not any(role.code in APPROVERS for role, _p in user_grants(user)):
        return []
    pending = LedgerEntry.objects.restrict(user, "change").filter(status=EntryStatus.PENDING)
    return [
        Todo(
            "positions.entries_to_approve",
            _("Ledger entries to approve"),
            pending,
            f"{reverse('positions:ledgerentry_list')}?status={EntryStatus.PENDING}",
        )
    ]
