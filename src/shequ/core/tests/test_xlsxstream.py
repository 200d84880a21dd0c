"""The streaming .xlsx reader gives the cells python-calamine gives, for every kind of cell offices' files hold."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from django.test import SimpleTestCase, override_settings
from python_calamine import CalamineWorkbook

from shequ.core.exceptions import ActionError
from shequ.core.spreadsheets import RowReader
from shequ.core.xlsxstream import XlsxStream


def workbook(constant_memory: bool) -> bytes:
    """Text (shared or inline), numbers, dates in several formats (a Chinese one too), a percentage, booleans,
    formulas with their results, an error, rich text, blank rows and cells, rows left out, a title row."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": constant_memory})
    sheet = book.add_worksheet("居民")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    chinese = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    sheet.write_string(2, 1, "和平社区居民信息登记表")
    sheet.write_string(1, 9, "")  # an empty string: no cell
    sheet.write_row(3, 0, ["姓名", "b & <c>", "  spaced ", "第二"])
    sheet.write_row(4, 0, [1, 1.5, -3, 12345678901234567])
    sheet.write_datetime(5, 0, date(1985, 3, 2), day)
    sheet.write_datetime(5, 1, datetime(2020, 1, 2, 3, 4, 5), moment)
    sheet.write_datetime(5, 2, date(2001, 2, 3), chinese)
    sheet.write_number(5, 3, 0.5, book.add_format({"num_format": "0.00%"}))
    sheet.write_boolean(6, 0, True)
    sheet.write_formula(6, 1, "=1+2", None, 3)
    sheet.write_formula(6, 2, '="x"&"y"', None, "xy")
    sheet.write_string(6, 4, "420102198503021237")
    sheet.write_blank(8, 2, None, day)
    sheet.write_string(10, 0, "张伟")
    sheet.write_number(10, 5, 44000, day)
    sheet.write_rich_string(11, 0, "ab", book.add_format({"bold": True}), "cd")
    sheet.write_formula(12, 0, "=1/0", None, "#DIV/0!")
    sheet.write_boolean(13, 6, False)
    sheet.write_string(13, 1, "a\x00b_x")
    book.close()
    return buffer.getvalue()


class XlsxStreamTests(SimpleTestCase):
    def write(self, content: bytes) -> Path:
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as fh:
            fh.write(content)
        self.addCleanup(Path(fh.name).unlink)
        return Path(fh.name)

    def test_the_same_cells_as_calamine(self) -> None:
        for constant_memory in (False, True):  # shared strings, then inline strings
            with self.subTest(constant_memory=constant_memory):
                path = self.write(workbook(constant_memory))
                sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
                stream = XlsxStream(path)
                rows = list(stream)
                self.assertEqual(rows, list(sheet.iter_rows()))
                self.assertEqual(rows[2][1], "和平社区居民信息登记表")  # below two blank rows
                self.assertEqual(rows[5][:3], [date(1985, 3, 2), datetime(2020, 1, 2, 3, 4, 5), date(2001, 2, 3)])
                self.assertEqual(rows[6][:3], [True, 3.0, "xy"])
                self.assertEqual(rows[11][0], "abcd")
                self.assertEqual(rows[13][1], "a\x00b_x")
                self.assertEqual(stream.total, len(rows))

    def test_a_prefixed_namespace_and_unusual_attribute_orders(self) -> None:
        """Some writers put the sheet's namespace behind a prefix (<x:row>) or the attributes in another order: the
        rows are read by expat then, with the same cells."""
        content = workbook(False)
        expected = list(XlsxStream(self.write(content)))

        def rewritten(change) -> bytes:  # type: ignore[no-untyped-def]
            buffer = io.BytesIO()
            with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
                for item in source.infolist():
                    data = source.read(item.filename)
                    target.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
            return buffer.getvalue()

        def prefixed(xml: bytes) -> bytes:
            xml = re.sub(rb"<(/?)([a-zA-Z])", rb"<\1x:\2", xml)
            return xml.replace(b'xmlns="', b'xmlns:x="')

        def reordered(xml: bytes) -> bytes:
            return re.sub(rb'<c r="([A-Z]+\d+)" s="(\d+)"', rb'<c s="\2" r="\1"', xml)

        for change in (prefixed, reordered):
            with self.subTest(change=change.__name__):
                changed = rewritten(change)
                self.assertNotEqual(changed, content)
                self.assertEqual(list(XlsxStream(self.write(changed))), expected)

    @override_settings(SHEQU_STREAM_XLSX_BYTES=0)
    def test_a_broken_file_is_unreadable(self) -> None:
        content = workbook(True)
        path = self.write(content[: len(content) // 2])
        with self.assertRaises(ActionError) as caught:
            list(RowReader(path, "residents.xlsx"))
        self.assertEqual(caught.exception.code, "unreadable")

    def test_possessive_cells_match_as_backtracking_would(self) -> None:
        """The fast path's cell expression never backtracks; on every form of cell it knows or must leave to expat
        it takes the same cells, with the same parts, as the same expression with backtracking."""
        from shequ.core.xlsxstream import _CELL

        backtracking = re.compile(_CELL.pattern.replace("++", "+").replace("?+", "?").replace("*+", "*"))
        self.assertNotEqual(backtracking.pattern, _CELL.pattern)
        cells = [
            '<c r="A1"/>',
            '<c r="B12" s="3"/>',
            '<c r="C3"><v>1.5</v></c>',
            '<c r="AB40" s="2" t="s"><v>17</v></c>',
            '<c r="D4" t="inlineStr"><is><t>张伟</t></is></c>',
            '<c r="D4" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c>',
            '<c r="E5" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>',  # a formula: not the fast path's
            '<c r="F6" t="inlineStr"><is><r><t>ab</t></r></is></c>',  # rich text: not the fast path's
            '<c r="G7" t="b"><v></v></c>',
            '<c r="H8" s="1" t="e"><v>#DIV/0!</v></c>',
            '<c s="1" r="I9"><v>2</v></c>',  # attributes in another order: not the fast path's
            '<c r="J10">',
        ]
        row = " ".join(cells)
        for text in [*cells, row]:
            with self.subTest(text=text):
                self.assertEqual(
                    [(m.span(), m.groups()) for m in _CELL.finditer(text)],
                    [(m.span(), m.groups()) for m in backtracking.finditer(text)],
                )
        self.assertEqual(len(_CELL.findall(row)), 8)  # the forms it knows
