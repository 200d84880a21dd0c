"""In-process time of list pages: Django's test ``Client`` logged in as the demo's street officer and community
worker, against the database the environment names (no server, no load generator).

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> SHEQU_SECRET_KEY=<64 chars> \\
    SHEQU_FIELD_KEY=<base64 32 bytes> SHEQU_ALLOWED_HOSTS=testserver SHEQU_SECURE_SSL_REDIRECT=0 SHEQU_VAR_DIR=<dir> \\
        .venv/bin/python bench/list_page.py [PATH ...] [--runs 200] [--warmup 30]

The database is one the services load benchmark builds (``seed --scale small`` and service requests, with the
logins ``street`` and ``community``); run ``shequ collectstatic --noinput`` with the same environment first.
Each page (default ``/services/requests/``) is requested ``--warmup`` times, then ``--runs`` times timed around
``client.get``: printed are the median and the 10th/90th percentiles of the wall-clock time, the median CPU time
of this process (the part the database's wait does not blur on a busy machine) and the page's size; then
``/health/`` the same way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def timed(client: object, path: str, runs: int, warmup: int) -> tuple[list[float], list[float], int]:
    get = client.get  # type: ignore[attr-defined]
    for _ in range(warmup):
        response = get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return sorted(wall), cpu, len(response.content)


def line(label: str, wall: list[float], cpu: list[float], size: int) -> str:
    p10, p90 = wall[len(wall) // 10], wall[len(wall) * 9 // 10]
    return (
        f"{label}: median {statistics.median(wall):.2f} ms (p10 {p10:.2f}, p90 {p90:.2f}), "
        f"CPU median {statistics.median(cpu):.2f} ms, {size:,} bytes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/services/requests/"])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()
    from django.test import Client

    from shequ.accounts.models import User

    for username in ("street", "community"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path in args.paths:
            print(line(f"{path} as {username}", *timed(client, path, args.runs, args.warmup)))
    print(line("/health/", *timed(Client(), "/health/", args.runs, args.warmup)))


if __name__ == "__main__":
    main()
