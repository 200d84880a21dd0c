"""Reading and writing the spreadsheets community offices really use.

Reading: .xlsx/.xlsm/.xls/.ods through python-calamine (large .xlsx files streamed by ``xlsxstream``),
.csv in UTF-8, UTF-8 with BOM or GB18030.  Writing: .xlsx through XlsxWriter in constant-memory mode, or CSV.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from .exceptions import ActionError

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def decode_csv_bytes(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ActionError(
        _("The CSV file is neither UTF-8 nor GB18030 text; save it again as “CSV UTF-8”."),
        code="bad_encoding",
    )


def read_rows(path: str | Path, filename: str | None = None) -> Iterator[list[Any]]:
    """Every row of the first sheet as a list of cells (str, int, float, date, datetime, None)."""
    yield from RowReader(path, filename)


def _csv_encoding(path: str | Path) -> tuple[str, int]:
    """The encoding of a CSV file (UTF-8, with or without BOM, or GB18030) and its number of lines,
    read in blocks so that a large file is never held in memory whole."""
    import codecs

    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                    lines += block.count(b"\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise ActionError(
        _("The CSV file is neither UTF-8 nor GB18030 text; save it again as “CSV UTF-8”."),
        code="bad_encoding",
    )


# .xlsx files from this size on are streamed (``xlsxstream``): python-calamine holds the whole sheet (a 200,000-resident
# import peaked at 578 MB with it, 345 MB streamed), but reads about 1.3 times as fast.
STREAM_XLSX_BYTES = 10 << 20


def _streamed(path: str | Path) -> bool:
    from django.conf import settings

    limit = getattr(settings, "SHEQU_STREAM_XLSX_BYTES", STREAM_XLSX_BYTES)
    try:
        return limit is not None and Path(path).stat().st_size >= limit
    except OSError:
        return False


def unreadable(exc: Exception) -> ActionError:
    """The refusal of a file that is not the spreadsheet it says it is (or breaks off half-way)."""
    return ActionError(
        _("The file cannot be read as a spreadsheet (%(error)s).") % {"error": type(exc).__name__}, code="unreadable"
    )


class RowReader:
    """The rows of a spreadsheet's first sheet, one list of cells at a time, and how many there are
    (``total``, for progress bars; for CSV the number of lines).  Opening checks the file type and
    that the file can be read, raising ``ActionError`` with a stable code."""

    def __init__(self, path: str | Path, filename: str | None = None) -> None:
        name = (filename or str(path)).lower()
        suffix = Path(name).suffix
        if suffix not in SPREADSHEET_EXTENSIONS:
            raise ActionError(
                _("Unsupported file type “%(ext)s”: use .xlsx, .xls, .ods or .csv.") % {"ext": suffix or "?"},
                code="bad_file_type",
            )
        self.path = path
        self.total = 0
        self._rows: Iterator[list[Any]]
        if suffix == ".csv":
            self.encoding, self.total = _csv_encoding(path)
            self._rows = self._csv_rows()
            return
        if suffix in (".xlsx", ".xlsm") and _streamed(path):
            from .xlsxstream import XlsxError, XlsxStream

            try:
                stream = XlsxStream(path)
            except XlsxError as exc:
                raise unreadable(exc) from exc
            self.total = stream.total
            self._rows = self._streamed_rows(stream)
            return
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
            self.total = sheet.height
            rows = sheet.iter_rows()
        except Exception as exc:  # calamine raises its own error types for corrupt files
            raise unreadable(exc) from exc
        self._rows = ([None if cell == "" else cell for cell in row] for row in rows)

    @staticmethod
    def _streamed_rows(stream: Any) -> Iterator[list[Any]]:
        from .xlsxstream import XlsxError

        try:
            for row in stream:
                yield [None if cell == "" else cell for cell in row]
        except XlsxError as exc:  # the XML broke off half-way
            raise unreadable(exc) from exc

    def _csv_rows(self) -> Iterator[list[Any]]:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            if self.encoding == "utf-8-sig" and sample.startswith("\ufeff"):
                sample = sample[1:]
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            for line in csv.reader(fh, dialect):
                yield [cell if cell != "" else None for cell in line]

    def __iter__(self) -> Iterator[list[Any]]:
        return self._rows


class XlsxWriter:
    """Streamed .xlsx writing (constant memory): header row, then rows."""

    def __init__(self, target: str | Path | BinaryIO, sheet_name: str = "Sheet1") -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.sheet = self.workbook.add_worksheet(sheet_name[:31])
        self.bold = self.workbook.add_format({"bold": True, "bg_color": "#E8EEF7"})
        self.red = self.workbook.add_format({"font_color": "#B00020"})
        self.datetime_fmt = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.row = 0

    def header(self, cells: Sequence[Any], widths: Sequence[int] | None = None) -> None:
        for col, cell in enumerate(cells):
            self.sheet.write_string(self.row, col, str(cell), self.bold)
            self.sheet.set_column(col, col, (widths[col] if widths else max(10, len(str(cell)) * 2 + 2)))
        self.sheet.freeze_panes(1, 0)
        self.row += 1

    def write(self, cells: Iterable[Any], highlight_last: bool = False) -> None:
        """One row: text as text (never taken for a number, formula or link), numbers as numbers, dates as
        dates, yes/no in words; empty cells left out.  An export writes a million of these: plain text, most
        cells, goes straight to the sheet."""
        last = -1  # the column in red
        if highlight_last:
            cells = list(cells)
            last = len(cells) - 1
        sheet, row = self.sheet, self.row
        for col, value in enumerate(cells):
            if type(value) is str:
                if value:
                    sheet.write_string(row, col, value, self.red if col == last else None)
            elif value is not None and value != "":
                self._write_other(col, value, self.red if col == last else None)
        self.row += 1

    def _write_other(self, col: int, value: Any, fmt: Any) -> None:
        if isinstance(value, bool):
            self.sheet.write_string(self.row, col, _("yes") if value else _("no"), fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(self.row, col, value, fmt)
        elif isinstance(value, datetime):
            self.sheet.write_datetime(self.row, col, value.replace(tzinfo=None), self.datetime_fmt)
        elif isinstance(value, date):
            self.sheet.write_datetime(self.row, col, datetime.combine(value, time()))
        else:
            self.sheet.write_string(self.row, col, str(value), fmt)

    def sheet_named(self, name: str) -> None:
        """Go on in a new sheet called *name* (made valid and unique)."""
        clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28] or "Sheet"
        taken = {ws.get_name() for ws in self.workbook.worksheets()}
        candidate, n = clean, 2
        while candidate in taken:
            candidate, n = f"{clean[:26]}~{n}", n + 1
        self.sheet = self.workbook.add_worksheet(candidate)
        self.row = 0

    def close(self) -> None:
        self.workbook.close()


def write_csv_rows(rows: Iterable[Sequence[Any]], bom: bool = True) -> Iterator[str]:
    """CSV lines, with a BOM first so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        yield "\ufeff"
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def temp_xlsx_path() -> str:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    return handle.name
