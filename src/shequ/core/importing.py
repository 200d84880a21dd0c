"""The spreadsheet import framework: tolerant headers, a dry run, then all-or-nothing or valid rows.

An importer declares its columns and how to clean and apply a row; this module finds
the header row (under merged title rows), matches headers (synonyms, full-width
characters, stray spaces), skips blank and repeated rows, and writes every rejected
row back with its original cells and the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .actions import acting_as
from .bounds import field_validators, model_field, value_checker
from .bulk import BulkInsert, advance_sequences, fewer_wal_checkpoints  # noqa: F401  (re-exported: importers, seeders)
from .cells import (  # noqa: F401  (the cell parsers, for importers)
    EXCEL_EPOCH,
    RowError,
    accepted_by,
    alnum_code_cell,
    bool_cell,
    choice_cell,
    code_cell,
    date_cell,
    date_parser,
    float_cell,
    phone_cell,
    text_cell,
)
from .exceptions import ActionError
from .parallelread import idle_core, parallel_chunks
from .spreadsheets import RowReader, XlsxWriter, read_rows
from .text import squash

HEADER_SCAN_ROWS = 30
# Files from this size on are read in a separate process (an .xlsx of about 10,000 residents).
PARALLEL_READ_BYTES = 1 << 20
_UNSET: Any = object()
MAX_ERRORS_KEPT = 200
# Rows a valid-rows import writes per transaction on SQLite (``Importer.rows_per_commit``).
SQLITE_COMMIT_ROWS = 20_000
# Names of the shell commands ``shequ import NAME FILE`` / ``shequ export NAME``: name → model label
# (e.g. "residents" → "people.resident"); each app registers its own in its AppConfig.ready.
COMMAND_NAMES: dict[str, str] = {}


def register_command_name(name: str, label: str) -> None:
    COMMAND_NAMES[name] = label


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
    # What the column holds, for the import page's table of columns (a lazy translation).
    meaning: Any = ""

    def names(self) -> set[str]:
        return {squash(self.header), squash(self.key), *(squash(s) for s in self.synonyms)}

    def accepts(self) -> str:
        """What the column's cells may hold, in words (the parser's own description)."""
        return accepted_by(self.parse)


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

    def count(self, existing: Any, changes: Callable[..., Any], *args: Any) -> None:
        """One row previewed: created when it matched nothing, updated when *changes(*args)* (asked only for
        a match) finds something to change, unchanged otherwise."""
        if existing is None:
            self.created += 1
        elif changes(*args):
            self.updated += 1
        else:
            self.unchanged += 1

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

    def __reduce__(self) -> tuple[Any, ...]:  # rows cross from the reader process: keep pickling cheap
        return (Row, (self.number, self.cells, self.values, self.cleaned, self.error, self.code))


class Importer:
    """Subclass: set ``model``, ``columns`` and implement ``clean`` and ``apply``.

    With ``chunk_size`` set, the file is read, checked and written a chunk at a time (constant
    memory, for files of a million rows): ``begin`` is called once, then ``validate`` and ``apply``
    (or ``preview``) for each chunk in turn, so the importer keeps whatever it needs across
    chunks (e.g. the keys seen so far) on itself.  ``apply`` and ``preview`` may still reject
    rows (``row.reject``); those are reported like the others.  "All or nothing" runs in one
    transaction, stops writing at the first rejected row and rolls back at the end; "valid rows"
    commits at chunk ends, every ``rows_per_commit`` rows (upserts make a re-run after an interruption harmless).
    """

    model: ClassVar[Any] = None
    columns: ClassVar[list[Column]] = []
    sheet_name: ClassVar[str] = "Sheet1"
    chunk_size: ClassVar[int] = 0

    def __init__(self, user: Any, node: Any = None, job: Any = None) -> None:
        self.user = user
        self.node = node
        # The import batch record (a core.Job: who, when, file checksum, counts).  Rows an import creates
        # point to it instead of carrying one audit entry each; one summary entry goes to the audit log.
        self.job = job
        self._own_job = False

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
        if not dry_run and self.job is None:
            self.job = self._record(path, filename, mode)
        runner = self.run_chunked if self.chunk_size else self.run_whole
        try:
            if self._own_job:
                from .jobs import running

                with running(self.job):
                    result = runner(
                        path, filename, dry_run=dry_run, mode=mode, progress=progress, report_path=report_path
                    )
            else:
                result = runner(path, filename, dry_run=dry_run, mode=mode, progress=progress, report_path=report_path)
        except BaseException as exc:
            if self._own_job:
                from .models import Job

                Job.objects.filter(pk=self.job.pk).update(
                    status=Job.Status.FAILED, message=str(exc)[:500], finished=_now()
                )
            raise
        if result.applied and (result.created or result.updated):
            self._audit_summary(filename, result)
        if self._own_job:
            from .models import Job

            Job.objects.filter(pk=self.job.pk).update(
                status=Job.Status.DONE, done=result.total, total=result.total, result=result.as_dict(), finished=_now()
            )
        return result

    def _record(self, path: str | Path, filename: str, mode: str) -> Any:
        from .jobs import process_token
        from .models import Job

        node = self.node if self.node is not None else getattr(self.user, "node", None)
        self._own_job = True
        return Job.objects.create(
            kind="import",
            title=f"{self.model._meta.verbose_name_plural} ← {filename}",
            user=self.user,
            node=node,
            path=getattr(node, "path", "") or "",
            status=Job.Status.RUNNING,
            params={
                "model": self.model._meta.label_lower,
                "filename": filename,
                "sha256": file_checksum(path),
                "size": Path(path).stat().st_size,
                "dry_run": False,
                "mode": mode,
            },
            started=_now(),
            process=process_token(),
        )

    def _audit_summary(self, filename: str, result: ImportResult) -> None:
        """One audit entry for the import: who, when, which file, what it did; scoped like the import."""
        from django.contrib.contenttypes.models import ContentType

        from .models import AuditEntry

        node = self.node if self.node is not None else getattr(self.user, "node", None)
        path = getattr(node, "path", "") or ""
        job_id = getattr(self.job, "pk", None)
        AuditEntry.objects.create(
            content_type=ContentType.objects.get_for_model(self.model),
            object_pk="",
            object_repr=filename[:200],
            action=AuditEntry.Action.CREATE,
            changes={key: [None, getattr(result, key)] for key in ("created", "updated", "unchanged", "rejected")},
            actor=self.user if getattr(self.user, "is_authenticated", False) else None,
            path=path,
            additional_data={"event": "import", "job": job_id, "path": path},
        )

    def run_whole(
        self,
        path: str | Path,
        filename: str,
        *,
        dry_run: bool,
        mode: str = "valid",
        progress: Callable[[int, int], None] | None = None,
        report_path: str | None = None,
    ) -> ImportResult:
        """The whole file in memory at once (small registries: checks across all rows are simple)."""
        all_rows = list(read_rows(path, filename))
        header_index, mapping, unknown = self.find_header(all_rows)
        header = all_rows[header_index]
        result = ImportResult(unknown_headers=unknown)
        items: list[tuple[int, list[Any]]] = []
        seen: set[tuple] = set()
        for number, cells in enumerate(all_rows[header_index + 1 :], start=header_index + 2):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            signature = tuple(text_cell(c) for c in cells)
            if signature in seen:
                result.duplicates += 1
                continue
            seen.add(signature)
            items.append((number, list(cells)))
        rows = self.parse_and_prepare(items, mapping)
        if progress:
            progress(len(rows) // 2, max(1, len(rows)))  # reading and checking: the first half of the bar
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

    def bounded_field(self, key: str) -> Any:
        """The model field a column *key* fills (same name), when it has bounds to check on each cell."""
        field = model_field(self.model, key) if self.model is not None else None
        return field if field is not None and field_validators(field) else None

    def parse_row(self, number: int, cells: list[Any], mapping: dict[int, Column]) -> Row:
        return self.parse_chunk([(number, cells)], mapping)[0]

    def parse_chunk(self, items: list[tuple[int, list[Any]]], mapping: dict[int, Column]) -> list[Row]:
        """Parse the cells of many rows column by column: each column's parser, bounds check and memo are chosen
        once, each distinct cell of a ``repeats`` column is parsed once, and a row's values are put together
        at the end in one go; a row stops at its first bad cell (later cells of it are not parsed)."""
        rows = [Row(number=number, cells=cells, values={}) for number, cells in items]
        memo: dict[str, dict[Any, Any]] = self.__dict__.setdefault("_parsed_cells", {})
        all_cells = [row.cells for row in rows]
        narrowest = min(map(len, all_cells), default=0)
        live: Sequence[int] = range(len(rows))  # the rows without an error so far
        keys: list[str] = []
        parsed: list[list[Any]] = []  # by column, a value for each row (_UNSET where not parsed)
        for index, column in mapping.items():
            parse, key = column.parse, column.key
            bounded = self.bounded_field(key)
            check = value_checker(bounded) if bounded is not None else None
            # ``repeats`` columns: each distinct cell parsed and checked once (the outcome is remembered, by the
            # text itself for text cells, by type and value for others: 1, 1.0 and True are different cells).
            known = memo.setdefault(key, {}) if column.repeats else None
            if known is not None and len(known) > 20_000:
                known.clear()
            if known is not None:
                values, failed = _parse_repeated(rows, all_cells, live, index, narrowest, known, column, check)
                if failed:
                    live = [i for i in live if not rows[i].error]
                keys.append(key)
                parsed.append(values)
                continue
            empty: Any = _UNSET  # what the parser makes of an empty cell, asked once
            values = [_UNSET] * len(rows)
            failed = False
            for i in live:
                cells = all_cells[i]
                raw = cells[index] if index < narrowest or index < len(cells) else None
                if raw is None:
                    if empty is _UNSET:
                        empty = _outcome(parse, check, None)
                    value = empty
                else:
                    try:
                        value = parse(raw)
                        if check is not None:
                            check(value)
                    except (RowError, ValidationError) as exc:
                        value = exc
                if isinstance(value, Exception):
                    _reject_cell(rows[i], column.header, value)
                    failed = True
                else:
                    values[i] = value
            if failed:
                live = [i for i in live if not rows[i].error]
            keys.append(key)
            parsed.append(values)
        required = [c for c in self.columns if c.required]
        by_row = zip(*parsed, strict=True) if parsed else [()] * len(rows)
        for row, row_values in zip(rows, by_row, strict=True):
            if row.error:  # the values before its bad cell, as they were
                row.values = {k: v for k, v in zip(keys, row_values, strict=True) if v is not _UNSET}
                continue
            row.values = dict(zip(keys, row_values, strict=True))
            missing = [c.header for c in required if row.values.get(c.key) in (None, "")]
            if missing:
                row.reject(_("Required, but empty: %(names)s.") % {"names": "、".join(missing)}, "required")
        return rows

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
        with fewer_collections():
            return self._run_chunked(
                path, filename, dry_run=dry_run, mode=mode, progress=progress, report_path=report_path
            )

    def _run_chunked(
        self,
        path: str | Path,
        filename: str,
        *,
        dry_run: bool,
        mode: str,
        progress: Callable[[int, int], None] | None,
        report_path: str | None,
    ) -> ImportResult:
        self.begin(dry_run=dry_run, mode=mode)
        parallel = self.parallel_reader(path)
        source = parallel_chunks(self, path, filename) if parallel else _chunks(self, path, filename)
        try:
            total, header, unknown = next(source)
        except StopIteration:  # pragma: no cover - every source starts with its header
            raise ActionError(_("The file is empty."), code="no_header") from None
        result = ImportResult(unknown_headers=unknown)
        report = _ReportWriter(report_path, header) if report_path else None

        def chunks() -> Iterator[list[Row]]:
            for rows, duplicates in source:
                result.duplicates = duplicates
                yield rows

        def work(each_chunk_atomic: bool) -> None:
            write = not dry_run
            per_commit = self.rows_per_commit()
            open_rows = 0  # rows in the transaction still open (valid rows mode)
            with contextlib.ExitStack() as transactions:  # an error rolls back the open one, not those committed
                for number, chunk in enumerate(chunks(), start=1):
                    if each_chunk_atomic and not open_rows:
                        transactions.enter_context(transaction.atomic())
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
                    done = min(result.total + result.duplicates, total)
                    if write and each_chunk_atomic:
                        self.checkpoint(done, total, result)  # committed with the chunks it counts
                        open_rows += len(chunk)
                        if open_rows >= per_commit:
                            transactions.close()  # commit
                            open_rows = 0
                    if progress:
                        progress(done, total)
                    pause_for_tests(number, self.job)

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
                # Valid rows: committed every ``rows_per_commit`` rows, at a chunk's end, so that other writers
                # and the progress bar are not held up by a long import; a re-run after an interruption
                # changes nothing twice.
                with acting_as(self.user), fewer_wal_checkpoints():
                    work(each_chunk_atomic=True)
                result.applied = True
        finally:
            if report is not None:
                result.report = report.close() or ""
        if progress:
            progress(total, total)
        return result

    def rows_per_chunk(self) -> int:
        """Rows read, checked and written at a time (``SHEQU_IMPORT_CHUNK_ROWS`` overrides the importer's)."""
        return int(getattr(settings, "SHEQU_IMPORT_CHUNK_ROWS", None) or self.chunk_size)

    def rows_per_commit(self) -> int:
        """Rows written per transaction in the valid-rows mode; the commit comes at the end of the chunk that
        reaches them (``SHEQU_IMPORT_COMMIT_ROWS`` overrides; 0 commits every chunk).  On SQLite 20,000: each
        commit there writes every page the transaction touched into the log, and once the log passes
        ``fewer_wal_checkpoints``' size copies them into the database with an ``fsync``.  The random keys
        of a large table (blind indexes, names, pinyin) touch a new set of index pages with each chunk:
        1,000,000 residents in chunks of 5,000 spent 53 s of 119 in 200 commits, in 50 commits of
        20,000 rows 25 s.  The write lock is then held about 2 s at a time (others wait up to the
        connection's 20 s ``timeout``).  On PostgreSQL a commit costs what it checks (the deferred foreign
        keys of its rows: 16.3 s in 200 commits, 15.6 s in 50), so every chunk commits."""
        configured = getattr(settings, "SHEQU_IMPORT_COMMIT_ROWS", None)
        if configured is not None:
            return int(configured)
        from django.db import connection

        return SQLITE_COMMIT_ROWS if connection.vendor == "sqlite" else 0

    def checkpoint(self, done: int, total: int, result: ImportResult) -> None:
        """A chunk is written: the batch record says how far the import got and what it wrote so far, committed
        in the same transaction as the rows, which the job page shows if the import never finishes (its process
        killed)."""
        if self.job is None:
            return
        from .models import Job

        partial = {**result.as_dict(), "applied": True, "partial": True}
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, result=partial, heartbeat=_now())

    def prepare(self, rows: list[Row]) -> None:
        """Chunked imports: checks and work on parsed rows that need no database (hashing, encryption,
        checks across the file's rows).  For large files this runs in a separate reader process, in
        file order: state kept on the importer here is the reader's, not seen by ``validate``/``apply``."""

    def parse_and_prepare(self, items: list[tuple[int, list[Any]]], mapping: dict[int, Column]) -> list[Row]:
        rows = self.parse_chunk(items, mapping)
        self.prepare([r for r in rows if not r.error])
        return rows

    def parallel_reader(self, path: str | Path) -> bool:
        """Read in a separate process?  For files over ``PARALLEL_READ_BYTES`` where ``fork`` exists, when a
        core is idle now (``idle_core``).  A limit of 0 always does (tests of the reader)."""
        import multiprocessing

        limit = getattr(settings, "SHEQU_PARALLEL_IMPORT_BYTES", PARALLEL_READ_BYTES)
        if limit is None or "fork" not in multiprocessing.get_all_start_methods():
            return False
        if limit == 0:
            return True
        try:
            return Path(path).stat().st_size >= limit and idle_core()
        except OSError:
            return False

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        """Count what an apply would do, without writing.  Default: every valid row counts as created."""
        result.created = len(rows)

    def write_report(self, path: str, header: list[Any], rejected: Iterable[Row]) -> None:
        writer = XlsxWriter(path, _("Rejected rows"))
        writer.header([_("Row"), *[text_cell(h) for h in header], _("Reason")])
        for row in rejected:
            writer.write([row.number, *row.cells, row.error], highlight_last=True)
        writer.close()

    def sample(self) -> dict[str, Any]:
        """The template's sample row, by column key.  It must import cleanly for this importer's user: apps fill
        in places and organizations of the user's area (a test imports every template); people in it are made
        up.  Default: each column's ``example``."""
        return {c.key: c.example for c in self.columns}

    def describe_columns(self) -> list[dict[str, Any]]:
        """The import page's table: each column with what it holds, whether it is required, what it accepts and
        an example (the template's own sample where it has one)."""
        from django.utils.translation import get_language

        sample = self.sample()
        english = (get_language() or "").startswith("en")
        return [
            {
                "header": c.header,
                "required": c.required,
                "meaning": str(c.meaning),
                "accepts": c.accepts(),
                "example": sample.get(c.key) if sample.get(c.key) not in (None, "") else c.example,
                # Other header names that are read as this column (ASCII ones only on English pages).
                "synonyms": [s for s in c.synonyms if "_" not in s and (english or not s.isascii())],
            }
            for c in self.columns
        ]

    @classmethod
    def write_template(cls, target: Any, sample: dict[str, Any] | None = None) -> None:
        """The template: the header (required columns marked *) and one sample row (*sample*, by column key;
        default the columns' examples)."""
        row = sample if sample is not None else {c.key: c.example for c in cls.columns}
        writer = XlsxWriter(target, cls.sheet_name)
        writer.header([c.header + ("*" if c.required else "") for c in cls.columns])
        writer.write([row.get(c.key, "") for c in cls.columns])
        writer.close()


