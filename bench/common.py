"""What the benchmark scripts share: timings, databases, worker processes and the printed tables.

The scripts are started as ``.venv/bin/python bench/<name>.py``: each puts the repository on ``sys.path``
before it imports this module as ``bench.common``.  Nothing here imports Django or the project at module
level; the helpers a worker calls import them after ``django.setup()``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

REPO_DIR = Path(__file__).resolve().parent.parent
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
VENDORS = ("sqlite", "postgres")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
WARMUP_RUNS = 3
BUILDING = ".building"  # suffix of a kept database while it is built

R = TypeVar("R")
Summaries = list[tuple[str, list[Any] | None]]


# --------------------------------------------------------------------------------------
# Checks and timings
# --------------------------------------------------------------------------------------


def expect(condition: bool, message: str) -> None:
    """A sanity check that survives ``python -O``: the ORM and the raw SQL must do the same work."""
    if not condition:
        raise RuntimeError(message)


@dataclass
class Timing:
    """Wall-clock milliseconds of repeated calls."""

    median: float
    p95: float

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        ordered = sorted(samples)
        # Nearest-rank percentile: with 20 samples the p95 is the 19th fastest.
        rank = max(1, math.ceil(0.95 * len(ordered)))
        return cls(median=statistics.median(ordered), p95=ordered[rank - 1])


def ratio_of(timing: Timing, baseline: Timing) -> float:
    """How many times the baseline's median the timing's median is."""
    return timing.median / baseline.median if baseline.median else math.inf


def sample(call: Callable[[], object]) -> float:
    """Milliseconds of one call, started with no garbage left over from the previous one."""
    gc.collect()
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def timed(call: Callable[[], object], runs: int) -> Timing:
    """Warm up, then time ``runs`` calls one by one."""
    for _ in range(WARMUP_RUNS):
        call()
    return Timing.of([sample(call) for _ in range(runs)])


def timed_pair(first: Callable[[], object], second: Callable[[], object], runs: int) -> tuple[Timing, Timing]:
    """Time two calls taking turns, so that a busy machine slows both alike and the ratio holds."""
    for _ in range(WARMUP_RUNS):
        first()
        second()
    first_samples, second_samples = [], []
    for _ in range(runs):
        first_samples.append(sample(first))
        second_samples.append(sample(second))
    return Timing.of(first_samples), Timing.of(second_samples)


def median_ms(call: Callable[[], object], runs: int = 5) -> float:
    """The median milliseconds of a few calls, with no warm-up."""
    return statistics.median(sample(call) for _ in range(runs))


def fetch_all(sql: str, params: Any) -> list[Any]:
    """A statement sent as raw SQL through ``connection.cursor()``; its rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def count_queries(call: Callable[[], object]) -> int:
    """The statements of one call as CaptureQueriesContext counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def capture_queries(call: Callable[[], R]) -> tuple[R, list[str], list[tuple[str, Any]]]:
    """One call with its statements: as CaptureQueriesContext logs them, and with their parameters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sent: list[tuple[str, Any]] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            sent.append((sql, params))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(record):
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries], sent  # read now: the next call resets the log


