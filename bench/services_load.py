"""Load benchmark of residents' requests: the production server (gunicorn, PostgreSQL) under ``wrk`` on loopback.

Usage::

    .venv/bin/python bench/services_load.py [--quick] [--duration S] [--connections N] [--workers N] [--keep]

Issue 5 asks, under a load generator on loopback against the production server, for at least 300
requests/s reading a single request through the API and at least 100 requests/s on the staff request
list page, with a p95 latency under 500 ms.  Issue 18 restates them as ratios to ``/health/`` in the same
run (absolute rates on a 2-core machine say more about the machine than the code): the API read
≥ 0.40×, an API list page of 50 ≥ 0.25×, the staff list page ≥ 0.15×, p95 under 250 ms, no errors.

Method.  The main process drops and creates the PostgreSQL database ``shequ_bench_services_load``
(127.0.0.1:5432, user postgres, trust) and a fresh var dir, and sets the environment production
reads (``SHEQU_SECRET_KEY`` and ``SHEQU_FIELD_KEY`` set, so DEBUG is off; ``SHEQU_ALLOWED_HOSTS``;
``SHEQU_SECURE_SSL_REDIRECT=0`` as behind a TLS proxy).  Then, as ``scripts/prod_smoke.sh`` does:
``shequ migrate``, ``shequ collectstatic`` (whitenoise's manifest), ``shequ seed --scale small`` (the
demo city with its logins), and in a worker process 200,000 more requests (``--quick``: 20,000)
bulk-created the way ``bench/services.py`` does (``bulk_create`` in batches of 5,000) over every grid,
routed to the community's residents' committee, 60 % closed and 40 % open, followed by ``VACUUM
ANALYZE`` (what autovacuum does soon after a bulk load).  The worker also logs in the demo's community
worker (``community``) and street officer (``street``) — a session in the database, as a login
makes — issues an API key to the street officer, picks 1,000 requests in the officer's scope, and
counts each page's queries once with Django's test client (``CaptureQueriesContext``).

gunicorn is started from the repository as production starts it (``gunicorn shequ.wsgi -w N -b …``,
reading ``gunicorn.conf.py``; sync workers).  Workers: 4 by default, two per core on this 2-core
machine: a request spends part of its time waiting for PostgreSQL, so one worker per core would leave a
core idle, while more than two per core only add context switches on a box that also runs PostgreSQL
and ``wrk`` (gunicorn's ``2 × cores + 1`` assumes the load generator and database live elsewhere).

Each URL gets a 2-second warm-up, then ``--rounds`` rounds (3), each running every URL in turn for
``wrk -t2 -c<connections> -d<duration>`` (10 s; ``--quick`` 3 s), with a Lua script that rotates
over the URLs, sends the session cookie or the ``Authorization: Bearer`` header, counts every non-2xx
answer (redirects included: a redirect to the login page is a failure) and prints
``latency:percentile(50/95/99)``.  Measured:

* baselines in the same run through the same gunicorn: ``/health/`` (middleware and one ``SELECT 1``)
  and a static file served by whitenoise (the server's floor without Django's view layer);
* ``GET /api/v1/services/requests/<id>`` with the street officer's key, over 1,000 ids;
* ``GET /api/v1/services/requests/?page_size=50`` with the same key (a list page of 50, capped count);
* ``GET /services/requests/`` (the staff request list, first page, 50 rows, capped count) as the
  community worker and as the street officer.

Printed: requests/s over all rounds, the median round's p50 and the worst round's p95/p99 in ms,
non-2xx and socket errors, the throughput ratio to ``/health/`` (the median over the rounds of the
URL's rate divided by ``/health/``'s in the same round: the machine's speed drifts by a third within
minutes, which a single baseline run measured as much as the code), the queries of one request, and
the verdict against the targets.  A missed target prints FAIL but does not change the exit status:
this is a benchmark, not a test.  The exit status is non-zero only when the benchmark could not run
(no ``wrk``, no PostgreSQL, a failed set-up).  Errors under load
(a non-2xx answer or a socket error) fail the target they occur on.

``wrk`` is the Debian/Ubuntu package ``wrk`` (``apt-get install wrk``); elsewhere build it from
https://github.com/wg/wrk.  Figures depend on what else the machine runs: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now

BIN_DIR = Path(sys.executable).parent
PG_DATABASE = "shequ_bench_services_load"
PASSWORD = "bench-pass-123"
REQUESTS_FULL, REQUESTS_QUICK = 200_000, 20_000
API_IDS = 1000

API_TARGET_RPS = 300.0
LIST_TARGET_RPS = 100.0
P95_TARGET_MS = 250.0  # issue 18 (issue 5 asked for 500)
# Issue 18: throughput as a ratio to /health/ in the same run.
API_RATIO, API_LIST_RATIO, LIST_RATIO = 0.40, 0.25, 0.15


@dataclass
class Target:
    label: str
    user: str
    paths: list[str]
    headers: dict[str, str]
    min_rps: float | None  # None: a baseline, no target
    queries: int | None = None
    min_ratio: float = 0.0  # to /health/ in the same run (issue 18)


@dataclass
class Outcome:
    target: Target
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    non2xx: int
    socket_errors: int
    ratio: float = 0.0  # to /health/ in the same run: the median of the rounds' ratios (combine)

    @property
    def passed(self) -> bool:
        if self.target.min_rps is None:
            return True
        fast = self.rps >= self.target.min_rps and self.ratio >= self.target.min_ratio
        return fast and self.p95 < P95_TARGET_MS and not self.errors

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


# --------------------------------------------------------------------------------------
# Main process
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 requests in the database, 5-second runs")
    parser.add_argument("--duration", type=int, help="seconds of load per URL and round (default 10; --quick 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every URL, interleaved (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections of wrk (default 16)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4: two per core)")
    parser.add_argument("--port", type=int, default=0, help="port of gunicorn on 127.0.0.1 (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.prepare, args.count or REQUESTS_FULL)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "wrk (the HTTP load generator) is not installed.  On Debian/Ubuntu: `sudo apt-get install wrk`;"
            " elsewhere build it from https://github.com/wg/wrk and put it on the PATH.",
            file=sys.stderr,
        )
        return 1
    duration = args.duration or (3 if args.quick else 10)
    count = REQUESTS_QUICK if args.quick else REQUESTS_FULL
    var_dir = Path(tempfile.mkdtemp(prefix="shequ-bench-load-"))
    env = production_env(var_dir)
    server: subprocess.Popen[bytes] | None = None
    try:
        try:
            common.pg_execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"', f'CREATE DATABASE "{PG_DATABASE}"')
        except Exception as exc:  # noqa: BLE001 - say why and stop
            print(f"cannot prepare the PostgreSQL database at {common.PG_SERVER_URL}: {exc}", file=sys.stderr)
            return 1
        started = time.perf_counter()
        setup = set_up(env, var_dir, count)
        built = time.perf_counter() - started
        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, var_dir, port, args.workers)
        wait_until_up(base, server, var_dir)
        targets = make_targets(setup)
        for target in targets:
            check_answer(base, target)
        for target in targets:
            run_wrk(wrk, base, target, var_dir, 2, args.connections)  # warm-up: connections, templates, caches
        rounds: list[list[Outcome]] = [[] for _ in targets]
        for _round in range(max(1, args.rounds)):
            for runs, target in zip(rounds, targets, strict=True):
                runs.append(run_wrk(wrk, base, target, var_dir, duration, args.connections))
        outcomes = [combine(runs, rounds[0]) for runs in rounds]
        notes = [
            f"PostgreSQL {setup['server_version']}: {setup['requests']:,} requests in the database"
            f" ({setup['in_scope_street']:,} in the street officer's scope, {setup['in_scope_community']:,}"
            f" in the community worker's); set up in {built:.0f} s",
            f"gunicorn {setup['gunicorn']} on {base}: {args.workers} sync workers (production settings, DEBUG off);"
            f" wrk -t2 -c{args.connections} -d{duration}s per URL after a 2 s warm-up, {args.rounds} rounds"
            " interleaved over every URL (a ratio is the median of the rounds' ratios to /health/)",
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end"
            " (the figures are only as good as the machine is quiet)",
        ]
        print_table(notes, outcomes)
        return 0
    except SetupError as exc:
        print(f"\nthe benchmark could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(var_dir, ignore_errors=True)
        if not args.keep:
            try:
                common.pg_execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            except Exception:  # noqa: BLE001,S110 - nothing more to do
                pass
        else:
            print(f"kept the database {common.PG_SERVER_URL}/{PG_DATABASE}")


class SetupError(RuntimeError):
    pass


def production_env(var_dir: Path) -> dict[str, str]:
    # SHEQU_REDIS_URL, when set, is passed on: the cache then is Redis (it only holds the portal's counters).
    env = {k: v for k, v in os.environ.items() if k not in ("SHEQU_DEBUG", "PYTEST_VERSION")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shequ.settings",
            "DATABASE_URL": f"{common.PG_SERVER_URL}/{PG_DATABASE}",
            "SHEQU_VAR_DIR": str(var_dir),
            "SHEQU_SECRET_KEY": secrets.token_urlsafe(64),
            "SHEQU_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SHEQU_ALLOWED_HOSTS": "127.0.0.1",
            "SHEQU_SECURE_SSL_REDIRECT": "0",
            "SHEQU_LOG_LEVEL": "WARNING",
            "PYTHONPATH": common.python_path(),
        }
    )
    return env


def shequ(env: dict[str, str], *command: str) -> str:
    return common.shequ_cli(env, *command, error=SetupError)


def set_up(env: dict[str, str], var_dir: Path, count: int) -> dict[str, Any]:
    print(f"setting up: migrate, collectstatic, seed --scale small, {count:,} requests …")
    sys.stdout.flush()
    shequ(env, "migrate", "--noinput", "-v0")
    shequ(env, "collectstatic", "--noinput", "-v0")
    shequ(env, "seed", "--scale", "small", "--seed", "1", "--password", PASSWORD, "--json")
    out = var_dir / "setup.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--prepare", str(out), "--count", str(count)]
    completed = subprocess.run(command, env=env, cwd=REPO_DIR, check=False)
    if completed.returncode != 0 or not out.exists():
        raise SetupError(f"preparing the data failed (exit status {completed.returncode})")
    setup: dict[str, Any] = json.loads(out.read_text())
    gunicorn = subprocess.run([str(BIN_DIR / "gunicorn"), "--version"], capture_output=True, text=True)
    setup["gunicorn"] = (gunicorn.stdout or gunicorn.stderr).strip().split()[-1].strip(")")
    return setup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], var_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = BIN_DIR / "gunicorn"
    if not gunicorn.exists():
        raise SetupError(f"{gunicorn} is missing (make install)")
    command = [str(gunicorn), "shequ.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--error-logfile", str(var_dir / "gunicorn.log")]
    # From the repository: gunicorn reads gunicorn.conf.py there, as in production.
    return subprocess.Popen(command, env=env, cwd=REPO_DIR, start_new_session=True)


def wait_until_up(base: str, server: subprocess.Popen[bytes], var_dir: Path) -> None:
    for _ in range(150):
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    log = (var_dir / "gunicorn.log").read_text()[-3000:] if (var_dir / "gunicorn.log").exists() else ""
    raise SetupError(f"gunicorn did not answer /health/:\n{log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the arbiter stops its workers
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def make_targets(setup: dict[str, Any]) -> list[Target]:
    api = {"Authorization": f"Bearer {setup['api_key']}"}
    cookie = {user: {"Cookie": f"sessionid={sid}"} for user, sid in setup["sessions"].items()}
    queries = setup["queries"]
    return [
        Target("baseline: /health/", "-", ["/health/"], {}, None, queries["health"]),
        Target("baseline: static file (whitenoise)", "-", [setup["static_path"]], {}, None, 0),
        Target(
            "API: one request",
            "street",
            [f"/api/v1/services/requests/{pk}" for pk in setup["api_ids"]],
            api,
            API_TARGET_RPS,
            queries["api_read"],
            API_RATIO,
        ),
        Target(
            "API: list page of 50",
            "street",
            ["/api/v1/services/requests/?page_size=50"],
            api,
            0.0,
            queries["api_list"],
            API_LIST_RATIO,
        ),
        Target(
            "staff request list",
            "community",
            ["/services/requests/"],
            cookie["community"],
            LIST_TARGET_RPS,
            queries["list_community"],
            LIST_RATIO,
        ),
        Target(
            "staff request list",
            "street",
            ["/services/requests/"],
            cookie["street"],
            LIST_TARGET_RPS,
            queries["list_street"],
            LIST_RATIO,
        ),
    ]


def check_answer(base: str, target: Target) -> None:
    """One request first: a 200 with the expected content, not a redirect to the login page."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + target.paths[0], headers=target.headers)
    try:
        with opener.open(request, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SetupError(f"{target.label} ({target.user}): {target.paths[0]} answered {exc.code}") from exc
    if status != 200:
        raise SetupError(f"{target.label} ({target.user}): {target.paths[0]} answered {status}")
    if target.paths[0] == "/services/requests/" and body.count(b'href="/services/requests/') < 50:
        raise SetupError(f"{target.label} ({target.user}): the list page does not show 50 requests")
    if target.paths[0].startswith("/api/") and b'"code"' not in body:
        raise SetupError(f"{target.label}: the API answer is not a request: {body[:200]!r}")


LUA = """
local paths = %(paths)s
local headers = %(headers)s
for name, value in pairs(headers) do wrk.headers[name] = value end
local threads = {}
local counter = 1

setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

init = function(args)
  position = id * 7919 %% #paths
  non2xx = 0
end

request = function()
  position = position %% #paths + 1
  return wrk.format("GET", paths[position])
end

response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d,"
    .. " \\"non2xx\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_table(items: Any) -> str:
    if isinstance(items, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in items.items()) + "}"
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


def run_wrk(wrk: str, base: str, target: Target, var_dir: Path, duration: int, connections: int) -> Outcome:
    script = var_dir / "load.lua"
    script.write_text(LUA % {"paths": lua_table(target.paths), "headers": lua_table(target.headers)})
    command = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), base]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise SetupError(f"wrk failed on {target.label}:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    data = json.loads(line.removeprefix("WRK-RESULT "))
    return Outcome(
        target=target,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        requests=data["requests"],
        non2xx=data["non2xx"],
        socket_errors=data["socket_errors"],
    )


def combine(runs: list[Outcome], health: list[Outcome]) -> Outcome:
    """One URL's rounds as one outcome: the rate over all of them, the worst round's latencies, and as the
    ratio the median of each round's rate over the /health/ rate of the same round.

    The rounds are interleaved (every URL once, then again) because this machine's speed drifts by a
    third within minutes: a ratio to a /health/ measured minutes earlier measured the drift as much as the
    code.  The median of per-round ratios is what a drift cannot move."""
    requests = sum(o.requests for o in runs)
    seconds = sum(o.requests / o.rps for o in runs if o.rps)
    ratios = sorted(o.rps / h.rps for o, h in zip(runs, health, strict=True) if h.rps)
    return Outcome(
        target=runs[0].target,
        rps=requests / seconds if seconds else 0.0,
        p50=sorted(o.p50 for o in runs)[len(runs) // 2],
        p95=max(o.p95 for o in runs),
        p99=max(o.p99 for o in runs),
        requests=requests,
        non2xx=sum(o.non2xx for o in runs),
        socket_errors=sum(o.socket_errors for o in runs),
        ratio=ratios[len(ratios) // 2] if ratios else 0.0,
    )


def print_table(notes: list[str], outcomes: list[Outcome]) -> None:
    mark = common.marker()
    header = (
        f"{'URL':<36} {'user':<9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'/health':>7} {'queries':>7} {'target':>22}  result"
    )
    common.print_heading(notes, header)
    for o in outcomes:
        t = o.target
        if t.min_rps is None:
            target = "baseline"
        else:
            floor = f"≥{t.min_rps:.0f}/s " if t.min_rps else ""
            target = f"{floor}≥{t.min_ratio:.2f}x p95<{P95_TARGET_MS:.0f}"
        if t.min_rps is None:
            verdict = mark("ERRORS  <<<", False) if o.errors else ""
        else:
            verdict = common.verdict(mark, o.passed, "PASS")
        queries = "-" if t.queries is None else str(t.queries)
        print(
            f"{t.label:<36} {t.user:<9} {o.rps:>8.1f} {o.p50:>8.1f} {o.p95:>8.1f} {o.p99:>8.1f} {o.errors:>7}"
            f" {o.ratio:>6.2f}x {queries:>7} {target:>22}  {verdict}"
        )
    graded = [o for o in outcomes if o.target.min_rps is not None]
    goal = (
        f"API read ≥ {API_TARGET_RPS:.0f}/s and ≥ {API_RATIO:.2f}x /health/, API list of 50 ≥ {API_LIST_RATIO:.2f}x,"
        f" staff list ≥ {LIST_TARGET_RPS:.0f}/s and ≥ {LIST_RATIO:.2f}x, p95 < {P95_TARGET_MS:.0f} ms, no errors"
    )
    common.print_verdict(mark, graded, goal)


# --------------------------------------------------------------------------------------
# Preparation worker: Django set up against the benchmark database.
# --------------------------------------------------------------------------------------


def prepare(out: Path, count: int) -> int:
    common.setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shequ.accounts.models import APIToken, User
    from shequ.services.models import ServiceRequest

    bulk_requests(count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    street, community = User.objects.get(username="street"), User.objects.get(username="community")
    _token, key = APIToken.issue(street, label="load benchmark")
    sessions = {}
    clients = {}
    for user in (community, street):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)  # a session row in the database, as a login through the form makes
        sessions[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
        clients[user.username] = client
    in_street = ServiceRequest.objects.restrict(street, "view")
    api_ids = list(in_street.order_by("?").values_list("pk", flat=True)[:API_IDS])
    api_client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")

    def queries(client: Client, path: str) -> int:
        client.get(path)  # warm: the first request of a process loads more
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return len(ctx.captured_queries)

    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())["paths"]
    static = manifest.get("vendor/tabler/tabler.min.css") or next(iter(manifest.values()))
    result = {
        "server_version": version,
        "requests": ServiceRequest.objects.count(),
        "in_scope_street": in_street.count(),
        "in_scope_community": ServiceRequest.objects.restrict(community, "view").count(),
        "api_key": key,
        "sessions": sessions,
        "api_ids": api_ids,
        "static_path": settings.STATIC_URL + static,
        "queries": {
            "health": queries(Client(SERVER_NAME="127.0.0.1"), "/health/"),
            "api_read": queries(api_client, f"/api/v1/services/requests/{api_ids[0]}"),
            "api_list": queries(api_client, "/api/v1/services/requests/?page_size=50"),
            "list_community": queries(clients["community"], "/services/requests/"),
            "list_street": queries(clients["street"], "/services/requests/"),
        },
    }
    out.write_text(json.dumps(result))
    return 0


def bulk_requests(count: int) -> None:
    """*count* requests over every grid of the demo city, routed to the community's residents' committee
    (any organization up the tree where a community has none), 60 % closed, 40 % open; in batches of 5,000."""
    from datetime import timedelta

    from django.utils import timezone

    from shequ.orgs.models import Organization, OrgKind
    from shequ.services.models import ServiceCategory, ServiceRequest, Status
    from shequ.territory.models import Kind, Node

    now = timezone.now()
    grids = list(Node.objects.filter(kind=Kind.GRID).order_by("path").values_list("pk", "path"))
    cats = list(ServiceCategory.objects.filter(parent__isnull=False).values_list("pk", "name"))
    orgs = list(Organization.objects.filter(active=True).order_by("-kind").values_list("pk", "path", "kind"))
    committees = {path: pk for pk, path, kind in orgs if kind == OrgKind.RESIDENTS_COMMITTEE}
    if not grids or not cats or not orgs:
        raise SystemExit("the demo city has no grids, categories or organizations")

    def owner(grid_path: str) -> tuple[int, str]:
        """The committee whose node is the nearest ancestor of the grid, else the nearest organization."""
        best: tuple[int, str] | None = None
        for path, pk in committees.items():
            if grid_path.startswith(path) and (best is None or len(path) > len(best[1])):
                best = (pk, path)
        if best is None:
            for pk, path, _kind in orgs:
                if grid_path.startswith(path) and (best is None or len(path) > len(best[1])):
                    best = (pk, path)
        return best or (orgs[0][0], orgs[0][1])

    owners = {path: owner(path) for _pk, path in grids}
    batch: list[ServiceRequest] = []
    for i in range(count):
        grid_pk, grid_path = grids[i % len(grids)]
        cat_pk, cat_name = cats[i % len(cats)]
        org_pk, org_path = owners[grid_path]
        accepted = now - timedelta(days=1 + i % 300, minutes=i % 1440)
        closed = i % 10 < 6
        r = ServiceRequest(
            node_id=grid_pk,
            path=grid_path,
            category_id=cat_pk,
            channel=("window", "hotline", "grid", "portal")[i % 4],
            status=Status.CLOSED if closed else Status.ASSIGNED,
            is_open=not closed,
            description=f"{cat_name}：基准工单 {i}",
            contact_name="测试",
            phone=f"139{i:08d}",
            phone_last4=f"{i % 10000:04d}",
            organization_id=org_pk,
            responsible_path=org_path,
            accepted_at=accepted,
            deadline=accepted + timedelta(days=7),
            warn_at=accepted + timedelta(days=6),
            tier_name="一般",
        )
        if closed:
            r.resolved_at = r.closed_at = accepted + timedelta(days=2)
            r.status_notes = "已处理"
        batch.append(r)
        if len(batch) == 5000:
            ServiceRequest.objects.bulk_create(batch)
            batch = []
    ServiceRequest.objects.bulk_create(batch)


if __name__ == "__main__":
    sys.exit(main())
