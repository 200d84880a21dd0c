"""Demo positions and funds for ``shequ seed``: deterministic, written in bulk, then the rollups rebuilt.

Each community gets a service centre whose area cycles through the classes (some below 300 m²), a leisure
square and a fitness path near its centre (a few communities lack one: the gaps on the map), a six-haves
inspection this year (most have all six), a cultural brand with an event, and its special account with the
year's allocations (most at 50,000 yuan or more), party-building funds per member, spending and upkeep; the
statement of the current quarter is published on the portal."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from shequ.territory.models import Kind, Node

from .models import (
    Book,
    Category,
    CulturalBrand,
    CulturalEvent,
    EntryKind,
    EntryStatus,
    Facility,
    FacilityKind,
    FundAccount,
    FundYear,
    LedgerEntry,
    Room,
    StandardCheck,
)

AREAS = [Decimal(a) for a in ("1200", "650", "320", "280", "1050", "520", "360", "1500", "240", "700")]
BRANDS = ["邻里守望", "红色驿站", "书香社区", "银龄互助", "和美家园", "文明实践"]


def rebuild_funds(paths: list[str] | None = None) -> None:
    """Balances and the yearly rollup from the approved entries (the end of bulk loads: demo, benchmark)."""
    from django.db.models import Q

    accounts = FundAccount.objects.all()
    if paths:
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        accounts = accounts.filter(condition)
    approved = LedgerEntry.objects.filter(status=EntryStatus.APPROVED, account__in=accounts.values("pk"))
    with transaction.atomic():
        balances: dict[int, dict[str, Decimal]] = {}
        for row in approved.order_by().values("account_id", "book").annotate(s=Sum("amount")):
            balances.setdefault(row["account_id"], {})[row["book"]] = row["s"] or Decimal(0)
        rows = list(accounts.only("pk"))
        for account in rows:
            for book in Book.values:
                setattr(account, f"{book}_balance", balances.get(account.pk, {}).get(book, Decimal(0)))
        FundAccount.objects.bulk_update(rows, ["work_balance", "party_balance", "upkeep_balance"], batch_size=1000)
        FundYear.objects.filter(node_id__in=accounts.values("node_id")).delete()
        years: dict[tuple[int, int, str], FundYear] = {}
        grouped = (
            approved.order_by()
            .values("account__node_id", "account__path", "occurred_on__year", "book", "kind", "reverses__kind")
            .annotate(s=Sum("amount"), n=Count("pk"))
        )
        for row in grouped:
            key = (row["account__node_id"], row["occurred_on__year"], row["book"])
            year = years.setdefault(key, FundYear(node_id=key[0], path=row["account__path"], year=key[1], book=key[2]))
            kind = row["reverses__kind"] or row["kind"]
            if kind == EntryKind.ALLOCATION:
                year.allocated += row["s"]
            else:
                year.spent -= row["s"]
        FundYear.objects.bulk_create(list(years.values()), batch_size=1000)


def _inside(node: Node, rng: random.Random, spread: float) -> tuple[float, float]:
    lat, lng = float(node.latitude or 0), float(node.longitude or 0)
    return round(lat + rng.uniform(-spread, spread), 6), round(lng + rng.uniform(-spread, spread), 6)


def seed_positions(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.party.models import MemberStatus, PartyMember

    from .actions.facilities import refresh_standards
    from .actions.funds import statement_totals
    from .models import Statement, mask_account

    rng = random.Random(seed * 7919 + 16)
    today = timezone.localdate()
    year = today.year
    communities = list(
        Node.objects.within(city.path)
        .filter(kind=Kind.COMMUNITY, retired=False)
        .exclude(latitude=None)
        .order_by("path")
    )
    from shequ.core.indicators import per_community

    counted = per_community(
        PartyMember.objects.filter(status__in=(MemberStatus.PROBATIONARY, MemberStatus.FULL)),
        communities,
        n=Count("pk"),
    )
    members = {c.path: (counted.get(c.pk) or {}).get("n") or 0 for c in communities}
    facilities, checks, brands, accounts = [], [], [], []
    for i, c in enumerate(communities):
        # Spread: a tenth of a community's half-width at the demo scales keeps the points inside its box.
        area = AREAS[i % len(AREAS)]
        rooms = list(Room.values) if area >= 500 else list(Room.values)[: 4 + i % 4]
        lat, lng = _inside(c, rng, 0.0005)
        facilities.append(
            Facility(
                node=c,
                path=c.path,
                kind=FacilityKind.SERVICE_CENTRE,
                name=f"{c.name}党群服务中心",
                area=area,
                housing_area=min(area, Decimal(100 + 20 * (i % 8))),
                rooms=rooms,
                opening_hours="周一至周六 8:30–17:30",
                latitude=lat,
                longitude=lng,
            )
        )
        if i % 7 != 3:
            lat, lng = _inside(c, rng, 0.001)
            facilities.append(
                Facility(
                    node=c,
                    path=c.path,
                    kind=FacilityKind.LEISURE_SQUARE,
                    name=f"{c.name}文化广场",
                    latitude=lat,
                    longitude=lng,
                )
            )
        if i % 5 != 2:
            lat, lng = _inside(c, rng, 0.001)
            line = {"type": "LineString", "coordinates": [[lng, lat], [round(lng + 0.0008, 6), lat]]}
            facilities.append(
                Facility(
                    node=c,
                    path=c.path,
                    kind=FacilityKind.FITNESS_PATH,
                    name=f"{c.name}健身步道",
                    latitude=lat,
                    longitude=lng,
                    line=line,
                )
            )
        haves = {name: True for name in StandardCheck.HAVES}
        if i % 6 == 5:
            haves["archives"] = False
        checks.append(
            StandardCheck(node=c, path=c.path, year=year, checked_on=today, evidence="现场查看，台账齐全", **haves)
        )
        brands.append(CulturalBrand(node=c, path=c.path, name=f"“{BRANDS[i % len(BRANDS)]}”品牌", since=2018 + i % 6))
        accounts.append(
            FundAccount(
                node=c, path=c.path, bank="示范农商银行", number=f"62210{c.pk:012d}{i % 10}", opened_on=date(2020, 1, 1)
            )
        )
    with transaction.atomic():
        Facility.objects.bulk_create(facilities, batch_size=1000)
        StandardCheck.objects.bulk_create(checks, batch_size=1000)
        CulturalBrand.objects.bulk_create(brands, batch_size=1000)
        FundAccount.objects.bulk_create(accounts, batch_size=1000)
        created = {b.node_id: b for b in CulturalBrand.objects.filter(node__in=communities)}
        CulturalEvent.objects.bulk_create(
            [
                CulturalEvent(
                    node=c,
                    path=c.path,
                    brand=created.get(c.pk),
                    title="邻里文化节",
                    held_on=date(year, 1, 15),
                    place="社区广场",
                    participants=80 + i,
                )
                for i, c in enumerate(communities)
            ],
            batch_size=1000,
        )
        entries: list[LedgerEntry] = []
        first = date(year, 1, 10)
        recent = max(first, date(year, 3 * ((today.month - 1) // 3) + 1, 2))
        recent = min(recent, today)
        saved = {a.node_id: a for a in FundAccount.objects.filter(node__in=communities)}
        for i, c in enumerate(communities):
            account = saved[c.pk]

            def add(
                book: str,
                kind: str,
                category: str,
                amount: Decimal,
                on: date = recent,
                account: FundAccount = account,
                c: Node = c,
                **extra: Any,
            ) -> None:
                entries.append(
                    LedgerEntry(
                        account=account,
                        node=c,
                        path=c.path,
                        book=book,
                        kind=kind,
                        category=category,
                        amount=amount if kind == EntryKind.ALLOCATION else -amount,
                        occurred_on=on,
                        voucher=f"记-{len(entries) + 1:05d}",
                        status=extra.get("status", EntryStatus.APPROVED),
                        is_open=extra.get("status") == EntryStatus.PENDING,
                    )
                )

            work = Decimal(40_000 if i % 4 == 3 else 50_000 + 5_000 * (i % 3))
            add(Book.WORK, EntryKind.ALLOCATION, Category.CITY, work / 2, on=first)
            add(Book.WORK, EntryKind.ALLOCATION, Category.DISTRICT, work / 2)
            add(Book.WORK, EntryKind.SPENDING, Category.ACTIVITIES, Decimal(8_000 + 100 * i))
            add(Book.WORK, EntryKind.SPENDING, Category.OFFICE, Decimal(2_350))
            add(Book.WORK, EntryKind.SPENDING, Category.SERVICES, Decimal(1_200), status=EntryStatus.PENDING)
            n = members.get(c.path, 0)
            if n:
                per = Decimal(40 if i % 5 == 4 else 60)
                add(Book.PARTY, EntryKind.ALLOCATION, Category.DISTRICT, per * n, on=first)
                add(Book.PARTY, EntryKind.SPENDING, Category.PARTY_EDUCATION, (per * n / 3).quantize(Decimal("0.01")))
            add(Book.UPKEEP, EntryKind.ALLOCATION, Category.DISTRICT, Decimal(12_000), on=first)
            add(Book.UPKEEP, EntryKind.SPENDING, Category.HEATING, Decimal(6_500))
            add(Book.UPKEEP, EntryKind.SPENDING, Category.UTILITIES, Decimal(2_100))
        LedgerEntry.objects.bulk_create(entries, batch_size=1000)
        LedgerEntry.objects.filter(pk__in=[e.pk for e in entries if e.status == EntryStatus.APPROVED]).update(
            approved_at=timezone.now()
        )
    rebuild_funds([city.path])
    refresh_standards([c.pk for c in communities])
    quarter = (today.month - 1) // 3 + 1
    statements = []
    for account in FundAccount.objects.filter(node__in=communities).select_related("node"):
        statements.append(
            Statement(
                node=account.node,
                path=account.path,
                year=year,
                quarter=quarter,
                bank=account.bank,
                masked_number=mask_account(account.number),
                totals=statement_totals(account, year, quarter),
                published_at=timezone.now(),
            )
        )
    Statement.objects.bulk_create(statements, batch_size=1000)
    from shequ.core import indicators

    from .indicators import (
        AREA_CLASS,
        CLASS_SHARES,
        COVERAGE,
        PARTY_FUNDS,
        SIX_HAVES,
        WORK_FUNDS,
        WORK_FUNDS_HOUSEHOLDS,
    )

    indicators.refresh(
        [SIX_HAVES, AREA_CLASS, *CLASS_SHARES, COVERAGE, WORK_FUNDS, WORK_FUNDS_HOUSEHOLDS, PARTY_FUNDS],
        nodes=[city],
        year=year,
    )
    return {"facilities": len(facilities), "ledger entries": len(entries), "statements": len(statements)}