def peak_mb() -> float:
    """The maximum resident set size of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------
# Result lines and requests
# --------------------------------------------------------------------------------------


@dataclass
class OrmResult:
    """One line of a table comparing an ORM call with the same work in raw SQL."""

    operation: str
    rows: int
    orm: Timing
    raw: Timing
    queries: int
    target_ms: float
    on_p95: bool = False  # the target is on the ORM's p95, not its median

    @property
    def ratio(self) -> float:
        return ratio_of(self.orm, self.raw)

    @property
    def passed(self) -> bool:
        return (self.orm.p95 if self.on_p95 else self.orm.median) <= self.target_ms


@dataclass(kw_only=True)
class RequestResult:
    """One line of a table of requests, each against its main query sent raw."""

    operation: str
    user: str
    request: Timing
    raw: Timing  # the main query alone, raw
    queries: int
    extra: bool = False  # not one of the targets: shown for information

    @property
    def ratio(self) -> float:
        return ratio_of(self.request, self.raw)


class ClientBench:
    """Requests through Django's test ``Client`` (no HTTP), logged in as the demo's users."""

    def __init__(self, picks: Any, runs: int, usernames: Sequence[str] = ("city", "street")) -> None:
        from django.test import Client

        from shequ.accounts.models import User

        self.picks = picks
        self.runs = runs
        self.clients: dict[str, Client] = {}
        for username in usernames:
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[username] = client

    def get(self, user: str, url: str) -> Any:
        response = self.clients[user].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} as {user}: HTTP {response.status_code}")
        return response

    def capture(self, user: str, url: str) -> tuple[Any, list[str], list[tuple[str, Any]]]:
        """One request with its statements: as CaptureQueriesContext logs them, and with their parameters."""
        return capture_queries(lambda: self.get(user, url))

    def timed_request(self, user: str, url: str, raw: Callable[[], object]) -> tuple[Timing, Timing]:
        """The request and its baseline, timed in turns (``timed_pair``)."""
        return timed_pair(lambda: self.get(user, url), raw, self.runs)

    @staticmethod
    def notes(load: str, runs: int, raw: str, queries: str) -> list[str]:
        """The last notes above a table of requests: how they were timed and counted."""
        return [
            load,
            f"times in ms: median and p95 of {runs} requests after {WARMUP_RUNS} warm-up requests, around client.get",
            raw,
            queries,
            "* = not one of the issue's targets (shown for information)",
        ]


# --------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------


def pg_execute(*statements: str) -> list[Any]:
    """Statements on the server's maintenance database, in autocommit; the rows of each SELECT."""
    import psycopg

    results = []
    with psycopg.connect(f"{PG_SERVER_URL}/postgres", autocommit=True) as conn:
        for sql in statements:
            cursor = conn.execute(sql)
            results.append(cursor.fetchall() if sql.lstrip().upper().startswith("SELECT") else None)
    return results


def vacuum_pg(name: str) -> None:
    """``VACUUM ANALYZE`` a whole PostgreSQL database, as autovacuum does within a minute of a bulk load."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER_URL}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def sqlite_files(path: Path) -> list[Path]:
    """A SQLite database file and the files SQLite keeps beside it."""
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def checkpoint_sqlite(path: Path) -> None:
    """Write a SQLite database's WAL back into its file, so that the file alone holds it all."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@dataclass(frozen=True)
class Database:
    """A benchmark database: a SQLite file, or a database on the PostgreSQL server at PG_SERVER_URL."""

    sqlite_file: Path
    pg_name: str

    def url(self, vendor: str) -> str:
        if vendor == "sqlite":
            return f"sqlite:///{self.sqlite_file}"  # an absolute path: sqlite:////tmp/...
        return f"{PG_SERVER_URL}/{self.pg_name}"

    def drop(self, vendor: str) -> None:
        if vendor == "sqlite":
            for path in sqlite_files(self.sqlite_file):
                path.unlink(missing_ok=True)
        else:
            pg_execute(f'DROP DATABASE IF EXISTS "{self.pg_name}"')

    def create(self, vendor: str) -> None:
        """An empty database (dropped first if it is there)."""
        if vendor == "sqlite":
            self.drop(vendor)  # SQLite creates the file when Django first connects
        else:
            pg_execute(f'DROP DATABASE IF EXISTS "{self.pg_name}"', f'CREATE DATABASE "{self.pg_name}"')

    def exists(self, vendor: str) -> bool:
        if vendor == "sqlite":
            return self.sqlite_file.exists()
        return bool(pg_execute(f"SELECT 1 FROM pg_database WHERE datname = '{self.pg_name}'")[0])


