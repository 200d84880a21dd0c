"""Benchmark of the residents' import against a well-known peer: ours and django-import-export on the same .xlsx.

Usage::

    .venv/bin/python bench/import_peers.py [--rows N] [--db sqlite|postgres|both] [--keep]

django-import-export is not a dependency of the project: ``pip install django-import-export[xlsx]``
(or ``uv pip install -e '.[bench]'``).  Without it the benchmark says so and is skipped.

For each database the main process prepares a database (``/tmp/shequ-peers-bench.sqlite3``; the
PostgreSQL database ``shequ_peers_bench`` on 127.0.0.1:5432) with the *prepare* worker of
``bench/residents.py`` (migrations, a demo territory of 4,000 units, the superuser ``bench``, the
care tags, and an .xlsx of ``--rows`` residents with its 20 columns), then copies it twice (a file
copy; ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so that each import starts from the same empty
register, and runs in a fresh process each:

a. *ours*: ``ResidentImporter.run`` on the file, as the screens and ``shequ import`` run it (as
   ``bench/residents.py`` times it);
b. *theirs*: django-import-export's ``ModelResource.import_data`` on the same file read with
   ``tablib`` (openpyxl), with the resource below.  It is given the same cleaning work: every cell
   goes through the same parser as ours (``ResidentImporter.columns``: identity numbers checked,
   choices, dates, phones, ethnic groups, tags); the row's place is found with the same
   ``PlaceIndex``; the gender and birth date are checked against the identity number; the identity
   number is stored encrypted with its blind index and masked form, and the blind index is the
   import id (re-importing updates).  ``Resident.save()`` computes the pinyin, and django-auditlog
   writes one audit entry per resident, as ours writes one.  Households are found or created by
   number (``get_or_create``) and the head is set; tags go through a ``ManyToManyWidget``.  The
   resource is tuned as its documentation suggests for big files (``skip_diff``, transactions); it
   saves row by row (``use_bulk`` would skip ``save()``, the pinyin, the audit and the tags).

   What it does not do that ours does: it does not check the user's import scope (the user here is
   a superuser, so ours finds nothing to refuse either), nor report a number repeated in the file
   (the later row silently updates the earlier one), a household placed elsewhere, two heads or a
   relation without a household; no audit entry for households; no dry-run preview in the same pass.

The verdict compares the time ratio theirs/ours with the issue's expectation (ours ≥ 20× faster).
A missed expectation prints FAIL but does not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))  # for bench.common, and bench.residents in the workers

from bench import common  # noqa: E402 - the repository is on sys.path now

SQLITE_FILE = Path("/tmp/shequ-peers-bench.sqlite3")
PG_DATABASE = "shequ_peers_bench"
COPIES = ("ours", "theirs")
EXPECTED_SPEEDUP = 20.0
SKIPPED = "skipped: pip install django-import-export (with its xlsx extra: django-import-export[xlsx])"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", choices=[*common.VENDORS, "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the file afterwards")
    parser.add_argument("--worker", choices=("prepare", "ours", "theirs"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)
    if not peer_installed():
        print(SKIPPED)
        return 0

    def bench_one(vendor: str) -> list[dict[str, Any]]:
        report = bench(vendor, args.rows, args.keep)
        print_report(vendor, report)
        return [report]

    status, _reports = common.each_database(args.db, bench_one, gap="")
    return status


def peer_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("import_export", "tablib", "openpyxl"))


# -- databases: one prepared, two copies ------------------------------------------------------------------------


def database(copy: str = "") -> common.Database:
    """The prepared database (no *copy*) or one of its copies."""
    sqlite_file = SQLITE_FILE.with_name(f"{SQLITE_FILE.stem}{'-' + copy if copy else ''}{SQLITE_FILE.suffix}")
    return common.Database(sqlite_file, f"{PG_DATABASE}{'_' + copy if copy else ''}")


def drop_databases(vendor: str) -> None:
    for copy in ("", *COPIES):
        database(copy).drop(vendor)


def copy_database(vendor: str, copy: str) -> None:
    """The prepared database, copied as it is (its worker has exited, so no connection is open)."""
    source, target = database(), database(copy)
    if vendor == "sqlite":
        common.checkpoint_sqlite(source.sqlite_file)
        shutil.copyfile(source.sqlite_file, target.sqlite_file)
    else:
        common.pg_execute(f'CREATE DATABASE "{target.pg_name}" TEMPLATE "{source.pg_name}"')


def bench(vendor: str, rows: int, keep: bool) -> dict[str, Any]:
    drop_databases(vendor)
    database().create(vendor)
    var_dir = Path(tempfile.mkdtemp(prefix="shequ-peers-bench-"))
    source = var_dir / f"residents-{rows}.xlsx"
    report: dict[str, Any] = {"rows": rows}
    try:
        report["prepare"] = run(vendor, "prepare", "", source, rows, var_dir)
        for copy in COPIES:
            copy_database(vendor, copy)
        for copy in COPIES:
            report[copy] = run(vendor, copy, copy, source, rows, var_dir)
    finally:
        if not keep:
            drop_databases(vendor)
            shutil.rmtree(var_dir, ignore_errors=True)
    return report


def run(vendor: str, worker: str, copy: str, source: Path, rows: int, var_dir: Path) -> dict[str, Any]:
    env = common.worker_env(database(copy).url(vendor), var_dir)
    result: dict[str, Any] = common.run_json_worker(__file__, worker, env, ["--file", str(source), "--rows", str(rows)])
    return result


def print_report(vendor: str, report: dict[str, Any]) -> None:
    rows, ours, theirs = report["rows"], report["ours"], report["theirs"]
    print(f"\n{common.LABELS[vendor]} — {rows:,} residents, 20 columns (.xlsx {report['prepare']['file_mb']:.1f} MB)")
    print(f"  {'importer':<46}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}")
    for label, result in (
        ("ours: ResidentImporter.run", ours),
        ("django-import-export: ModelResource.import_data", theirs),
    ):
        print(f"  {label:<46}{result['seconds']:>9.2f}{rows / result['seconds']:>10,.0f}{result['peak_mb']:>9.0f}")
    print(f"  of which reading the sheet: theirs {theirs['read_seconds']:.2f} s (tablib/openpyxl)")
    for label, result in (("ours", ours), ("theirs", theirs)):
        made = result["made"]
        print(
            f"  {label:<7} created {made['residents']:,} residents ({made['with_pinyin']:,} with pinyin,"
            f" {made['encrypted']:,} numbers encrypted), {made['households']:,} households"
            f" ({made['headed']:,} with a head), {made['tag_links']:,} tag links, {made['audit']:,} audit entries;"
            f" rejected {result['rejected']}"
        )
    ratio = theirs["seconds"] / ours["seconds"]
    verdict = "ok" if ratio >= EXPECTED_SPEEDUP else "FAIL"
    rates = f"{rows / ours['seconds']:,.0f} vs {rows / theirs['seconds']:,.0f} rows/s"
    print(f"  time theirs / ours: {ratio:.1f} ({rates})")
    print(f"  {verdict}: ours {ratio:.1f}× faster than django-import-export (expected ≥ {EXPECTED_SPEEDUP:.0f}×)")


# -- workers ----------------------------------------------------------------------------------------------------


def run_worker(args: argparse.Namespace) -> int:
    common.setup_django()
    source = Path(args.file)
    if args.worker == "prepare":
        from bench.residents import prepare

        result = prepare(source, args.rows)
    elif args.worker == "ours":
        result = import_ours(source)
    else:
        result = import_theirs(source)
    print(json.dumps(result))
    return 0


def made() -> dict[str, int]:
    """What an import left in the database, to compare the two."""
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import AuditEntry
    from shequ.people.models import Household, Resident

    residents = Resident.objects.all()
    return {
        "residents": residents.count(),
        "with_pinyin": residents.exclude(pinyin="").count(),
        "encrypted": residents.exclude(id_hash=None).exclude(id_masked="").count(),
        "households": Household.objects.count(),
        "headed": Household.objects.exclude(head=None).count(),
        "tag_links": Resident.tags.through.objects.count(),
        "audit": AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Resident)).count(),
    }


def import_ours(source: Path) -> dict[str, Any]:
    from bench.residents import import_file

    result, seconds = import_file(source)
    return {"seconds": seconds, "peak_mb": common.peak_mb(), "rejected": result.rejected, "made": made()}


def import_theirs(source: Path) -> dict[str, Any]:
    import gc

    import openpyxl  # noqa: F401 - imported before the timing, as ours has its reader imported
    import tablib

    resource_class = resident_resource()
    gc.collect()
    started = time.perf_counter()
    dataset = tablib.Dataset().load(source.read_bytes(), format="xlsx")
    read_seconds = time.perf_counter() - started
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    seconds = time.perf_counter() - started
    rejected = result.totals.get("error", 0) + result.totals.get("invalid", 0)
    if result.has_errors() or result.has_validation_errors():
        errors = [(n, str(e.error)) for n, errs in result.row_errors()[:3] for e in errs]
        errors += [(r.number, str(r.error_dict)) for r in result.invalid_rows[:3]]
        print(f"rejected {rejected} rows, e.g. {errors}", file=sys.stderr)
    return {
        "seconds": seconds,
        "read_seconds": read_seconds,
        "peak_mb": common.peak_mb(),
        "rejected": rejected,
        "made": made(),
    }


def resident_resource() -> Any:
    """A django-import-export resource for residents, doing what it can of what ours does (see the module doc)."""
    from import_export import fields, resources, widgets

    from bench.residents import HEADER
    from shequ.people.fields import id_hash_of
    from shequ.people.importers import ResidentImporter
    from shequ.people.models import CareTag, Household, Relation, Resident
    from shequ.people.places import PlaceIndex

    # The same parser for each cell as ours, by the column's key.
    parsers = {column.key: column.parse for column in ResidentImporter.columns}
    headers = {column.key: column.header for column in ResidentImporter.columns}
    ignored = set(HEADER) - set(headers.values())  # 序号, 婚姻状况, 工作单位, 籍贯: ours ignores them too

    class CellWidget(widgets.Widget):
        """A cell through our parser; its complaint becomes the row's error."""

        def __init__(self, key: str, then: Any = None) -> None:
            super().__init__()
            self.parse = parsers[key]
            self.then = then

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            try:
                cleaned = self.parse(value)
            except Exception as exc:  # RowError and the like: a message for the row
                raise ValueError(str(exc)) from None
            return self.then(cleaned) if self.then is not None and cleaned is not None else cleaned

    class TagsWidget(widgets.ManyToManyWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            names = parsers["tags"](value)
            return self.model.objects.filter(name__in=names) if names else self.model.objects.none()

    def cell(key: str, attribute: str | None = None, then: Any = None) -> fields.Field:
        return fields.Field(attribute=attribute or key, column_name=headers[key], widget=CellWidget(key, then))

    class ResidentResource(resources.ModelResource):
        name = cell("name")
        id_number = cell("id_number", then=lambda identity: identity.number)
        id_hash = cell("id_number", attribute="id_hash", then=lambda identity: id_hash_of(identity.number))
        gender = cell("gender")
        birth_date = cell("birth_date")
        phone = cell("phone")
        ethnicity = cell("ethnicity")
        education = cell("education")
        political_status = cell("political_status")
        employment = cell("employment")
        residence_type = cell("residence_type")
        relation = cell("relation")
        notes = cell("notes")
        tags = fields.Field(attribute="tags", column_name=headers["tags"], widget=TagsWidget(CareTag, field="name"))
        # Filled in by before_import_row from 地区编码 + 地址 and 户号.
        node = fields.Field(attribute="node_id", column_name="_node_id", widget=widgets.IntegerWidget())
        path = fields.Field(attribute="path", column_name="_path")
        household = fields.Field(attribute="household_id", column_name="_household_id", widget=widgets.IntegerWidget())

        class Meta:
            model = Resident
            fields = (
                "name", "id_number", "id_hash", "gender", "birth_date", "phone", "ethnicity", "education",
                "political_status", "employment", "residence_type", "relation", "notes", "tags", "node", "path",
                "household",
            )  # fmt: skip
            import_id_fields = ("id_hash",)  # the blind index of the number: a second import updates
            skip_diff = True  # no before/after export of every row: what its docs advise for big imports
            use_transactions = True

        def __init__(self) -> None:
            super().__init__()
            self.places = PlaceIndex()
            self.located: dict[tuple[str, str], Any] = {}

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            missing = set(HEADER) - ignored - set(dataset.headers or ())
            if missing:
                raise ValueError(f"columns missing: {sorted(missing)}")
            for header in ("_node_id", "_path", "_household_id"):  # filled in row by row
                dataset.append_col([None] * len(dataset), header=header)

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            identity = parsers["id_number"](row[headers["id_number"]])
            if identity is None:
                raise ValueError("身份证号 is required")
            gender = parsers["gender"](row.get(headers["gender"]))
            if gender and gender != identity.gender:
                raise ValueError("性别 does not match the identity number")
            born = parsers["birth_date"](row.get(headers["birth_date"]))
            if born and born != identity.birth_date:
                raise ValueError("出生日期 does not match the identity number")
            key = (parsers["node_code"](row.get(headers["node_code"])) or "", row.get(headers["address"]) or "")
            place = self.located.get(key)
            if place is None:
                base = self.places.by_code_lookup(key[0])
                place = self.located[key] = base and self.places.resolve(base, key[1])
            if place is None:
                raise ValueError(f"no place {key}")
            row["_node_id"], row["_path"] = place.id, place.path
            number = parsers["household_number"](row.get(headers["household_number"]))
            row["_household_id"] = None
            if number:
                household, _created = Household.objects.get_or_create(
                    number=number, dissolved=False, defaults={"node_id": place.id, "path": place.path}
                )
                row["_household_id"] = household.pk

        def before_save_instance(self, instance: Resident, row: Any, **kwargs: Any) -> None:
            instance.set_identity_number(instance.id_number)  # the masked form (and the same blind index)

        def after_save_instance(self, instance: Resident, row: Any, **kwargs: Any) -> None:
            if instance.relation == Relation.HEAD and instance.household_id:
                Household.objects.filter(pk=instance.household_id).update(head=instance)

    return ResidentResource


if __name__ == "__main__":
    raise SystemExit(main())