def _chunks(importer: Importer, path: str | Path, filename: str) -> Iterator[Any]:
    """The file's rows, parsed and prepared a chunk at a time: first ``(total, header, unknown headers)``,
    then ``(rows, duplicates so far)`` for each chunk.  Blank rows are skipped, repeated rows counted."""
    reader = RowReader(path, filename)
    rows_in = iter(reader)
    head = list(islice(rows_in, HEADER_SCAN_ROWS))
    header_index, mapping, unknown = importer.find_header(head)
    yield max(1, reader.total - header_index - 1), head[header_index], unknown
    # A row is a repeat when its cells' hash was seen: 64 bits, so that a million rows make a false repeat
    # once in about 30 million imports (a repeat is counted and shown, not hidden).  Hashing the cells'
    # tuple costs a tenth of hashing their repr with blake2b (text cells keep their hash for the parsers' memos).
    seen: set[int] = set()
    duplicates = 0
    items: list[tuple[int, list[Any]]] = []
    size = importer.rows_per_chunk()
    for number, cells in enumerate(chain(head[header_index + 1 :], rows_in), start=header_index + 2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        signature = hash(tuple(cells))
        if signature in seen:
            duplicates += 1
            continue
        seen.add(signature)
        items.append((number, cells))
        if len(items) >= size:
            yield importer.parse_and_prepare(items, mapping), duplicates
            items = []
    if items:
        yield importer.parse_and_prepare(items, mapping), duplicates


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """A chunked import allocates millions of short-lived rows, dicts and tuples, none of them in a reference
    cycle: Python's cyclic garbage collector, run every 700 allocations by default, took a tenth of the
    import's time.  Run it every 100,000 allocations meanwhile (memory is still freed at once by reference
    counting), and as before afterwards."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _parse_repeated(
    rows: list[Row],
    all_cells: list[list[Any]],
    live: Sequence[int],
    index: int,
    narrowest: int,
    known: dict[Any, Any],
    column: Column,
    check: Callable[[Any], None] | None,
) -> tuple[list[Any], bool]:
    """A ``repeats`` column of the *live* rows: each distinct cell not yet in *known* parsed and checked once, then
    every cell's outcome looked up, in list comprehensions rather than a loop of statements per cell.  Returns the
    value for each row (``_UNSET`` where none) and whether a row was rejected."""
    if index < narrowest:
        raws = [all_cells[i][index] for i in live]
    else:
        raws = [all_cells[i][index] if index < len(all_cells[i]) else None for i in live]
    memo_keys = [raw if raw.__class__ is str else (raw.__class__, raw) for raw in raws]
    distinct = dict.fromkeys(memo_keys)
    for memo_key in distinct:
        if memo_key not in known:
            raw = memo_key if memo_key.__class__ is str else memo_key[1]
            known[memo_key] = _outcome(column.parse, check, raw)
    bad = {memo_key for memo_key in distinct if isinstance(known[memo_key], Exception)}
    outcomes = [known[memo_key] for memo_key in memo_keys]
    if not bad and isinstance(live, range) and len(live) == len(rows):
        return outcomes, False
    values: list[Any] = [_UNSET] * len(rows)
    for i, memo_key, value in zip(live, memo_keys, outcomes, strict=True):
        if memo_key in bad:
            _reject_cell(rows[i], column.header, value)
        else:
            values[i] = value
    return values, bool(bad)


def _reject_cell(row: Row, header: str, error: Exception) -> None:
    """*row* stops at a bad cell: unreadable (RowError) or out of the model field's bounds (ValidationError)."""
    if isinstance(error, ValidationError):  # length, digits, range …
        row.reject(f"{header}：{'；'.join(error.messages)}", error.code or "invalid")
    else:
        row.reject(f"{header}：{error}", getattr(error, "code", "invalid"))


def _outcome(parse: Callable[[Any], Any], check: Callable[[Any], None] | None, raw: Any) -> Any:
    """A cell's value, or the RowError (unreadable) or ValidationError (out of the field's bounds) it gives."""
    try:
        value = parse(raw)
        if check is not None:
            check(value)
    except (RowError, ValidationError) as exc:
        return exc
    return value


def pause_for_tests(chunk: int, job: Any) -> None:
    """Tests of an import killed half-way (``SHEQU_IMPORT_PAUSE_AFTER_CHUNKS=N``): after the N-th chunk (written,
    or in all-or-nothing mode applied inside the open transaction), say so on stderr and wait until stdin
    closes; the test kills the process meanwhile."""
    wanted = os.environ.get("SHEQU_IMPORT_PAUSE_AFTER_CHUNKS")
    if not wanted or not wanted.isdigit() or chunk != int(wanted):
        return
    import sys

    sys.stderr.write(f"shequ-import-paused chunk={chunk} job={getattr(job, 'pk', '')}\n")
    sys.stderr.flush()
    sys.stdin.readline()


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


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def file_checksum(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def storage_dir(kind: str) -> Path:
    """A private folder (0700) under MEDIA_ROOT; write into it only through ``shequ.core.files`` (encrypted)."""
    path = Path(settings.MEDIA_ROOT) / kind
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path
