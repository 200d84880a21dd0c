"""The spreadsheet import framework: tolerant headers, a dry run, then all-or-nothing or valid rows.

An importer declares its columns and how to clean and apply a row; this module finds
the header row (under merged title rows), matches headers (synonyms, full-width
characters, stray spaces), skips blank and repeated rows, and writes every rejected
row back with its original cells and the reason.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .actions import acting_as
from .exceptions import ActionError
from .spreadsheets import RowReader, XlsxWriter, read_rows
from .text import normalize, squash

HEADER_SCAN_ROWS = 30
MAX_ERRORS_KEPT = 200
# Names of the shell commands ``shequ import NAME FILE`` / ``shequ export NAME``: name → model label
# (e.g. "residents" → "people.resident"); each app registers its own in its AppConfig.ready.
COMMAND_NAMES: dict[str, str] = {}


def register_command_name(name: str, label: str) -> None:
    COMMAND_NAMES[name] = label


class RowError(Exception):
    """A row cannot be imported; the message is for the person who typed it, the code for programs."""

    def __init__(self, message: Any = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(value)


def float_cell(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(normalize(value))
    except ValueError:
        raise RowError(_("“%(value)s” is not a number.") % {"value": value}) from None


# Excel's day 0 for serial dates (the 1900 leap-year bug makes it 30 December 1899).
EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date_cell(value: Any) -> date | None:
    """A date as offices write it: a real date cell, an Excel serial number (31108), ``1985-03-02``,
    ``1985/3/2``, ``1985.3.2``, ``1985年3月2日`` or ``19850302``; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise RowError(_("“%(value)s” is not a date.") % {"value": value}, code="bad_date")
    if isinstance(value, int | float):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return date_cell(str(int(value)))
        if not 1 <= value < 2958466:  # 9999-12-31
            raise RowError(_("“%(value)s” is not a date.") % {"value": value}, code="bad_date")
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = normalize(value)
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match is None:
        raise RowError(
            _("“%(value)s” is not a date: write it as 1985-03-02 or 1985年3月2日.") % {"value": text},
            code="bad_date",
        )
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise RowError(_("There is no such day as %(value)s.") % {"value": text}, code="bad_date") from None


