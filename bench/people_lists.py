"""Benchmark of the residents' list at city scale: one street's first page and the searches, against raw SQL.

Usage::

    .venv/bin/python bench/people_lists.py [--db sqlite|postgres|both] [--runs N] [--rebuild]

Issue 3 asks, with 1,000,000 residents, for the resident list of one street (first page) and a
search by name, pinyin or full identity number within 300 ms server-side and 10 queries, with no
exact count over a million rows.

The database is the demo city as ``shequ seed --scale city --seed 1`` builds it (about 1,000,000
residents in 320,000 units of 100 streets).  Building it takes 15 to 35 minutes (33 on a shared
2-core machine), so it is kept between runs: the SQLite file ``/tmp/shequ-city.sqlite3`` and the
PostgreSQL database ``shequ_city_bench`` on 127.0.0.1:5432.  It is built under another name and renamed when the seed
has finished, so a database found under that name is complete; ``--rebuild`` builds it again.
PostgreSQL is vacuumed and analyzed after the build, as autovacuum would soon do; SQLite gets no
ANALYZE, because Django never runs one.

For every database one worker process (a clean Django setup pointing at it) migrates (new
migrations since the build, if any), then sends requests through Django's test ``Client`` (no HTTP;
no test environment either, so no template instrumentation) to the real URLs, the screens' and the
API's, logged in as the demo's city administrator (a grant on the city: searches cover all the
residents) and street officer (a grant on one street).  A full identity number is searched on the
screens as the browser does after posting the form (``?idh=<keyed hash>``) and through the API as
``?q=<number>``.  Each request is timed around
``client.get``, so the time is everything the server does (middleware, session, scope, filter, page,
count, template or JSON) and nothing else but the test client's own small overhead.  The baseline,
timed in turns with the requests, is the request's main query (the page's SELECT) sent again as raw
SQL through ``connection.cursor()``; the time of the capped count sent raw is shown too.  Query
counts come from ``CaptureQueriesContext`` on a separate request.  Every COUNT over residents must
carry a LIMIT (``CappedPaginator``).

The verdict compares the request's median with 300 ms and its query count with 10.  A missed target
prints FAIL but does not change the exit status: this is a benchmark, not a test.  The exit status
is non-zero only when a database could not be benchmarked at all.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now

# The kept city, with the var dir of each database: its field encryption key (the identity numbers are
# encrypted with it).
CITY = common.KeptDatabase(
    common.Database(Path("/tmp/shequ-city.sqlite3"), "shequ_city_bench"),
    {"sqlite": Path("/tmp/shequ-city-sqlite.var"), "postgres": Path("/tmp/shequ-city-postgres.var")},
)
SEED = ["--scale", "city", "--seed", "1"]
PASSWORD = "bench-pass-123"

TARGET_MS = 300.0
TARGET_QUERIES = 10
UI_URL = "/people/residents/"
API_URL = "/api/v1/people/residents/"


@dataclass(kw_only=True)
class Result(common.RequestResult):
    """One line of the table (raw: the page's SELECT alone)."""

    rows: int  # on the page
    raw_count_ms: float  # the capped count alone, raw (0 when there is none)
    uncapped_counts: int

    @property
    def passed(self) -> bool:
        return self.request.median <= TARGET_MS and self.queries <= TARGET_QUERIES and not self.uncapped_counts


# --------------------------------------------------------------------------------------
# Main process: the cached databases, one worker per database.
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="both", help="database(s) to benchmark")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per operation (default 20)")
    parser.add_argument("--rebuild", action="store_true", help="seed the city again instead of the kept database")
    args = common.parse_args(parser, argv)
    if args.worker:
        return run_worker(args.worker, args.runs, args.results)

    def run(vendor: str) -> list[Result] | None:
        ensure_database(vendor, args.rebuild)
        items = CITY.run_results_worker(__file__, vendor, "shequ-lists-bench-", ["--runs", str(args.runs)])
        return common.results_from_json(Result, items)

    status, summaries = common.each_database(args.db, run)
    common.print_summary(
        summaries,
        lambda r: f"{r.operation} ({r.user}) {r.request.median:.0f} ms, {r.queries} q",
        lambda r: f"{r.operation} ({r.user}): {r.request.median:.0f} ms, {r.queries} q",
    )
    return status


