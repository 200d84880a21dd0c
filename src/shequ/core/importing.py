"""The spreadsheet import framework: tolerant headers, a dry run, then all-or-nothing or valid rows.

An importer declares its columns and how to clean and apply a row; this module finds
the header row (under merged title rows), matches headers (synonyms, full-width
characters, stray spaces), skips blank and repeated rows, and writes every rejected
row back with its original cells and the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .actions import acting_as
from .exceptions import ActionError
from .spreadsheets import XlsxWriter, read_rows
from .text import normalize, squash

HEADER_SCAN_ROWS = 30
MAX_ERRORS_KEPT = 200


class RowError(Exception):
    """A row cannot be imported; the message is for the person who typed it."""


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


@dataclass
class Column:
    key: str
    header: str
    synonyms: Sequence[str] = ()
    required: bool = False
    parse: Callable[[Any], Any] = text_cell
    example: Any = ""

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


class Importer:
    """Subclass: set ``model``, ``columns`` and implement ``clean`` and ``apply``."""

    model: ClassVar[Any] = None
    columns: ClassVar[list[Column]] = []
    sheet_name: ClassVar[str] = "Sheet1"

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
                row.error = str(exc)
            except ValidationError as exc:
                row.error = "；".join(exc.messages)

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
                    row.error = f"{column.header}：{exc}"
                    break
            if not row.error:
                missing = [c.header for c in self.columns if c.required and values.get(c.key) in (None, "")]
                if missing:
                    row.error = _("Required, but empty: %(names)s.") % {"names": "、".join(missing)}
            rows.append(row)
        result.total = len(rows)
        pending = [r for r in rows if not r.error]
        self.validate(pending)
        valid = [r for r in rows if not r.error]
        rejected = [r for r in rows if r.error]
        result.rejected = len(rejected)
        result.errors = [{"row": r.number, "message": r.error} for r in rejected[:MAX_ERRORS_KEPT]]
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