@dataclass(frozen=True)
class KeptDatabase:
    """A database kept between runs, with the var dir that holds its field key (its encrypted columns need it).

    It is built under another name (``staging``) and renamed by ``finish_build`` when complete, so a
    database found under its name is complete.
    """

    database: Database
    var_dirs: dict[str, Path]  # by vendor

    @property
    def staging(self) -> Database:
        db = self.database
        return Database(Path(f"{db.sqlite_file}{BUILDING}"), f"{db.pg_name}{BUILDING.replace('.', '_')}")

    def url(self, vendor: str, building: bool = False) -> str:
        return (self.staging if building else self.database).url(vendor)

    def var_dir(self, vendor: str, building: bool = False) -> Path:
        path = self.var_dirs[vendor]
        return path.with_name(path.name + BUILDING) if building else path

    def env(self, vendor: str, building: bool = False) -> dict[str, str]:
        """The environment of a worker (or of ``shequ``) pointing at the database."""
        return worker_env(self.url(vendor, building), self.var_dir(vendor, building))

    def exists(self, vendor: str) -> bool:
        return (self.var_dir(vendor) / "field_key").exists() and self.database.exists(vendor)

    def run_results_worker(
        self, script: str, vendor: str, scratch_prefix: str, args: Sequence[str]
    ) -> list[dict[str, Any]] | None:
        """``run_results_worker`` against the database, its results file in a scratch directory."""
        with scratch_dir(scratch_prefix) as scratch:
            return run_results_worker(script, vendor, self.env(vendor), scratch / "results.json", args)

    def finish_build(self, vendor: str) -> None:
        """Settle the freshly built database and give it its name (its var dir too)."""
        shutil.rmtree(self.var_dir(vendor), ignore_errors=True)
        os.replace(self.var_dir(vendor, building=True), self.var_dir(vendor))
        staging, final = self.staging, self.database
        if vendor == "sqlite":
            checkpoint_sqlite(staging.sqlite_file)
            for path in sqlite_files(final.sqlite_file):
                path.unlink(missing_ok=True)
            os.replace(staging.sqlite_file, final.sqlite_file)
            for path in sqlite_files(staging.sqlite_file)[1:]:
                path.unlink(missing_ok=True)
            return
        vacuum_pg(staging.pg_name)  # as autovacuum does within a minute of a bulk load
        pg_execute(
            f'DROP DATABASE IF EXISTS "{final.pg_name}"',
            f'ALTER DATABASE "{staging.pg_name}" RENAME TO "{final.pg_name}"',
        )


