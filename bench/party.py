"""Benchmark of the party members at city scale: a street's member list, the city's statistics page and a
member's archive, each against the raw SQL of its main query.

Usage::

    .venv/bin/python bench/party.py [--db sqlite|postgres|both] [--runs N] [--rebuild]

Issue 4 asks, with 500,000 members in a 1,000,000-resident city, for the member list of a street, the
statistics page of the city and a member's archive within 300 ms server-side each, with the figures and
the query counts printed.

The database is the kept city of ``bench/people_lists.py`` (``shequ seed --scale city --seed 1``: 1,000,000
residents, its organizations; built there if missing, with its var dir holding the field key), copied once
to a database of its own -- SQLite with the backup API to ``/tmp/shequ-party-city.sqlite3``, PostgreSQL
with ``CREATE DATABASE … TEMPLATE`` to ``shequ_party_bench`` -- and given its party members there by the
party app's own demo seeder (``seed_party(city, "city", 1)``: the residents who are members, members living
elsewhere up to 500,000, pipeline, transfers, reports, dues, the statistics' rollup; bulk inserts).  When
the city already holds members (a city seeded since the party seeder joined ``shequ seed``), they are used
as they are.  The copy is built under another name and renamed when complete; ``--rebuild`` builds it again
(not the city).  PostgreSQL is vacuumed and analyzed after the build, as autovacuum would soon do; SQLite
gets no ANALYZE, because Django never runs one.

For every database one worker process (a clean Django setup pointing at it; ``DEBUG`` off) migrates, then
sends requests through Django's test ``Client`` (no HTTP) to the real URLs, logged in as the demo's city
administrator (a grant on the city) and street officer (a grant on one street).  Each request is timed
around ``client.get``: everything the server does (middleware, session, scope, queries, template or JSON).
The baseline, timed in turns with the requests, is the request's main query sent again as raw SQL through
``connection.cursor()`` (the list's page SELECT; the statistics' rollup SELECT; the archive's timeline
SELECT); "db" is every statement of the request sent again raw, summed.  Query counts come from
``CaptureQueriesContext`` on a separate request.

The verdict compares the request's median with 300 ms.  A missed target prints FAIL but does not change the
exit status: this is a benchmark, not a test.  The exit status is non-zero only when a database could not
be benchmarked at all.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now
from bench import people_lists as city  # noqa: E402 - the kept city database

PARTY = common.KeptDatabase(
    common.Database(Path("/tmp/shequ-party-city.sqlite3"), "shequ_party_bench"),
    {"sqlite": Path("/tmp/shequ-party-city-sqlite.var"), "postgres": Path("/tmp/shequ-party-city-postgres.var")},
)
MEMBERS = 500_000

TARGET_MS = 300.0


@dataclass(kw_only=True)
class Result(common.RequestResult):
    """One line of the table."""

    db_ms: float  # every statement of the request, raw, summed (median of 5)

    @property
    def passed(self) -> bool:
        return self.request.median <= TARGET_MS


# --------------------------------------------------------------------------------------
# Main process: the party database (a copy of the kept city, with members), one worker per database.
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="both", help="database(s) to benchmark")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per operation (default 20)")
    parser.add_argument("--rebuild", action="store_true", help="copy the city and seed the members again")
    parser.add_argument("--seed-worker", choices=common.VENDORS, help=argparse.SUPPRESS)
    args = common.parse_args(parser, argv)
    if args.seed_worker:
        return run_seed_worker(args.seed_worker)
    if args.worker:
        return run_worker(args.worker, args.runs, args.results)

    def run(vendor: str) -> list[Result] | None:
        ensure_database(vendor, args.rebuild)
        items = PARTY.run_results_worker(__file__, vendor, "shequ-party-bench-", ["--runs", str(args.runs)])
        return common.results_from_json(Result, items)

    status, summaries = common.each_database(args.db, run)
    common.print_summary(summaries, lambda r: f"{r.operation} ({r.user}) {r.request.median:.0f} ms")
    return status


def ensure_database(vendor: str, rebuild: bool) -> None:
    """The kept party database: a copy of the kept city with its members, made first if missing."""
    if PARTY.exists(vendor) and not rebuild:
        print(
            f"{common.LABELS[vendor]}: using the kept party database ({PARTY.url(vendor)}; --rebuild to make it again)"
        )
        return
    city.ensure_database(vendor, False)
    print(f"{common.LABELS[vendor]}: copying the city to {PARTY.url(vendor)} and seeding its party members …")
    sys.stdout.flush()
    started = time.perf_counter()
    staging_var = PARTY.var_dir(vendor, building=True)
    shutil.rmtree(staging_var, ignore_errors=True)
    shutil.copytree(city.CITY.var_dir(vendor), staging_var)  # the field key the city's numbers are encrypted with
    if vendor == "sqlite":
        staging = PARTY.staging.sqlite_file
        PARTY.staging.drop(vendor)
        source, target = sqlite3.connect(city.CITY.database.sqlite_file), sqlite3.connect(staging)
        try:
            source.backup(target)  # consistent even while the city is read by another benchmark
        finally:
            target.close()
            source.close()
    else:
        copy_pg_database()
    command = [sys.executable, str(Path(__file__).resolve()), "--seed-worker", vendor]
    summary = common.last_json(
        common.run_captured(command, PARTY.env(vendor, building=True), "seeding the party members failed")
    )
    PARTY.finish_build(vendor)
    minutes = (time.perf_counter() - started) / 60
    print(f"  made in {minutes:.1f} min: " + ", ".join(f"{v:,} {k}" for k, v in summary.items()))


def copy_pg_database() -> None:
    """``CREATE DATABASE … TEMPLATE`` needs the city to itself for a moment: wait for other sessions."""
    staging = PARTY.staging.pg_name
    common.pg_execute(f'DROP DATABASE IF EXISTS "{staging}"')
    for attempt in range(30):
        try:
            common.pg_execute(f'CREATE DATABASE "{staging}" TEMPLATE "{city.CITY.database.pg_name}"')
            return
        except Exception as exc:  # noqa: BLE001 - "source database is being accessed by other users"
            if "being accessed" not in str(exc) or attempt == 29:
                raise
            time.sleep(10)


def run_seed_worker(vendor: str) -> int:
    """Inside the copy: migrate, then the party seeder (unless the city has its members already)."""
    common.setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from shequ.party.demo import seed_party
    from shequ.party.models import PartyMember
    from shequ.territory.models import Node

    call_command("migrate", verbosity=0, interactive=False)
    found = PartyMember.objects.count()
    if found >= MEMBERS * 0.9:
        print(json.dumps({"party members (there already)": found}))
        return 0
    if found:
        raise SystemExit(f"the city holds {found:,} party members, not the {MEMBERS:,} of the demo: rebuild the city")
    root = Node.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise SystemExit("the city database has no territory")
    with transaction.atomic():
        summary = seed_party(root, "city", 1)
    print(json.dumps(summary))
    return 0


# --------------------------------------------------------------------------------------
# Worker: runs inside its own process, with the environment pointing at one database.
# --------------------------------------------------------------------------------------


@dataclass
class Picks:
    """What the requests ask for, taken from the data."""

    street_id: int
    street_name: str
    street_members: int
    city_members: int
    member_id: int
    member_name: str
    member_events: int
    member_payments: int


def run_worker(vendor: str, runs: int, results_file: Path | None) -> int:
    migrate_seconds = common.setup_worker(vendor)
    common.plain_static_files()

    picks = pick()
    bench = PartyBench(picks, runs)
    results, load = common.with_load(bench.run_all)

    notes = [
        f"{common.LABELS[vendor]} {common.database_version(vendor)}: {picks.city_members:,} party members;"
        f" migrations checked in {migrate_seconds:.1f} s",
        f"street: #{picks.street_id} {picks.street_name}, {picks.street_members:,} members;"
        f" archive: member #{picks.member_id} {picks.member_name}, {picks.member_events} timeline entries,"
        f" {picks.member_payments} dues payments",
        *bench.notes(
            load,
            runs,
            "raw: the request's main query sent again through connection.cursor() (list: its page SELECT;"
            " statistics: the rollup SELECT; archive: the timeline SELECT); db: all its statements raw, summed",
            "queries: statements of one request (CaptureQueriesContext: session, user, grants, page, count …)",
        ),
    ]
    print_table(vendor, notes, results)
    common.write_results(results_file, results)
    return 0


def pick() -> Picks:
    from django.db.models import Count

    from shequ.accounts.models import Grant
    from shequ.party.models import MemberEvent, PartyMember

    street = Grant.objects.select_related("node").get(user__username="street").node
    in_street = PartyMember.objects.within(street.path)
    # The archive with the longest timeline in the street (admission, conversion, transfers, reports, honours).
    busiest = (
        MemberEvent.objects.filter(member__in=in_street.values("pk"))
        .values("member")
        .annotate(n=Count("id"))
        .order_by("-n", "member")
        .first()
    )
    if busiest is None:
        busiest = {"member": in_street.order_by("pk").values_list("pk", flat=True).first(), "n": 0}
    member = PartyMember.objects.get(pk=busiest["member"])
    return Picks(
        street_id=street.pk,
        street_name=street.name,
        street_members=in_street.count(),
        city_members=PartyMember.objects.count(),
        member_id=member.pk,
        member_name=member.name,
        member_events=busiest["n"],
        member_payments=member.dues_payments.count(),
    )


# Which of a request's statements is its main query.
MAIN_QUERY: dict[str, Callable[[str], bool]] = {
    "list": lambda sql: (
        sql.lstrip().upper().startswith("SELECT")
        and '"party_partymember"' in sql.split(" FROM ", 1)[-1][:40]
        and re.search(r"\bLIMIT\b", sql, re.I) is not None
        and "ORDER BY" in sql
        and "COUNT(" not in sql
    ),
    "stats": lambda sql: '"party_membertally"' in sql and '"dimension" IN' in sql,
    "archive": lambda sql: sql.lstrip().upper().startswith("SELECT") and 'FROM "party_memberevent"' in sql,
}


class PartyBench(common.ClientBench):
    """Requests through the test client, each against its main query sent raw."""

    picks: Picks

    def run_all(self) -> list[Result]:
        p = self.picks
        street, archive = f"?within={p.street_id}", f"/party/members/{p.member_id}/"
        return [
            self.measure("UI street member list, page 1", "street", "/party/members/", "list"),
            self.measure("UI street member list, page 1", "city", f"/party/members/{street}", "list"),
            self.measure("UI city statistics page", "city", "/party/statistics/", "stats"),
            self.measure("UI member archive", "city", archive, "archive"),
            self.measure("UI member archive", "street", archive, "archive"),
            self.measure("API street member list", "city", f"/api/v1/party/members/{street}", "list", extra=True),
            self.measure("API city statistics", "city", "/api/v1/party/statistics", "stats", extra=True),
            self.measure("UI street statistics page", "street", "/party/statistics/", "stats", extra=True),
            self.measure("UI whole city member list, page 1", "city", "/party/members/", "list", extra=True),
        ]

    # -- helpers ---------------------------------------------------------------------

    def measure(self, label: str, user: str, url: str, kind: str, extra: bool = False) -> Result:
        _response, logged, sent = self.capture(user, url)
        mains = [s for s in sent if MAIN_QUERY[kind](s[0])]
        if not mains:
            raise RuntimeError(f"{label}: no main query among {logged}")
        main_sql, main_params = mains[-1]
        reads = [s for s in sent if s[0].lstrip().upper().startswith("SELECT")]

        def every_read() -> None:
            for sql, params in reads:
                common.fetch_all(sql, params)

        request_timing, raw_timing = self.timed_request(user, url, lambda: common.fetch_all(main_sql, main_params))
        db_ms = common.median_ms(every_read)
        return Result(
            operation=label,
            user=user,
            request=request_timing,
            raw=raw_timing,
            db_ms=db_ms,
            queries=len(logged),
            extra=extra,
        )


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def print_table(vendor: str, notes: list[str], results: list[Result]) -> None:
    mark = common.marker()
    header = (
        f"{'operation':<36} {'user':<6} {'req med':>8} {'req p95':>8} {'raw med':>8} {'req/raw':>8}"
        f" {'db':>7} {'queries':>7}  result"
    )
    common.print_heading(notes, header)
    for r in results:
        verdict = common.verdict(mark, r.passed)
        name = ("* " if r.extra else "") + r.operation
        print(
            f"{name:<36} {r.user:<6} {r.request.median:>8.1f} {r.request.p95:>8.1f} {r.raw.median:>8.1f}"
            f" {r.ratio:>7.1f}x {r.db_ms:>7.1f} {r.queries:>7}  {verdict}"
        )
    goal = f"≤ {TARGET_MS:.0f} ms median server-side"
    common.print_verdict(mark, common.targets_of(results), goal, common.LABELS[vendor])


if __name__ == "__main__":
    sys.exit(main())