def ensure_database(vendor: str, rebuild: bool) -> None:
    """The kept city database, built first if it is missing (or if asked to)."""
    if CITY.exists(vendor) and not rebuild:
        print(f"{common.LABELS[vendor]}: using the kept city database ({CITY.url(vendor)}; --rebuild to seed it again)")
        return
    CITY.staging.create(vendor)
    print(f"{common.LABELS[vendor]}: building the city (shequ seed {' '.join(SEED)}); this takes 15 to 35 minutes …")
    sys.stdout.flush()
    shutil.rmtree(CITY.var_dir(vendor, building=True), ignore_errors=True)
    env = CITY.env(vendor, building=True)
    started = time.perf_counter()
    common.shequ_cli(env, "migrate", "--noinput", "-v0")
    summary = common.last_json(common.shequ_cli(env, "seed", *SEED, "--password", PASSWORD, "--json"))
    seconds = time.perf_counter() - started
    print(
        f"  built in {seconds / 60:.1f} min: {summary.get('residents', '?'):,} residents, {summary['nodes']:,} places"
    )
    CITY.finish_build(vendor)


# --------------------------------------------------------------------------------------
# Worker: runs inside its own process, with the environment pointing at one database.
# --------------------------------------------------------------------------------------


@dataclass
class Picks:
    """What the requests ask for, taken from the data."""

    street_id: int
    street_name: str
    street_residents: int
    name: str
    pinyin: str
    initials: str
    id_number: str
    id_token: str  # what the screens' URL carries instead of the number (the form is posted, then redirected)


def run_worker(vendor: str, runs: int, results_file: Path | None) -> int:
    migrate_seconds = common.setup_worker(vendor)
    common.plain_static_files()

    from shequ.people.models import Resident

    total = Resident.objects.count()
    picks = pick()
    bench = ListBench(picks, runs)
    results, load = common.with_load(bench.run_all)

    notes = [
        f"{common.LABELS[vendor]} {common.database_version(vendor)}: {total:,} residents (shequ seed {' '.join(SEED)});"
        f" migrations checked in {migrate_seconds:.1f} s",
        f"street: #{picks.street_id} {picks.street_name}, {picks.street_residents:,} residents",
        f"searched: name {picks.name!r}, pinyin prefix {picks.pinyin!r}, initials {picks.initials!r},"
        f" identity number {picks.id_number[:6]}…{picks.id_number[-4:]}",
        *bench.notes(
            load,
            runs,
            "raw: the request's page SELECT sent again through connection.cursor(); count: its capped COUNT, raw",
            "queries: statements of one request (CaptureQueriesContext: session, user, grants, filters, page, count …)",
        ),
    ]
    print_table(vendor, notes, results)
    common.write_results(results_file, results)
    return 0