# --------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line, with the hidden arguments ``run_results_worker`` gives a worker; ``--runs`` ≥ 1."""
    parser.add_argument("--worker", choices=VENDORS, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def python_path() -> str:
    """``PYTHONPATH`` for a child process: the project's sources first, then what it was."""
    return os.pathsep.join(filter(None, [str(REPO_DIR / "src"), os.environ.get("PYTHONPATH")]))


def worker_env(database_url: str, var_dir: Path, log_level: str | None = "WARNING") -> dict[str, str]:
    """The environment of a worker process pointing at one database, with its own var dir.

    No debug cursor (``SHEQU_DEBUG=0``): queries cost what they cost in production (query counts are
    still taken, with CaptureQueriesContext, outside the timed calls).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shequ.settings",
        "DATABASE_URL": database_url,
        "SHEQU_VAR_DIR": str(var_dir),
        "SHEQU_DEBUG": "0",
        "PYTHONPATH": python_path(),
    }
    if log_level is not None:
        env["SHEQU_LOG_LEVEL"] = log_level
    return env


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory, removed with all it holds afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_captured(command: list[str], env: dict[str, str], failure: str, error: type[Exception] = RuntimeError) -> str:
    """Run a command from the repository with its output captured; its standard output, or *error* on failure."""
    completed = subprocess.run(command, env=env, cwd=REPO_DIR, check=False, capture_output=True, text=True)
    if completed.returncode != 0:
        raise error(f"{failure}:\n{completed.stderr[-3000:]}")
    return completed.stdout


def shequ_cli(env: dict[str, str], *command: str, error: type[Exception] = RuntimeError) -> str:
    """``shequ <command>`` in a child process; its standard output."""
    return run_captured([sys.executable, "-m", "shequ.cli", *command], env, f"shequ {command[0]} failed", error)


def last_json(output: str) -> Any:
    """What a worker printed as JSON on its last line."""
    return json.loads(output.strip().splitlines()[-1])


def run_json_worker(script: str, worker: str, env: dict[str, str], args: Sequence[str]) -> Any:
    """``script --worker <worker> <args>`` in a child process: what it printed as JSON on its last line."""
    command = [sys.executable, str(Path(script).resolve()), "--worker", worker, *args]
    return last_json(run_captured(command, env, f"the {worker} worker failed"))


def run_results_worker(
    script: str, vendor: str, env: dict[str, str], results_file: Path, args: Sequence[str]
) -> list[dict[str, Any]] | None:
    """``script --worker <vendor> --results <file> <args>``, its output on the terminal; the results it wrote.

    None (and a message) when the worker failed.
    """
    command = [sys.executable, str(Path(script).resolve()), "--worker", vendor, "--results", str(results_file)]
    command += args
    sys.stdout.flush()
    completed = subprocess.run(command, env=env, cwd=REPO_DIR, check=False)
    if completed.returncode != 0 or not results_file.exists():
        print(f"\n{LABELS[vendor]}: the worker failed (exit status {completed.returncode})", file=sys.stderr)
        return None
    results: list[dict[str, Any]] = json.loads(results_file.read_text())
    return results


def run_on_fresh_database(
    script: str, vendor: str, database: Database, prefix: str, args: Sequence[str], keep: bool
) -> list[dict[str, Any]] | None:
    """Prepare an empty database, run the worker against it, clean up; the worker's results or None."""
    try:
        database.create(vendor)
    except Exception as exc:  # noqa: BLE001 - report any connection problem and go on with the next database
        print(f"\n{LABELS[vendor]}: cannot prepare the benchmark database: {exc}", file=sys.stderr)
        return None
    try:
        with scratch_dir(prefix) as var_dir:
            env = worker_env(database.url(vendor), var_dir, log_level=None)
            return run_results_worker(script, vendor, env, var_dir / "results.json", args)
    finally:
        if not keep:
            database.drop(vendor)


def write_results(results_file: Path | None, results: Sequence[Any]) -> None:
    """The worker's side of ``run_results_worker``: its results (dataclasses) as JSON."""
    if results_file is not None:
        results_file.write_text(json.dumps([asdict(r) for r in results]))


def results_from_json(cls: Callable[..., R], items: list[dict[str, Any]] | None) -> list[R] | None:
    """The results a worker wrote, each as *cls* again (every mapping in them is a Timing)."""
    if items is None:
        return None
    return [cls(**{k: Timing(**v) if isinstance(v, dict) else v for k, v in item.items()}) for item in items]


def each_database(choice: str, run: Callable[[str], list[R] | None], gap: str = "\n") -> tuple[int, Summaries]:
    """Run the benchmark on the database(s) chosen with ``--db``, going on after a failure.

    The exit status (1 when a database could not be benchmarked) and each database's results.
    """
    status = 0
    summaries: Summaries = []
    for vendor in VENDORS if choice == "both" else (choice,):
        try:
            results = run(vendor)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next database
            print(f"{gap}{LABELS[vendor]}: {exc}", file=sys.stderr)
            results = None
        if results is None:
            status = 1
        summaries.append((vendor, results))
    return status, summaries


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    django.setup()


def setup_worker(vendor: str) -> float:
    """In a worker: set Django up, check it points at *vendor*, migrate; the seconds the migrations took."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    expected = "postgresql" if vendor == "postgres" else "sqlite"
    if connection.vendor != expected:
        raise SystemExit(f"DATABASE_URL points at {connection.vendor}, expected {expected}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return time.perf_counter() - started


def plain_static_files() -> None:
    """No collectstatic into the worker's var dir: static URLs without the manifest (a dict lookup in
    production), the rest of the production settings as they are."""
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def database_version(vendor: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if vendor == "postgres" else "SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def with_load(call: Callable[[], R]) -> tuple[R, str]:
    """The call's result, and a note of the load average before and after it."""
    before = os.getloadavg()[0]
    result = call()
    after = os.getloadavg()[0]
    return result, f"load average {before:.1f} before the timings, {after:.1f} after (on {os.cpu_count()} CPUs)"


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def marker() -> Callable[[str, bool], str]:
    """Marks a verdict green or red on a terminal, and leaves it plain elsewhere."""
    tty = sys.stdout.isatty()

    def mark(text: str, ok: bool) -> str:
        if not tty:
            return text
        return f"\033[32m{text}\033[0m" if ok else f"\033[1;31m{text}\033[0m"

    return mark


