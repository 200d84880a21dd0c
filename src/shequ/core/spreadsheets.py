"""Reading and writing the spreadsheets community offices really use.

Reading: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv in UTF-8, UTF-8 with BOM
or GB18030.  Writing: .xlsx through XlsxWriter in constant-memory mode, or CSV.
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
    name = (filename or str(path)).lower()
    suffix = Path(name).suffix
    if suffix not in SPREADSHEET_EXTENSIONS:
        raise ActionError(
            _("Unsupported file type “%(ext)s”: use .xlsx, .xls, .ods or .csv.") % {"ext": suffix or "?"},
            code="bad_file_type",
        )
    if suffix == ".csv":
        text = decode_csv_bytes(Path(path).read_bytes())
        sample = text[:4096]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        for line in csv.reader(io.StringIO(text), dialect):
            yield [cell if cell != "" else None for cell in line]
        return
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ActionError(
            _("The file cannot be read as a spreadsheet (%(error)s).") % {"error": type(exc).__name__},
            code="unreadable",
        ) from exc
    for row in rows:
        yield [None if cell == "" else cell for cell in row]


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
        cells = list(cells)
        for col, value in enumerate(cells):
            fmt = self.red if highlight_last and col == len(cells) - 1 else None
            if value is None or value == "":
                continue
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
        self.row += 1

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
