"""Benchmark of the targets page and the home page ("today") at city scale, against their own SQL sent raw.

Usage::

    .venv/bin/python bench/targets.py [--runs N] [--rebuild] [--scale city|small]

Issue 17 asks, for a city of 1,000,000 residents and its modules' data, for the targets page of the city
within 200 ms and of a community within 100 ms median server-side, read from the rollups kept by the actions
and the nightly task (never a scan of the detail tables on a page view), and for the home page within 150 ms
and 15 queries.

The database is the one ``bench/volunteers.py`` builds and keeps (the demo city's territory — 1,000
communities at ``--scale city`` — with 1,000,000 residents, volunteers, hour entries and visits; PostgreSQL),
built here when missing.  Five years of yearly snapshots of every indicator are added
(``core.indicators.refresh(year=…)``, what ``shequ tick`` keeps), so the trend charts have their rows.

One worker process (Django set up on that database, DEBUG off) sends requests through Django's test ``Client``
(no HTTP), logged in as the city administrator and a street officer, each timed around ``client.get`` in turns
with its baseline: **every statement the request sent, replayed raw** through ``connection.cursor()`` in the
same order (the cost of its SQL alone; the ratio is what the framework, the template and Python add).
A missed target prints FAIL; the exit status says only whether the benchmark ran.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402
from bench import volunteers as kept  # noqa: E402 - its database and its build

YEARS = 5
TARGETS = {"city targets": 200.0, "community targets": 100.0, "home": 150.0}
MAX_HOME_QUERIES = 15


def add_snapshots() -> int:
    """The yearly snapshots of every indicator for the past years (the nightly task keeps this year's)."""
    from shequ.core import indicators
    from shequ.core.models import IndicatorValue

    this_year = indicators.this_year()
    written = 0
    for year in range(this_year - YEARS + 1, this_year + 1):
        if not IndicatorValue.objects.filter(year=year).exists() or year == this_year:
            written += indicators.refresh(year=year)
    return written


def measure(runs: int) -> dict[str, Any]:
    from django.db import connection

    from shequ.territory.models import Kind, Node

    written = add_snapshots()
    city = Node.objects.get(kind=Kind.CITY)
    street = Node.objects.filter(kind=Kind.STREET).order_by("path").first()
    assert street is not None
    community = Node.objects.filter(kind=Kind.COMMUNITY, path__startswith=street.path).order_by("path").first()
    assert community is not None
    bench = common.ClientBench(None, runs, ("city", "street"))
    results = []

    def replay(statements: list[tuple[str, Any]]) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    if cursor.description:
                        cursor.fetchall()

        return run

    def row(label: str, user: str, url: str, target_ms: float, max_queries: int | None = None) -> None:
        response, statements, with_params = bench.capture(user, url)
        common.expect(response.status_code == 200, f"{url} answered {response.status_code}")
        request, baseline = bench.timed_request(user, url, replay(with_params))
        results.append(
            {
                "operation": label,
                "median_ms": round(request.median, 1),
                "p95_ms": round(request.p95, 1),
                "raw_ms": round(baseline.median, 2),
                "ratio": round(common.ratio_of(request, baseline), 1),
                "queries": len(statements),
                "target_ms": target_ms,
                "pass": request.median <= target_ms and (max_queries is None or len(statements) <= max_queries),
            }
        )

    row("targets page, the city (city administrator)", "city", f"/targets/?node={city.pk}", TARGETS["city targets"])
    row(
        "targets page, a community (street officer)",
        "street",
        f"/targets/?node={community.pk}",
        TARGETS["community targets"],
    )
    row(
        "one target over the city: trend and ranking of the districts",
        "city",
        f"/targets/services.satisfaction/?node={city.pk}",
        TARGETS["city targets"],
    )
    row("home page, city administrator", "city", "/", TARGETS["home"], MAX_HOME_QUERIES)
    row("home page, street officer", "street", "/", TARGETS["home"], MAX_HOME_QUERIES)
    from shequ.core.models import IndicatorValue
    from shequ.people.models import Resident

    counts = {
        "communities": Node.objects.filter(kind=Kind.COMMUNITY).count(),
        "residents": Resident.objects.count(),
        "indicator values": IndicatorValue.objects.count(),
        "values written now": written,
    }
    return {"results": results, "counts": counts}


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.build:
        kept.build(args.scale)
        return
    common.plain_static_files()
    print(json.dumps(measure(args.runs)), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--scale", choices=tuple(kept.COUNTS), default="city")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    db, var = kept.DATABASES[args.scale]
    report = common.run_on_kept_postgres(__file__, args, db, var)
    if report is None:
        return 1
    print(
        f"Targets and home at {args.scale} scale (PostgreSQL): "
        + ", ".join(f"{v:,} {k}" for k, v in report["counts"].items())
    )
    print(
        f"times in ms: median and p95 of {args.runs} requests after warm-up, against every statement of the "
        f"request replayed raw; home pages also ≤ {MAX_HOME_QUERIES} queries"
    )
    print(f"{'operation':<66} {'median':>8} {'p95':>8} {'raw':>8} {'ratio':>7} {'queries':>7} {'target':>7}  verdict")
    for r in report["results"]:
        verdict = "ok" if r["pass"] else "FAIL"
        print(
            f"{r['operation']:<66} {r['median_ms']:>8} {r['p95_ms']:>8} {r['raw_ms']:>8} {r['ratio']:>7} "
            f"{r['queries']:>7} {r['target_ms']:>7.0f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