def choice_cell(choices: Any, words: Mapping[str, Sequence[str]] | None = None) -> Callable[[Any], str]:
    """A parser for a cell holding one of *choices* (a TextChoices class): its value, its label in either
    language, or one of the *words* given per value (synonyms such as 男/女); '' when empty."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[squash(value)] = value
        lookup[squash(str(label))] = value
        for synonym in (words or {}).get(value, ()):
            lookup[squash(synonym)] = value

    def parse(cell: Any) -> str:
        text = squash(text_cell(cell))
        if not text:
            return ""
        found = lookup.get(text)
        if found is None:
            from django.utils.translation import override

            with override(None):
                english = {squash(str(label)): value for value, label in choices.choices}
            found = english.get(text)
        if found is None:
            known = "、".join(str((words or {}).get(v, (label,))[0]) for v, label in choices.choices)
            raise RowError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": text_cell(cell), "choices": known},
                code="bad_choice",
            )
        return found

    return parse


@dataclass
class Column:
    key: str
    header: str
    synonyms: Sequence[str] = ()
    required: bool = False
    parse: Callable[[Any], Any] = text_cell
    example: Any = ""
    # Many rows hold the same few values (choices, places, dates): parse each distinct cell once.
    repeats: bool = False

    def names(self) -> set[str]:
        return {squash(self.header), squash(self.key), *(squash(s) for s in self.synonyms)}


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    applied: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    report: str = ""
    unknown_headers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "applied": self.applied,
            "errors": self.errors[:MAX_ERRORS_KEPT],
            "report": self.report,
            "unknown_headers": self.unknown_headers,
        }


@dataclass
class Row:
    number: int  # 1-based row number in the sheet, as the user sees it
    cells: list[Any]
    values: dict[str, Any]
    cleaned: Any = None
    error: str = ""
    code: str = ""  # a stable code for the error, when the importer gives one

    def reject(self, message: Any, code: str = "invalid") -> None:
        self.error, self.code = str(message), code


class Importer:
    """Subclass: set ``model``, ``columns`` and implement ``clean`` and ``apply``.

    With ``chunk_size`` set, the file is read, checked and written a chunk at a time (constant
    memory, for files of a million rows): ``begin`` is called once, then ``validate`` and ``apply``
    (or ``preview``) for each chunk in turn, so the importer keeps whatever it needs across
    chunks (e.g. the keys seen so far) on itself.  ``apply`` and ``preview`` may still reject
    rows (``row.reject``); those are reported like the others.  "All or nothing" runs in one
    transaction, stops writing at the first rejected row and rolls back at the end; "valid rows"
    commits chunk by chunk (upserts make a re-run after an interruption harmless).
    """

    model: ClassVar[Any] = None
    columns: ClassVar[list[Column]] = []
    sheet_name: ClassVar[str] = "Sheet1"
    chunk_size: ClassVar[int] = 0

    def __init__(self, user: Any, node: Any = None) -> None:
        self.user = user
        self.node = node

    # -- to override --------------------------------------------------------
    def clean(self, row: Row) -> Any:
        """Return the cleaned record for *row* or raise RowError."""
        raise NotImplementedError

    def validate(self, rows: list[Row]) -> None:
        """Clean every row; override for checks across rows (call super first)."""
        for row in rows:
            try:
                row.cleaned = self.clean(row)
            except RowError as exc:
                row.reject(exc, exc.code)
            except ValidationError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")

    def begin(self, *, dry_run: bool, mode: str) -> None:
        """Chunked imports: called once before the first chunk."""

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        """Write the valid rows (already in a transaction), counting created/updated/unchanged."""
        raise NotImplementedError

    # -- framework ----------------------------------------------------------
    def header_map(self, header: list[Any]) -> tuple[dict[int, Column], list[str]]:
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for name in column.names():
                lookup.setdefault(name, column)
        mapping: dict[int, Column] = {}
        unknown = []
        for index, cell in enumerate(header):
            key = squash(cell).replace("*", "").replace("（", "(").split("(")[0]
            found = lookup.get(key)
            if found is not None and found not in mapping.values():
                mapping[index] = found
            elif cell not in (None, ""):
                unknown.append(text_cell(cell))
        return mapping, unknown

    def find_header(self, rows: list[list[Any]]) -> tuple[int, dict[int, Column], list[str]]:
        required = {c.key for c in self.columns if c.required}
        best: tuple[int, dict[int, Column], list[str]] | None = None
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            mapping, unknown = self.header_map(row)
            keys = {c.key for c in mapping.values()}
            if required <= keys and keys and (best is None or len(mapping) > len(best[1])):
                best = (index, mapping, unknown)
                break
        if best is None:
            names = "、".join(c.header for c in self.columns if c.required)
            raise ActionError(
                _("No header row found: the sheet needs the columns %(names)s (see the template).") % {"names": names},
                code="no_header",
            )
        return best

    def run(
        self,
        path: str | Path,
        filename: str,
        *,
        dry_run: bool,
        mode: str = "valid",
        progress: Callable[[int, int], None] | None = None,
        report_path: str | None = None,
    ) -> ImportResult:
        if self.chunk_size:
            return self.run_chunked(
                path, filename, dry_run=dry_run, mode=mode, progress=progress, report_path=report_path
            )
        all_rows = list(read_rows(path, filename))
        header_index, mapping, unknown = self.find_header(all_rows)
        header = all_rows[header_index]
        result = ImportResult(unknown_headers=unknown)
        rows: list[Row] = []
        seen: set[tuple] = set()
        total_rows = max(1, len(all_rows) - header_index - 1)
        for offset, cells in enumerate(all_rows[header_index + 1 :], start=header_index + 2):
            if progress and offset % 1000 == 0:
                progress(offset // 2, total_rows)  # reading and checking: the first half of the bar
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            signature = tuple(text_cell(c) for c in cells)
            if signature in seen:
                result.duplicates += 1
                continue
            seen.add(signature)
            values: dict[str, Any] = {}
            row = Row(number=offset, cells=list(cells), values=values)
            for index, column in mapping.items():
                raw = cells[index] if index < len(cells) else None
                try:
                    values[column.key] = column.parse(raw)
                except RowError as exc:
                    row.reject(f"{column.header}：{exc}", exc.code)
                    break
            if not row.error:
                missing = [c.header for c in self.columns if c.required and values.get(c.key) in (None, "")]
                if missing:
                    row.reject(_("Required, but empty: %(names)s.") % {"names": "、".join(missing)}, "required")
            rows.append(row)
        result.total = len(rows)
        pending = [r for r in rows if not r.error]
        self.validate(pending)
        valid = [r for r in rows if not r.error]
        rejected = [r for r in rows if r.error]
        result.rejected = len(rejected)
        result.errors = [_error(r) for r in rejected[:MAX_ERRORS_KEPT]]
        if rejected and report_path:
            self.write_report(report_path, header, rejected)
            result.report = report_path
        if progress:
            progress(len(rows) // 2 if not dry_run else len(rows), len(rows))
        if dry_run or (mode == "all" and rejected):
            self.preview(valid, result)
            return result
        with acting_as(self.user), transaction.atomic():
            self.apply(valid, result)
        result.applied = True
        if progress:
            progress(len(rows), len(rows))
        return result

    def parse_row(self, number: int, cells: list[Any], mapping: dict[int, Column]) -> Row:
        values: dict[str, Any] = {}
        row = Row(number=number, cells=cells, values=values)
        width = len(cells)
        memo = self.__dict__.setdefault("_parsed_cells", {})
        for index, column in mapping.items():
            raw = cells[index] if index < width else None
            try:
                if column.repeats:
                    known = memo.setdefault(column.key, {})
                    key = (type(raw), raw)
                    if key not in known:
                        if len(known) > 20_000:
                            known.clear()
                        try:
                            known[key] = column.parse(raw)
                        except RowError as exc:
                            known[key] = exc
                    value = known[key]
                    if isinstance(value, RowError):
                        raise value
                    values[column.key] = value
                else:
                    values[column.key] = column.parse(raw)
            except RowError as exc:
                row.reject(f"{column.header}：{exc}", exc.code)
                return row
        for column in self.columns:
            if column.required and values.get(column.key) in (None, ""):
                missing = [c.header for c in self.columns if c.required and values.get(c.key) in (None, "")]
                row.reject(_("Required, but empty: %(names)s.") % {"names": "、".join(missing)}, "required")
                break
        return row

    def run_chunked(
        self,
        path: str | Path,
        filename: str,
        *,
        dry_run: bool,
        mode: str = "valid",
        progress: Callable[[int, int], None] | None = None,
        report_path: str | None = None,
    ) -> ImportResult:
        reader = RowReader(path, filename)
        rows_in = iter(reader)
        head = list(islice(rows_in, HEADER_SCAN_ROWS))
        header_index, mapping, unknown = self.find_header(head)
        header = head[header_index]
        result = ImportResult(unknown_headers=unknown)
        report = _ReportWriter(report_path, header) if report_path else None
        self.begin(dry_run=dry_run, mode=mode)
        total = max(1, reader.total - header_index - 1)
        seen: set[bytes] = set()

        def parsed() -> Iterator[Row]:
            for number, cells in enumerate(chain(head[header_index + 1 :], rows_in), start=header_index + 2):
                if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    continue
                signature = hashlib.blake2b(repr(cells).encode(), digest_size=16).digest()
                if signature in seen:
                    result.duplicates += 1
                    continue
                seen.add(signature)
                yield self.parse_row(number, cells, mapping)

        def chunks() -> Iterator[list[Row]]:
            source = parsed()
            while chunk := list(islice(source, self.chunk_size)):
                yield chunk

        def work(each_chunk_atomic: bool) -> None:
            write = not dry_run
            for chunk in chunks():
                with transaction.atomic() if each_chunk_atomic else contextlib.nullcontext():
                    self.validate([r for r in chunk if not r.error])
                    if write and mode == "all" and (result.rejected or any(r.error for r in chunk)):
                        write = False  # all or nothing: nothing more is written; what was is rolled back
                    valid = [r for r in chunk if not r.error]
                    if write:
                        self.apply(valid, result)
                    else:
                        self.preview(valid, result)
                result.total += len(chunk)
                for row in chunk:
                    if row.error:
                        result.rejected += 1
                        if len(result.errors) < MAX_ERRORS_KEPT:
                            result.errors.append(_error(row))
                        if report is not None:
                            report.write(row)
                if progress:
                    progress(min(result.total + result.duplicates, total), total)

        try:
            if dry_run:
                work(each_chunk_atomic=False)
            elif mode == "all":
                with acting_as(self.user), transaction.atomic():
                    work(each_chunk_atomic=False)
                    if result.rejected:
                        transaction.set_rollback(True)
                    else:
                        result.applied = True
            else:
                # Valid rows: each chunk commits on its own, so that other writers and the progress bar
                # are not held up by a long import; a re-run after an interruption changes nothing twice.
                with acting_as(self.user):
                    work(each_chunk_atomic=True)
                result.applied = True
        finally:
            if report is not None:
                result.report = report.close() or ""
        if progress:
            progress(total, total)
        return result

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        """Count what an apply would do, without writing.  Default: every valid row counts as created."""
        result.created = len(rows)

    def write_report(self, path: str, header: list[Any], rejected: Iterable[Row]) -> None:
        writer = XlsxWriter(path, _("Rejected rows"))
        writer.header([_("Row"), *[text_cell(h) for h in header], _("Reason")])
        for row in rejected:
            writer.write([row.number, *row.cells, row.error], highlight_last=True)
        writer.close()

    @classmethod
    def write_template(cls, target: Any) -> None:
        writer = XlsxWriter(target, cls.sheet_name)
        writer.header([c.header + ("*" if c.required else "") for c in cls.columns])
        writer.write([c.example for c in cls.columns])
        writer.close()


def _error(row: Row) -> dict[str, Any]:
    entry: dict[str, Any] = {"row": row.number, "message": row.error}
    if row.code:
        entry["code"] = row.code
    return entry


class _ReportWriter:
    """The rejected rows, written as they come (header, then the row number, original cells, reason)."""

    def __init__(self, path: str, header: list[Any]) -> None:
        self.path, self.header = path, header
        self.writer: XlsxWriter | None = None

    def write(self, row: Row) -> None:
        if self.writer is None:
            self.writer = XlsxWriter(self.path, _("Rejected rows"))
            self.writer.header([_("Row"), *[text_cell(h) for h in self.header], _("Reason")])
        self.writer.write([row.number, *row.cells, row.error], highlight_last=True)

    def close(self) -> str | None:
        if self.writer is None:
            return None
        self.writer.close()
        return self.path


class BulkInsert:
    """Many rows of one model into its table by the database's own bulk path: ``executemany`` on SQLite,
    ``COPY`` on PostgreSQL.  For imports of a million rows, where building model instances and Django's
    per-field SQL compilation cost several times the insert itself.

    Rows are tuples in the order of *fields*; each value is prepared for the database as its field
    would (``get_db_prep_save``: encryption, JSON …), plain text and integers as they are.  No
    signals, no ``auto_now``: give every value.  ``reserve_ids`` hands out primary keys for rows that
    others must refer to (call it inside the transaction of the insert).
    """

    PLAIN = frozenset(
        {
            "CharField",
            "TextField",
            "SlugField",
            "IntegerField",
            "BigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SmallIntegerField",
            "BooleanField",
            "ForeignKey",
            "AutoField",
            "BigAutoField",
        }
    )

    def __init__(self, model: Any, fields: Sequence[str]) -> None:
        from django.db import connection, models

        self.model, self.connection = model, connection
        self.fields = [model._meta.get_field(name) for name in fields]
        self.columns = [f.column for f in self.fields]
        ops = connection.ops
        self.adapters: list[Callable[[Any], Any] | None] = []
        for model_field in self.fields:
            kind = model_field.get_internal_type()
            plain = kind in self.PLAIN and type(model_field).get_prep_value in (
                models.CharField.get_prep_value,
                models.TextField.get_prep_value,
                models.IntegerField.get_prep_value,
                models.BooleanField.get_prep_value,
                models.ForeignKey.get_prep_value,
                models.AutoField.get_prep_value,
            )
            if plain:
                self.adapters.append(None)
            elif kind == "DateField":
                self.adapters.append(_memoized(ops.adapt_datefield_value))
            elif kind == "DateTimeField":
                self.adapters.append(_memoized(ops.adapt_datetimefield_value))
            elif kind == "JSONField":
                # What JSONField sends on SQLite; PostgreSQL's COPY reads jsonb from the same text.
                self.adapters.append(functools.partial(json.dumps, cls=model_field.encoder))
            else:
                self.adapters.append(self._field_adapter(model_field))
        self._special = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None]

    def _field_adapter(self, model_field: Any) -> Callable[[Any], Any]:
        def adapt(value: Any) -> Any:
            return model_field.get_db_prep_save(value, self.connection)

        return adapt

    def prepare(self, row: Sequence[Any]) -> Sequence[Any]:
        special = self._special
        if not special:
            return row
        prepared = list(row)
        for index, adapt in special:
            value = prepared[index]
            if value is not None:
                prepared[index] = adapt(value)
        return prepared

    def reserve_ids(self, count: int) -> list[int]:
        if count <= 0:
            return []
        table = self.model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [r[0] for r in cursor.fetchall()]
            # SQLite: the transaction holds the write lock, so the next ids are ours.
            quoted = self.connection.ops.quote_name(table)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            first = max(top, found[0] if found else 0) + 1
        return list(range(first, first + count))

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        prepared = [self.prepare(row) for row in rows]
        if not prepared:
            return 0
        ops = self.connection.ops
        table = ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
        return len(prepared)


def _memoized(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Dates and times repeat (every row of a chunk has the same ``created``): adapt each value once."""
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        found = seen.get(value, seen)
        if found is seen:
            if len(seen) > 10_000:
                seen.clear()
            found = seen[value] = adapt(value)
        return found

    return cached


def file_checksum(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def storage_dir(kind: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path
