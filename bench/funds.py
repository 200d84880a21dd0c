"""Benchmark of the standards page and the funds summary at city scale, against raw SQL in the same run.

Usage::

    .venv/bin/python bench/funds.py [--communities 3000] [--entries 2000000] [--runs 20] [--database URL] [--reuse]

Issue 16 asks for a city's standards page and funds summary within 300 ms at 3,000 communities and 2,000,000
ledger entries, from rollups kept by the actions.  The script builds a fresh database (default: a temporary
SQLite file; ``--database postgres://…/shequ_funds_bench`` for PostgreSQL, dropped and made again): a city of
10 districts × 10 streets × *communities*/100 communities, a service centre, a square and a path per community,
a six-haves inspection, an account, and *entries* approved ledger entries spread over the accounts and three
years (``BulkInsert`` batches); the rollups are rebuilt from the ledger (``positions.demo.rebuild_funds``,
``refresh_standards``).  Then, logged in as the city administrator through Django's test ``Client`` (no HTTP,
DEBUG off), each page is timed in turns with its baseline: the raw SQL of the page's main aggregate (for the
funds page, the same sums straight from the ledger, which the rollup spares the page).  A missed target prints
FAIL; the exit status says only whether the benchmark ran.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(REPO_DIR / "src"))

from bench import common  # noqa: E402

TARGET_MS = 300


def build(communities: int, entries: int) -> None:
    import random
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from shequ.positions.actions.facilities import refresh_standards
    from shequ.positions.demo import rebuild_funds
    from shequ.positions.models import (
        Book,
        EntryKind,
        EntryStatus,
        Facility,
        FacilityKind,
        FundAccount,
        LedgerEntry,
        StandardCheck,
    )
    from shequ.territory.demo import Scale, build_demo_territory
    from shequ.territory.models import Kind, Node

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    city = build_demo_territory(Scale(10, 10, max(1, communities // 100), 1, 1, 1, 0), seed=16)
    places = list(Node.objects.filter(kind=Kind.COMMUNITY).order_by("path"))
    rng = random.Random(16)
    year = date.today().year
    rows, checks, accounts = [], [], []
    for i, c in enumerate(places):
        rows.append(
            Facility(
                node=c,
                path=c.path,
                kind=FacilityKind.SERVICE_CENTRE,
                name=f"中心{i}",
                area=Decimal(rng.choice((250, 320, 560, 1200))),
                latitude=c.latitude,
                longitude=c.longitude,
            )
        )
        rows.append(
            Facility(
                node=c,
                path=c.path,
                kind=FacilityKind.LEISURE_SQUARE,
                name=f"广场{i}",
                latitude=c.latitude,
                longitude=c.longitude,
            )
        )
        if i % 4:
            rows.append(
                Facility(
                    node=c,
                    path=c.path,
                    kind=FacilityKind.FITNESS_PATH,
                    name=f"步道{i}",
                    latitude=c.latitude,
                    longitude=c.longitude,
                )
            )
        checks.append(
            StandardCheck(
                node=c,
                path=c.path,
                year=year,
                checked_on=date(year, 3, 1),
                activity_place=True,
                service_window=True,
                office_facilities=True,
                distance_education=True,
                rules=True,
                archives=i % 5 != 0,
            )
        )
        accounts.append(FundAccount(node=c, path=c.path, bank="示范银行", number=f"6222{i:012d}"))
    with transaction.atomic():
        Facility.objects.bulk_create(rows, batch_size=2000)
        StandardCheck.objects.bulk_create(checks, batch_size=2000)
        FundAccount.objects.bulk_create(accounts, batch_size=2000)
    saved = list(FundAccount.objects.order_by("pk").values_list("pk", "node_id", "path"))
    batch: list[LedgerEntry] = []
    books = Book.values
    for n in range(entries):
        pk, node_id, path = saved[n % len(saved)]
        rounds = n // len(saved)
        allocation = rounds % 3 == 0
        # Each book of an account: an allocation, then two smaller spendings: never below zero.
        amount = Decimal(5000) if allocation else Decimal(-1000)
        book = books[(rounds // 3) % 3]
        batch.append(
            LedgerEntry(
                account_id=pk,
                node_id=node_id,
                path=path,
                book=book,
                kind=EntryKind.ALLOCATION if allocation else EntryKind.SPENDING,
                category="city" if allocation else "office",
                amount=amount,
                occurred_on=date(year - n % 3, 1 + n % 12, 1 + n % 28),
                voucher=f"记-{n}",
                status=EntryStatus.APPROVED,
                is_open=False,
            )
        )
        if len(batch) == 20000:
            LedgerEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        LedgerEntry.objects.bulk_create(batch)
    rebuild_funds()
    refresh_standards([p.pk for p in places])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built: {len(places)} communities, {entries:,} ledger entries in {time.perf_counter() - started:.0f} s")
    del city


def run(runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from shequ.accounts.models import Grant, User
    from shequ.territory.models import Node

    city = Node.objects.get(parent=None)
    User.objects.filter(username="bench-city").delete()
    user = User.objects.create_user("bench-city", password="bench-pass-123456", node=city)
    Grant.objects.create(user=user, role="city_admin", node=city)
    client = Client()
    client.force_login(user)

    def page(url: str) -> object:
        response = client.get(url)
        common.expect(response.status_code == 200, f"{url}: {response.status_code}")
        return response

    def raw(sql: str) -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    width = len(city.path) + 5
    standards_sql = (
        f"SELECT substr(path, 1, {width}), count(*), sum(CASE WHEN service_area >= 300 THEN 1 ELSE 0 END) "
        "FROM positions_communitystandard GROUP BY 1"
    )
    ledger_sql = (
        f"SELECT substr(path, 1, {width}), book, sum(amount) FROM positions_ledgerentry "
        "WHERE status = 'approved' GROUP BY 1, 2"
    )
    for label, url, sql in (
        ("city standards page", "/positions/standards/", standards_sql),
        ("city funds summary", "/positions/funds/", ledger_sql),
    ):
        timing, baseline = common.timed_pair(lambda url=url: page(url), lambda sql=sql: raw(sql), runs)
        verdict = "ok" if timing.median <= TARGET_MS else "FAIL"
        print(
            f"{label}: median {timing.median:.1f} ms (p95 {timing.p95:.1f}) vs raw SQL {baseline.median:.1f} ms — "
            f"ratio {common.ratio_of(timing, baseline):.2f}; target ≤ {TARGET_MS} ms: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="")
    parser.add_argument("--reuse", action="store_true", help="time a database built by an earlier run (--database)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="shequ-funds-bench-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    os.environ["SHEQU_DEBUG"] = "0"
    os.environ.setdefault("SHEQU_LOG_LEVEL", "WARNING")
    import django

    if url.startswith("postgres") and not args.reuse:
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    common.plain_static_files()
    if not args.reuse:
        build(args.communities, args.entries)
    run(args.runs)


if __name__ == "__main__":
    main()