def print_heading(notes: list[str], header: str) -> None:
    """The notes above a table, its header and the rule under it."""
    print()
    print("\n".join(notes))
    print(header)
    print("-" * len(header))


def verdict(mark: Callable[[str, bool], str], passed: bool, ok: str = "ok") -> str:
    """A row's last column."""
    return mark(ok, True) if passed else mark("FAIL  <<<", False)


def targets_of(results: Sequence[Any]) -> list[Any]:
    """The results that are targets: all but those with ``extra`` set (shown for information)."""
    return [r for r in results if not getattr(r, "extra", False)]


def print_verdict(mark: Callable[[str, bool], str], targets: Sequence[Any], goal: str, where: str = "") -> None:
    """The line under a table: ``ok: all N targets met …`` or ``FAIL: n of N targets missed …``."""
    failed = sum(1 for r in targets if not r.passed)
    place = f" on {where}" if where else ""
    if failed:
        print(mark(f"FAIL: {failed} of {len(targets)} targets missed{place} ({goal})", False))
    else:
        print(mark(f"ok: all {len(targets)} targets met{place} ({goal})", True))
    sys.stdout.flush()


def print_summary(
    summaries: Summaries, miss: Callable[[Any], str], extra_miss: Callable[[Any], str] | None = None
) -> None:
    """One line per database: the targets met, and *miss* of each one missed.

    Results with ``extra`` set are not targets; *extra_miss*, if given, describes those that fail.
    """
    print("\nSummary")
    for vendor, results in summaries:
        label = LABELS[vendor]
        if results is None:
            print(f"  {label:<11} not benchmarked (see the error above)")
            continue
        targets = targets_of(results)
        failed = [r for r in targets if not r.passed]
        line = f"  {label:<11} {len(targets) - len(failed)}/{len(targets)} targets met"
        if failed:
            line += "  -- FAIL: " + "; ".join(miss(r) for r in failed)
        print(line)
        if extra_miss is not None:
            for r in results:
                if getattr(r, "extra", False) and not r.passed:
                    print(f"  {'':<11} (not a target) {extra_miss(r)}")


def run_on_kept_postgres(script: str, args: Any, db: Database, var: Path) -> Any:
    """Run *script*'s worker on a PostgreSQL database kept between runs (``--scale``, ``--runs``, ``--rebuild``):
    built first by ``--worker --build`` when missing (then vacuumed), measured by ``--worker``; what the worker
    printed as JSON on its last line, or None (its output shown) when it failed."""
    env = {**os.environ, **worker_env(db.url("postgres"), var)}
    if args.rebuild or not db.exists("postgres") or not (var / "built").exists():
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True)
        db.create("postgres")
        subprocess.run([sys.executable, script, "--worker", "--build", "--scale", args.scale], env=env, check=True)
        vacuum_pg(db.pg_name)
        (var / "built").write_text(args.scale)
    out = subprocess.run(
        [sys.executable, script, "--worker", "--runs", str(args.runs), "--scale", args.scale],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        print(out.stdout[-3000:], out.stderr[-6000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])
