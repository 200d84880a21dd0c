"""Benchmark of the residents' spreadsheet import: end to end from .xlsx, against the raw load of the same rows.

Usage::

    .venv/bin/python bench/residents.py [--rows N] [--db sqlite|postgres|both] [--keep]

For each database the main process prepares an empty database (``/tmp/shequ-people-bench.sqlite3``;
the PostgreSQL database ``shequ_people_bench`` on 127.0.0.1:5432, dropped and created again) and runs
three workers, each a fresh process pointing at it:

1. *prepare*: migrates, builds a demo territory (4,000 units) and writes an .xlsx of ``--rows``
   residents with 20 columns (the 16 of the template and 4 that offices add and the import ignores:
   序号, 婚姻状况, 工作单位, 籍贯), in households of one to five with their relations and tags;
2. *raw*: the database's own limit: the same rows, already prepared (no checks, no encryption), inserted
   into ``people_resident`` with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) in one transaction,
   then deleted again;
3. *import*: ``ResidentImporter.run`` on the file as the screens and ``shequ import`` run it — read,
   checked (identity numbers, dates, phones, places, households, scope), encrypted, written in chunks
   with ``bulk_create``, one audit entry per resident — then the same file again (every row unchanged)
   and a dry run.  Peak memory is the worker's maximum resident set size.

The verdict compares the import's rows per second with the target of issue 3 (20,000 rows/s) and prints
the ratio to the raw load.  A missed target prints FAIL but does not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
SQLITE_FILE = Path("/tmp/shequ-people-bench.sqlite3")
PG_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "shequ_people_bench"
VENDORS = ("sqlite", "postgres")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TARGET_ROWS_PER_S = 20_000
HEADER = [
    "序号", "姓名", "性别", "民族", "出生日期", "身份证号", "联系电话", "文化程度", "政治面貌", "就业状况",
    "人员类型", "地区编码", "地址", "户号", "与户主关系", "特殊人群", "婚姻状况", "工作单位", "籍贯", "备注",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=[*VENDORS, "both"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database and the file afterwards")
    parser.add_argument("--worker", choices=("prepare", "raw", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)
    status = 0
    for vendor in VENDORS if args.db == "both" else (args.db,):
        try:
            report = bench(vendor, args.rows, args.keep)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next database
            print(f"{LABELS[vendor]}: {exc}", file=sys.stderr)
            status = 1
            continue
        print_report(vendor, report)
    return status


def database_url(vendor: str) -> str:
    return f"sqlite:///{SQLITE_FILE}" if vendor == "sqlite" else f"{PG_SERVER_URL}/{PG_DATABASE}"


def reset_database(vendor: str, create: bool) -> None:
    if vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            SQLITE_FILE.with_name(SQLITE_FILE.name + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        if create:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def bench(vendor: str, rows: int, keep: bool) -> dict[str, Any]:
    reset_database(vendor, create=True)
    var_dir = Path(tempfile.mkdtemp(prefix="shequ-people-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shequ.settings",
        "DATABASE_URL": database_url(vendor),
        "SHEQU_VAR_DIR": str(var_dir),
        "SHEQU_DEBUG": "0",
        "SHEQU_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_DIR / "src"), os.environ.get("PYTHONPATH")])),
    }
    source = var_dir / f"residents-{rows}.xlsx"
    report: dict[str, Any] = {"rows": rows}
    try:
        for worker in ("prepare", "raw", "import"):
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--file", str(source)]
            command += ["--rows", str(rows)]
            completed = subprocess.run(command, env=env, cwd=REPO_DIR, check=False, capture_output=True, text=True)
            if completed.returncode != 0:
                raise RuntimeError(f"the {worker} worker failed:\n{completed.stderr[-3000:]}")
            report[worker] = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        if not keep:
            reset_database(vendor, create=False)
            source.unlink(missing_ok=True)
    return report


def print_report(vendor: str, report: dict[str, Any]) -> None:
    rows, prep, raw, imp = report["rows"], report["prepare"], report["raw"], report["import"]
    rate = rows / imp["seconds"]
    print(f"\n{LABELS[vendor]} — {rows:,} residents, 20 columns (.xlsx {prep['file_mb']:.1f} MB)")
    print(f"  {'operation':<44}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}")
    lines = [
        ("raw load (prepared rows, " + raw["method"] + ")", raw["seconds"], None),
        ("import: read, check, encrypt, write, audit", imp["seconds"], imp["peak_mb"]),
        ("the same file again (all unchanged)", imp["again_seconds"], None),
        ("dry run (preview)", imp["dry_seconds"], None),
    ]
    for label, seconds, peak in lines:
        peak_text = f"{peak:>9.0f}" if peak else f"{'':>9}"
        print(f"  {label:<44}{seconds:>9.2f}{rows / seconds:>10,.0f}{peak_text}")
    print(f"  reading the sheet alone (calamine): {raw['read_seconds']:.2f} s")
    print(f"  created {imp['created']:,}, unchanged on the second run {imp['unchanged']:,}, rejected {imp['rejected']}")
    print(f"  import / raw load: {imp['seconds'] / raw['seconds']:.1f}× the time")
    verdict = "ok" if rate >= TARGET_ROWS_PER_S else "FAIL"
    target = f"target ≥ {TARGET_ROWS_PER_S:,}"
    print(f"  {verdict}: {rate:,.0f} rows/s ({target}); peak {imp['peak_mb']:.0f} MB (target ≤ 2048)")


# -- workers ----------------------------------------------------------------------------------------------------


def run_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    result = {"prepare": prepare, "raw": raw_load, "import": run_import}[args.worker](Path(args.file), args.rows)
    print(json.dumps(result))
    return 0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(source: Path, rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from shequ.accounts.models import User
    from shequ.core.spreadsheets import XlsxWriter
    from shequ.people.demo import Generator, ensure_standard_tags
    from shequ.people.places import PlaceIndex
    from shequ.territory.demo import Scale, build_demo_territory
    from shequ.territory.models import Kind, Node

    call_command("migrate", verbosity=0)
    city = build_demo_territory(Scale(2, 5, 5, 4, 2, 5, 2), seed=3)
    User.objects.create_superuser("bench", password="bench-pass-123", node=city)
    ensure_standard_tags()
    places = PlaceIndex()
    units = [places.locate(path) for path in Node.objects.filter(kind=Kind.UNIT).values_list("path", flat=True)]
    from datetime import date

    gen = Generator(11, date.today())
    words = {
        "M": "男", "F": "女", "head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母",
    }  # fmt: skip
    tags = ["", "", "", "", "", "", "", "", "残疾人", "独居老人", "低保户、困难家庭"]
    writer = XlsxWriter(source, "居民")
    writer.header(HEADER)
    written, household = 0, 0
    while written < rows:
        household += 1
        code, address = units[household % len(units)]
        for person in gen.household():
            if written >= rows:
                break
            written += 1
            number = gen.identity("420102", person.born, person.gender)
            writer.write(
                [
                    written,
                    person.name,
                    words[person.gender],
                    "汉族",
                    person.born.isoformat(),
                    number,
                    gen.phone(40),
                    "本科",
                    "群众",
                    "在职",
                    "户籍",
                    code,
                    address,
                    f"B{household:08d}",
                    words[person.relation],
                    tags[written % len(tags)],
                    "已婚",
                    "某某公司",
                    "湖北武汉",
                    "",
                ]
            )
    writer.close()
    return {"file_mb": source.stat().st_size / 2**20, "households": household}


def raw_load(source: Path, rows: int) -> dict[str, Any]:
    """The same rows, prepared outside the timing, straight into the table: what the database itself costs."""
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from shequ.territory.models import Node

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0)
    cells = list(sheet.iter_rows())[1:]
    read_seconds = time.perf_counter() - started
    node = Node.objects.filter(kind="unit").first()
    assert node is not None
    now = timezone.now()
    columns = [
        "created", "updated", "node_id", "path", "name", "pinyin", "initials", "id_number", "id_hash", "id_masked",
        "gender", "birth_date", "phone", "ethnicity", "education", "political_status", "employment",
        "residence_type", "relation", "archived", "archived_reason", "notes",
    ]  # fmt: skip
    prepared = [
        (
            now, now, node.pk, node.path, c[1], "", "", "v1:" + c[5] * 3, f"{i:064x}",
            c[5][:6] + "********" + c[5][-4:], "M", c[4], c[6], c[3], "bachelor", "masses", "employed",
            "registered", "", False, "", "",
        )
        for i, c in enumerate(cells)
    ]  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            method = "COPY"
            with cursor.cursor.copy(f"COPY people_resident ({', '.join(columns)}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            method = "executemany"
            sql = f"INSERT INTO people_resident ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            for start in range(0, len(prepared), 2000):
                cursor.executemany(sql, prepared[start : start + 2000])
    seconds = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_resident")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE people_resident")
    return {"seconds": seconds, "read_seconds": read_seconds, "method": method}


def run_import(source: Path, rows: int) -> dict[str, Any]:
    import gc

    from shequ.accounts.models import User
    from shequ.people.importers import ResidentImporter

    user = User.objects.get(username="bench")
    gc.collect()
    started = time.perf_counter()
    result = ResidentImporter(user, None).run(str(source), source.name, dry_run=False, mode="valid")
    seconds = time.perf_counter() - started
    peak = peak_mb()
    if result.rejected:
        raise RuntimeError(f"rejected rows: {result.errors[:5]}")
    started = time.perf_counter()
    again = ResidentImporter(user, None).run(str(source), source.name, dry_run=False, mode="valid")
    again_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ResidentImporter(user, None).run(str(source), source.name, dry_run=True)
    dry_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "created": result.created,
        "rejected": result.rejected,
        "unchanged": again.unchanged,
        "again_seconds": again_seconds,
        "dry_seconds": dry_seconds,
    }


if __name__ == "__main__":
    raise SystemExit(main())
