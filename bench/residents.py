"""Benchmark of the residents' spreadsheet import: end to end from .xlsx, against the raw load of the same rows.

Usage::

    .venv/bin/python bench/residents.py [--rows N] [--db sqlite|postgres|both] [--keep]

For each database the main process prepares an empty database (``/tmp/shequ-people-bench.sqlite3``;
the PostgreSQL database ``shequ_people_bench`` on 127.0.0.1:5432, dropped and created again; ``people``
is ``$SHEQU_BENCH_NAME`` when set) and runs four workers, each a fresh process pointing at it:

1. *prepare*: migrates, builds a demo territory (4,000 units) and writes an .xlsx of ``--rows``
   residents with 20 columns (the 16 of the template and 4 that offices add and the import ignores:
   序号, 婚姻状况, 工作单位, 籍贯), in households of one to five with their relations and tags;
2. *synthetic*: the baseline of earlier stops, printed for comparison only: the file's cells loaded
   into ``people_resident`` with one place, no pinyin and sequential blind indexes, then deleted;
3. *import*: ``ResidentImporter.run`` on the file as the screens and ``shequ import`` run it — read,
   checked (identity numbers, dates, phones, places, households, scope), encrypted, written in chunks of
   5,000 by the same bulk path as the raw load (committed every 20,000 rows on SQLite, every chunk on
   PostgreSQL: ``Importer.rows_per_commit``), the new residents pointing
   to the import's batch record and one audit entry for the import — then the same file again (every row
   unchanged) and a dry run.  Peak memory is the worker's maximum resident set size, plus that of the
   reader process it forks for a large file when more than a core sits idle (``parallelread.idle_core``);
4. *raw*: the database's own limit, issue 18's "raw load of the same prepared rows": every row the import
   wrote (residents, households, tag links) read back as stored, the tables emptied, and the same rows
   inserted again with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) in one transaction.

The verdict compares the import's ratio to the raw load and its peak memory with issue 18's targets
(≥ 0.40×, ≤ 1 GiB); the import's rows per second are shown beside issue 3's absolute figure (20,000 rows/s,
set on another machine: where an issue gives an absolute figure, the ratio measured in the same run decides).
A missed target prints FAIL but does not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench import common  # noqa: E402 - the repository is on sys.path now

if TYPE_CHECKING:
    from shequ.core.importing import ImportResult

# ``SHEQU_BENCH_NAME`` names the databases (default ``people``), so that two checkouts can run the bench at once.
BENCH_NAME = os.environ.get("SHEQU_BENCH_NAME", "people")
DATABASE = common.Database(Path(f"/tmp/shequ-{BENCH_NAME}-bench.sqlite3"), f"shequ_{BENCH_NAME}_bench")
TARGET_ROWS_PER_S = 20_000
# Issue 18: the import at least 0.40× the raw load's rows per second, within 1 GiB.
TARGET_RATIO = 0.40
TARGET_PEAK_MB = 1024
HEADER = [
    "序号", "姓名", "性别", "民族", "出生日期", "身份证号", "联系电话", "文化程度", "政治面貌", "就业状况",
    "人员类型", "地区编码", "地址", "户号", "与户主关系", "特殊人群", "婚姻状况", "工作单位", "籍贯", "备注",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database and the file afterwards")
    parser.add_argument("--worker", choices=("prepare", "synthetic", "import", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)

    def run(vendor: str) -> list[dict[str, Any]]:
        report = bench(vendor, args.rows, args.keep)
        print_report(vendor, report)
        return [report]

    status, _reports = common.each_database(args.db, run, gap="")
    return status


def bench(vendor: str, rows: int, keep: bool) -> dict[str, Any]:
    DATABASE.create(vendor)
    var_dir = Path(tempfile.mkdtemp(prefix="shequ-people-bench-"))
    env = common.worker_env(DATABASE.url(vendor), var_dir)
    source = var_dir / f"residents-{rows}.xlsx"
    report: dict[str, Any] = {"rows": rows}
    try:
        for worker in ("prepare", "synthetic", "import", "raw"):
            report[worker] = common.run_json_worker(__file__, worker, env, ["--file", str(source), "--rows", str(rows)])
    finally:
        if not keep:
            DATABASE.drop(vendor)
            source.unlink(missing_ok=True)
    return report


def print_report(vendor: str, report: dict[str, Any]) -> None:
    rows, prep, raw, imp = report["rows"], report["prepare"], report["raw"], report["import"]
    synthetic = report["synthetic"]
    rate = rows / imp["seconds"]
    method = "COPY" if vendor == "postgres" else "executemany"
    written = raw["written"]
    print(f"\n{common.LABELS[vendor]} — {rows:,} residents, 20 columns (.xlsx {prep['file_mb']:.1f} MB)")
    print(f"  {'operation':<52}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}")
    lines = [
        (f"raw load of the rows the import wrote ({method})", raw["seconds"], None),
        ("import: read, check, encrypt, write, audit", imp["seconds"], imp["peak_mb"]),
        ("the same file again (all unchanged)", imp["again_seconds"], None),
        ("dry run (preview)", imp["dry_seconds"], None),
        ("earlier baseline: synthetic rows, one place", synthetic["seconds"], None),
    ]
    for label, seconds, peak in lines:
        peak_text = f"{peak:>9.0f}" if peak else f"{'':>9}"
        print(f"  {label:<52}{seconds:>9.2f}{rows / seconds:>10,.0f}{peak_text}")
    print(
        f"  the raw load wrote {written['residents']:,} residents, {written['households']:,} households"
        f" and {written['tag links']:,} tag links, as the import did;"
        f" the residents' statements alone {raw['residents_seconds']:.2f} s, before the commit"
    )
    print(f"  reading the sheet alone (calamine): {synthetic['read_seconds']:.2f} s")
    print(f"  created {imp['created']:,}, unchanged on the second run {imp['unchanged']:,}, rejected {imp['rejected']}")
    print(f"  import / raw load: {imp['seconds'] / raw['seconds']:.1f}× the time")
    # Issue 3's absolute figure, set on another machine: shown, but the ratio below is what decides.
    reached = "reached" if rate >= TARGET_ROWS_PER_S else "not reached on this machine"
    print(f"  {rate:,.0f} rows/s (issue 3's absolute {TARGET_ROWS_PER_S:,} rows/s: {reached}; the ratio decides)")
    ratio = raw["seconds"] / imp["seconds"]
    verdict = "ok" if ratio >= TARGET_RATIO and imp["peak_mb"] <= TARGET_PEAK_MB else "FAIL"
    print(
        f"  {verdict}: {ratio:.2f}× the raw load's rows/s (issue 18: ≥ {TARGET_RATIO:.2f}×);"
        f" peak {imp['peak_mb']:.0f} MB (≤ {TARGET_PEAK_MB}); against the earlier baseline"
        f" {synthetic['seconds'] / imp['seconds']:.2f}×"
    )


# -- workers ----------------------------------------------------------------------------------------------------


def run_worker(args: argparse.Namespace) -> int:
    common.setup_django()
    workers = {"prepare": prepare, "synthetic": synthetic_load, "import": run_import, "raw": raw_load}
    result = workers[args.worker](Path(args.file), args.rows)
    print(json.dumps(result))
    return 0


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


def synthetic_load(source: Path, rows: int) -> dict[str, Any]:
    """The baseline of earlier stops, kept for comparison: the file's names, dates and phones, but one place
    for every row, no pinyin, no household, no tags and sequential blind indexes (``f"{i:064x}"``), which
    the table's unique indexes take in order.  Faster than the rows the import writes; not the verdict's."""
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
    seconds, _each = _load({"people_resident": (columns, prepared)})
    _empty(["people_resident"])
    return {"seconds": seconds, "read_seconds": read_seconds}


def raw_load(source: Path, rows: int) -> dict[str, Any]:
    """The baseline of issue 18, "the raw load of the same prepared rows": after the import, every row it wrote
    (residents, their households, their tag links) is read back as stored — encrypted numbers, blind indexes,
    pinyin, 4,000 places — the tables are emptied, and the same rows go in again by the database's own bulk
    path, in one transaction: what the database itself costs for the import's result, with no reading,
    checking, encrypting or auditing."""
    from django.db import connection

    from shequ.people.models import Household, Resident

    # SQLite: ``+column`` has no declared type, so the values come back as stored (dates as text), not converted.
    read = "+{}" if connection.vendor == "sqlite" else "{}"
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    written: dict[str, int] = {}
    for label, model in (("households", Household), ("residents", Resident), ("tag links", Resident.tags.through)):
        columns = [f.column for f in model._meta.concrete_fields]
        table, selected = model._meta.db_table, ", ".join(read.format(c) for c in columns)
        tables[table] = (columns, common.fetch_all(f"SELECT {selected} FROM {table} ORDER BY id", ()))
        written[label] = len(tables[table][1])
    if written["residents"] != rows:
        raise RuntimeError(f"the import wrote {written['residents']:,} residents, not {rows:,}")
    _empty(list(tables))
    seconds, each = _load(tables)
    return {"seconds": seconds, "written": written, "residents_seconds": each[Resident._meta.db_table]}


def _load(tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> tuple[float, dict[str, float]]:
    """The rows into their tables in one transaction, by ``COPY`` (PostgreSQL) or ``executemany`` in batches of
    2,000 (SQLite); the seconds it took, and those of each table's statements (before the commit and the
    checks it runs).  The previous worker's writes are flushed first: the kernel's writeback is not the load's."""
    from django.db import connection, transaction

    os.sync()
    started = time.perf_counter()
    each: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, values) in tables.items():
            table_started = time.perf_counter()
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                for start in range(0, len(values), 2000):
                    cursor.executemany(sql, values[start : start + 2000])
            each[table] = time.perf_counter() - table_started
    return time.perf_counter() - started, each


def _empty(tables: list[str]) -> None:
    """The tables emptied and their storage given back, so that a load starts as the import did: on empty tables
    with empty indexes."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            with transaction.atomic():
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("VACUUM")


def import_file(source: Path) -> tuple[ImportResult, float]:
    """``ResidentImporter.run`` on the file as the screens and ``shequ import`` run it; with its seconds."""
    import gc

    from shequ.accounts.models import User
    from shequ.people.importers import ResidentImporter

    user = User.objects.get(username="bench")
    gc.collect()
    os.sync()  # the previous worker's writes flushed first: the kernel's writeback is not the import's
    started = time.perf_counter()
    result = ResidentImporter(user, None).run(str(source), source.name, dry_run=False, mode="valid")
    return result, time.perf_counter() - started


def run_import(source: Path, rows: int) -> dict[str, Any]:
    import resource

    from shequ.accounts.models import User
    from shequ.people.importers import ResidentImporter

    result, seconds = import_file(source)
    # With the parallel reader the file is read in a forked process: its peak counts too (both at once, at worst).
    peak = common.peak_mb() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    user = User.objects.get(username="bench")
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
