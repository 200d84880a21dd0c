"""Load benchmark of the evaluations' portal survey: households answering through the production server
(gunicorn, PostgreSQL) under a load generator on loopback.

Usage::

    .venv/bin/python bench/oversight.py [--quick] [--answers N] [--clients N] [--workers N] [--keep]

Issue 13 asks, for a survey of 50,000 households, at least 200 answers recorded per second through the portal
under a load generator on loopback, no answer lost or doubled, and a city's results within 300 ms.

Method.  The main process creates the PostgreSQL database ``shequ_bench_oversight`` (127.0.0.1:5432, user
postgres, trust) and a fresh var dir with production settings (DEBUG off), runs ``shequ migrate`` and
``collectstatic``, then a worker process builds a city → … → residential area with 50,000 households
(``--quick``: 10,000), each with a head whose phone is known, bulk-created, a property company serving the
area and an open household evaluation of it (4 items).  gunicorn starts as production starts it.

The load generator is this script: ``--clients`` processes (default 8), each with one keep-alive HTTP/1.1
connection, that first GET the survey page once for the CSRF cookie and token, then POST the form (household
number, the phone's last four digits, a rating per item) for their share of the households, each household
once.  An answer counts as recorded on the 302 to the thank-you page.  Measured in the same run through the
same server and generator: ``GET /health/`` (the baseline: middleware and one ``SELECT 1``), then the answers
(``--answers``, default 10,000 of the 50,000; every household with ``--answers 50000``), then 500 households
answering a second time (each must be refused, 400, nothing written).

Checked afterwards in the database: answers in the table = 302s seen, the campaign's kept counts = the
table's, no household twice (the unique constraint, and a GROUP BY).  Then, in a worker, a city's results:
the property-company satisfaction of the city computed from the campaigns (what the figures page refreshes)
and the per-item results of the 50,000-household campaign, each the median of 5 runs.

Printed: answers/s, p50/p95 latency, the ratio to /health/, the checks, and the verdict against the targets
(a missed target prints FAIL; the exit status is non-zero only when the benchmark could not run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now
from bench import services_load as load  # noqa: E402

PG_DATABASE = "shequ_bench_oversight"
HOUSEHOLDS_FULL, HOUSEHOLDS_QUICK = 50_000, 10_000
TARGET_RPS = 200.0
RESULTS_TARGET_MS = 300.0
ITEMS = "服务态度\n环境卫生\n安全秩序\n设施维修"
AGAIN = 500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 households, 2,000 answers")
    parser.add_argument("--answers", type=int, help="answers to send (default 10,000; --quick 2,000)")
    parser.add_argument("--clients", type=int, default=8, help="load-generator processes (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4: two per core)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.prepare, args.count or HOUSEHOLDS_FULL)
    if args.results:
        return results(args.results)
    households = HOUSEHOLDS_QUICK if args.quick else HOUSEHOLDS_FULL
    answers = min(args.answers or (2_000 if args.quick else 10_000), households - AGAIN)
    var_dir = Path(tempfile.mkdtemp(prefix="shequ-bench-oversight-"))
    env = load.production_env(var_dir)
    env["DATABASE_URL"] = f"{common.PG_SERVER_URL}/{PG_DATABASE}"
    server = None
    try:
        try:
            common.pg_execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"', f'CREATE DATABASE "{PG_DATABASE}"')
        except Exception as exc:  # noqa: BLE001 - say why and stop
            print(f"cannot prepare the PostgreSQL database at {common.PG_SERVER_URL}: {exc}", file=sys.stderr)
            return 1
        print(f"setting up: migrate, collectstatic, {households:,} households …", flush=True)
        started = time.perf_counter()
        load.shequ(env, "migrate", "--noinput", "-v0")
        load.shequ(env, "collectstatic", "--noinput", "-v0")
        setup = child(env, var_dir, "--prepare", "--count", str(households))
        built = time.perf_counter() - started
        port = load.free_port()
        server = load.start_gunicorn(env, var_dir, port, args.workers)
        base = f"127.0.0.1:{port}"
        load.wait_until_up(f"http://{base}", server, var_dir)
        survey = f"/oversight/portal/{setup['campaign']}/"
        numbers = setup["numbers"]
        run(base, survey, [], args.clients, "health", 400)  # warm-up
        health = run(base, survey, [], args.clients, "health", answers)
        first = run(base, survey, numbers[:answers], args.clients, "answer", 0)
        again = run(base, survey, numbers[:AGAIN], args.clients, "answer", 0)
        check = child(env, var_dir, "--results")
        report(setup, built, health, first, again, check, args)
        return 0
    except load.SetupError as exc:
        print(f"\nthe benchmark could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            load.stop(server)
        shutil.rmtree(var_dir, ignore_errors=True)
        if not args.keep:
            try:
                common.pg_execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            except Exception:  # noqa: BLE001,S110 - nothing more to do
                pass


def child(env: dict[str, str], var_dir: Path, flag: str, *extra: str) -> dict[str, Any]:
    out = var_dir / f"{flag.strip('-')}.json"
    command = [sys.executable, str(Path(__file__).resolve()), flag, str(out), *extra]
    completed = subprocess.run(command, env=env, cwd=REPO_DIR, check=False)
    if completed.returncode != 0 or not out.exists():
        raise load.SetupError(f"{flag} failed (exit status {completed.returncode})")
    data: dict[str, Any] = json.loads(out.read_text())
    return data


# --------------------------------------------------------------------------------------
# The load generator
# --------------------------------------------------------------------------------------


def run(base: str, survey: str, numbers: list[str], clients: int, kind: str, count: int) -> dict[str, Any]:
    """*clients* processes share the work; answers/s over the wall time of the whole run."""
    shares = [numbers[i::clients] for i in range(clients)] if kind == "answer" else [count // clients] * clients
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        parts = pool.starmap(client, [(base, survey, share, kind) for share in shares])
    wall = time.perf_counter() - started
    latencies = sorted(ms for part in parts for ms in part["latencies"])
    statuses: dict[str, int] = {}
    for part in parts:
        for status, n in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else 0.0,
        "statuses": statuses,
    }


def client(base: str, survey: str, work: Any, kind: str) -> dict[str, Any]:
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    if kind == "health":
        for _ in range(work):
            t = time.perf_counter()
            conn.request("GET", "/health/")
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - t) * 1000)
            statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
        return {"latencies": latencies, "statuses": statuses}
    conn.request("GET", survey)
    response = conn.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not cookie or not token:
        raise RuntimeError("no CSRF cookie or token on the survey page")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie.group(1)}",
        "Referer": f"http://{base}{survey}",
    }
    for i, (number, last4) in enumerate(work):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "household_number": number,
                "last4": last4,
                **{f"item_{j}": 1 + (i + j) % 3 for j in range(4)},
            }
        )
        t = time.perf_counter()
        conn.request("POST", survey, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - t) * 1000)
        statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
    return {"latencies": latencies, "statuses": statuses}


# --------------------------------------------------------------------------------------
# Workers (Django)
# --------------------------------------------------------------------------------------


def prepare(out: Path, count: int) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from shequ.orgs.models import Organization
    from shequ.oversight.models import Campaign, Evaluators, SubjectKind
    from shequ.people.models import Household, Resident
    from shequ.territory.actions import do_create_node
    from shequ.territory.models import Kind

    admin = get_user_model().objects.create_superuser("bench", password="bench-pass-123")
    with transaction.atomic():
        city = do_create_node(acting_user=admin, parent=None, kind=Kind.CITY, name="测评市", code="990100")
        district = do_create_node(acting_user=admin, parent=city, kind=Kind.DISTRICT, name="东区", code="990101")
        street = do_create_node(acting_user=admin, parent=district, kind=Kind.STREET, name="和平街道", code="990101001")
        community = do_create_node(
            acting_user=admin, parent=street, kind=Kind.COMMUNITY, name="和平社区", code="990101001001"
        )
        grid = do_create_node(acting_user=admin, parent=community, kind=Kind.GRID, name="第1网格")
        estate = do_create_node(acting_user=admin, parent=grid, kind=Kind.ESTATE, name="幸福小区")
        buildings = [
            do_create_node(acting_user=admin, parent=estate, kind=Kind.BUILDING, name=f"{b + 1}栋") for b in range(50)
        ]
        numbers: list[tuple[str, str]] = []
        for start in range(0, count, 5000):
            batch = [
                Household(
                    node=buildings[i % len(buildings)],
                    path=buildings[i % len(buildings)].path,
                    number=f"H{i:06d}",
                    address=f"{i % 30 + 1}-{i % 6 + 1}01",
                )
                for i in range(start, min(count, start + 5000))
            ]
            Household.objects.bulk_create(batch)
            people = []
            for h in batch:
                i = int(h.number[1:])
                phone = f"139{i:08d}"
                people.append(Resident(node=h.node, path=h.path, name=f"户主{i}", phone=phone, household=h))
                numbers.append((h.number, phone[-4:]))
            Resident.objects.bulk_create(people)
        company = Organization.objects.create(
            node=community, path=community.path, kind="property_company", name="幸福物业"
        )
        company.estates.add(estate)
        campaign = Campaign.objects.create(
            node=estate,
            year=2026,
            subject_kind=SubjectKind.PROPERTY_COMPANY,
            subject=company,
            evaluators=Evaluators.HOUSEHOLDS,
            items=ITEMS,
            expected=count,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out.write_text(
        json.dumps(
            {"campaign": campaign.pk, "numbers": numbers, "server_version": getattr(connection, "pg_version", "")}
        )
    )
    return 0


def results(out: Path) -> int:
    import django

    django.setup()
    from django.db.models import Count

    from shequ.core.indicators import communities
    from shequ.oversight.indicators import satisfaction
    from shequ.oversight.models import Answer, Campaign
    from shequ.oversight.results import item_results, refresh_counts
    from shequ.territory.models import Kind, Node

    refresh_counts()  # what the campaign's page, the figures and each tick do
    campaign = Campaign.objects.get()
    city = Node.objects.get(kind=Kind.CITY)
    places = list(communities([city]))
    doubled = Answer.objects.values("household_id").annotate(n=Count("pk")).filter(n__gt=1).count()

    def timed(call: Any) -> float:
        samples = []
        for _ in range(5):
            t = time.perf_counter()
            call()
            samples.append((time.perf_counter() - t) * 1000)
        return statistics.median(samples)

    data = {
        "answers": Answer.objects.count(),
        "kept": campaign.answers_count,
        "ratings_kept": campaign.satisfied + campaign.basic + campaign.dissatisfied,
        "doubled": doubled,
        "city_ms": timed(lambda: satisfaction(places, 2026)),
        "items_ms": timed(lambda: item_results(campaign)),
        "satisfaction": campaign.satisfaction,
    }
    out.write_text(json.dumps(data))
    return 0


def report(
    setup: dict[str, Any],
    built: float,
    health: dict[str, Any],
    first: dict[str, Any],
    again: dict[str, Any],
    check: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    recorded = first["statuses"].get("302", 0)
    refused = again["statuses"].get("400", 0)
    ok_rps = first["rps"] >= TARGET_RPS
    ok_lost = check["answers"] == recorded == first["requests"] and check["kept"] == check["answers"]
    ok_doubled = check["doubled"] == 0 and refused == AGAIN
    ok_results = max(check["city_ms"], check["items_ms"]) <= RESULTS_TARGET_MS
    print()
    print(f"PostgreSQL {setup['server_version']}: {len(setup['numbers']):,} households; set up in {built:.0f} s")
    print(f"gunicorn, {args.workers} sync workers (production settings); {args.clients} client processes, keep-alive")
    print(f"{'what':<40} {'requests':>9} {'per s':>8} {'p50 ms':>7} {'p95 ms':>7} {'/health':>8}  statuses")
    for label, r in (("baseline: GET /health/", health), ("portal answers (first)", first), ("second answers", again)):
        print(
            f"{label:<40} {r['requests']:>9,} {r['rps']:>8.0f} {r['p50']:>7.1f} {r['p95']:>7.1f}"
            f" {r['rps'] / health['rps']:>8.2f}  {r['statuses']}"
        )
    print(f"answers recorded ≥ {TARGET_RPS:.0f}/s: {first['rps']:.0f}/s  {'PASS' if ok_rps else 'FAIL'}")
    print(
        f"none lost: {recorded:,} 302s, {check['answers']:,} rows, counts kept {check['kept']:,}"
        f"  {'PASS' if ok_lost else 'FAIL'}"
    )
    print(
        f"none doubled: {refused} of {AGAIN} second answers refused, {check['doubled']} households twice"
        f"  {'PASS' if ok_doubled else 'FAIL'}"
    )
    print(
        f"a city's results ≤ {RESULTS_TARGET_MS:.0f} ms: satisfaction over the city {check['city_ms']:.1f} ms,"
        f" per-item results of the survey {check['items_ms']:.1f} ms  {'PASS' if ok_results else 'FAIL'}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")


if __name__ == "__main__":
    sys.exit(main())