def pick() -> Picks:
    from shequ.accounts.models import Grant
    from shequ.people.models import Resident

    street = Grant.objects.select_related("node").get(user__username="street").node
    in_street = Resident.objects.within(street.path).filter(archived=False)
    count = in_street.count()
    # A resident from the middle of the street, by id: a real name, pinyin and number.
    sample = in_street.order_by("id")[count // 2]
    pinyin = sample.pinyin[:-2] if len(sample.pinyin) > 6 else sample.pinyin
    number = Resident.objects.get(pk=sample.pk).id_number  # decrypted by the field
    return Picks(
        street_id=street.pk,
        street_name=street.name,
        street_residents=count,
        name=sample.name,
        pinyin=pinyin,
        initials=sample.initials,
        id_number=number,
        id_token=Resident.search_token(number) or "",
    )


class ListBench(common.ClientBench):
    """Requests through the test client, each against its main query sent raw."""

    picks: Picks

    def run_all(self) -> list[Result]:
        p = self.picks
        results = []
        for channel, url in (("UI", UI_URL), ("API", API_URL)):
            # The screens post a full identity number and land on ?idh=<its keyed hash>; the API takes ?q=.
            by_number = {"idh": p.id_token} if channel == "UI" and p.id_token else {"q": p.id_number}
            searches = [
                ("search: Chinese name", {"q": p.name}),
                ("search: pinyin prefix", {"q": p.pinyin}),
                ("search: initials", {"q": p.initials}),
                ("search: full identity number", by_number),
            ]
            results.append(self.measure(f"{channel} street list, page 1", "street", url, {}))
            results.append(self.measure(f"{channel} street list, page 1", "city", url, {"within": p.street_id}))
            for user in ("city", "street"):
                for label, params in searches:
                    results.append(self.measure(f"{channel} {label}", user, url, params))
            results.append(self.measure(f"{channel} whole city, page 1", "city", url, {}, extra=True))
        return results

    # -- helpers ---------------------------------------------------------------------

    def measure(self, label: str, user: str, path: str, params: dict[str, Any], extra: bool = False) -> Result:
        from django.db import connection

        url = f"{path}?{urlencode(params)}" if params else path
        response, logged, sent = self.capture(user, url)
        resident_table = connection.ops.quote_name("people_resident")
        counts = [s for s in sent if re.search(r"\bCOUNT\(", s[0], re.I) and resident_table in s[0]]
        uncapped = [s for s in counts if not re.search(r"\bLIMIT\b", s[0], re.I)]
        pages = [
            s for s in sent if s[0].lstrip().upper().startswith("SELECT") and s not in counts and resident_table in s[0]
        ]
        pages = [s for s in pages if re.search(r"\bLIMIT\b", s[0], re.I) and "ORDER BY" in s[0]]
        if not pages:
            raise RuntimeError(f"{label}: no page query among {logged}")
        page_sql, page_params = pages[-1]
        rows = self.page_rows(response)

        def raw() -> list[Any]:
            return common.fetch_all(page_sql, page_params)

        if len(raw()) != rows:
            raise RuntimeError(f"{label}: the raw page query returns {len(raw())} rows, the page shows {rows}")
        request_timing, raw_timing = self.timed_request(user, url, raw)
        count_ms = 0.0
        if counts:
            count_sql, count_params = counts[-1]
            count_ms = common.median_ms(lambda: common.fetch_all(count_sql, count_params))
        return Result(
            operation=label,
            user=user,
            rows=rows,
            request=request_timing,
            raw=raw_timing,
            raw_count_ms=count_ms,
            queries=len(logged),
            uncapped_counts=len(uncapped),
            extra=extra,
        )

    @staticmethod
    def page_rows(response: Any) -> int:
        if response["Content-Type"].startswith("application/json"):
            return len(json.loads(response.content)["items"])
        return len(set(re.findall(rb'href="/people/residents/(\d+)/"', response.content)))


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def print_table(vendor: str, notes: list[str], results: list[Result]) -> None:
    mark = common.marker()
    header = (
        f"{'operation':<34} {'user':<6} {'rows':>4} {'req med':>8} {'req p95':>8} {'raw med':>8} {'count':>7}"
        f" {'req/raw':>7} {'queries':>7} {'counts':>7}  result"
    )
    common.print_heading(notes, header)
    for r in results:
        verdict = common.verdict(mark, r.passed)
        capped = "capped" if not r.uncapped_counts else f"{r.uncapped_counts} FULL"
        name = ("* " if r.extra else "") + r.operation
        print(
            f"{name:<34} {r.user:<6} {r.rows:>4} {r.request.median:>8.1f} {r.request.p95:>8.1f} {r.raw.median:>8.1f}"
            f" {r.raw_count_ms:>7.1f} {r.ratio:>6.1f}x {r.queries:>7} {capped:>7}  {verdict}"
        )
    goal = f"≤ {TARGET_MS:.0f} ms median, ≤ {TARGET_QUERIES} queries, counts capped"
    common.print_verdict(mark, common.targets_of(results), goal, common.LABELS[vendor])


if __name__ == "__main__":
    sys.exit(main())
