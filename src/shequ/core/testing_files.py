"""What tests read back from the files a page answers with: spreadsheets, streamed responses, PDFs.
(Re-exported by ``core.testing``.)"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def xlsx_rows(content: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [list(r) for r in workbook.get_sheet_by_index(0).to_python()]


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(pdf: bytes) -> str:
    """The text shown by an uncompressed PDF (ReportLab with ``pageCompression`` 0): its ``(…) Tj`` strings,
    those of the Chinese (UCS-2) font decoded, one per line."""
    import re

    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(raw: bytes) -> bytes:
        out = bytearray()
        i = 0
        while i < len(raw):
            c = raw[i : i + 1]
            if c == b"\\" and i + 1 < len(raw):
                octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                if octal:
                    out.append(int(octal.group(), 8) & 0xFF)
                    i += 1 + len(octal.group())
                    continue
                nxt = raw[i + 1 : i + 2]
                out += escapes.get(nxt, nxt)
                i += 2
                continue
            out += c
            i += 1
        return bytes(out)

    fonts = [(m.start(), m.group(1)) for m in re.finditer(rb"/(F\d+) [\d.]+ Tf", pdf)]
    lines = []
    for m in re.finditer(rb"\(((?:\\.|[^\\()])*)\) Tj", pdf, flags=re.S):
        font = next((f for at, f in reversed(fonts) if at < m.start()), b"F1")
        data = unescape(m.group(1))
        lines.append(data.decode("utf-16-be", "replace") if font != b"F1" else data.decode("latin-1"))
    return "\n".join(lines)


def spreadsheet_file(test: Any, content: bytes, suffix: str) -> tuple[str, str]:
    """*content* in a temporary file for an importer, and the path of its rejected-rows report: both deleted
    when *test* ends (before, every import test left two files in the temporary folder)."""
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as fh:
        fh.write(content)
    report = fh.name + ".rejected.xlsx"
    for path in (fh.name, report):
        test.addCleanup(Path(path).unlink, missing_ok=True)
    return fh.name, report
