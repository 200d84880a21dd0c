"""The first sheet of an .xlsx/.xlsm file, row by row in constant memory.

python-calamine reads a whole sheet into memory before the first row comes out (373 MB for 200,000
residents of 20 columns; a million rows would not fit).  This reader streams the sheet's XML out of the
zip through expat, a block at a time, and gives the cells as calamine does: text as ``str``, numbers as
``float``, numbers in a date format as ``date`` (whole days) or ``datetime``, booleans as ``bool``, error
cells and empty cells as ``""``; every row from the sheet's first (rows the file leaves out as empty rows)
and as long as the sheet is wide.  Only the shared strings (one list)
grow with the file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.parsers import expat

from .cells import EXCEL_EPOCH

BLOCK = 1 << 16
_EPOCH = datetime.combine(EXCEL_EPOCH, datetime.min.time())
_EPOCH_1904 = datetime(1904, 1, 1)
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, and 27–36, 50–58 of East Asian Excel).
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_PREFIXED = re.compile(rb"<\w+:worksheet\b")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?\"")
# The fast path: rows and cells in the form Excel, WPS, LibreOffice and XlsxWriter write them (no namespace
# prefix, a value or an inline string, no formula); any row in another form goes through expat.
_ROW_NUMBER = re.compile(r'\sr="(\d+)"')
# Possessive quantifiers (``++``, ``?+``): nothing in a cell is tried twice (a third faster than backtracking).
_CELL = re.compile(
    r'<c r="([A-Z]++)\d++"(?: s="(\d++)")?+(?: t="(\w++)")?+'
    r'(?:/>|>(?:<v>([^<]*+)</v>|<is><t(?: xml:space="preserve")?+>([^<]*+)</t></is>)?+</c>)'
)
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#(\d+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# Cell types whose text the fast path must unescape itself (expat gives it unescaped).
_TEXT_KINDS = frozenset(["inlineStr", "str", "d"])
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # characters XML cannot hold (control characters), as Excel writes them


class XlsxError(ValueError):
    """The file is not an .xlsx workbook this reader understands."""


def _column(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _xml_text(text: str) -> str:
    """Character data as an XML parser gives it: entities replaced, line ends normalised."""
    if "&" in text:
        text = _ENTITY.sub(lambda m: chr(int(m[1], 16)) if m[1] else chr(int(m[2])) if m[2] else _NAMED[m[3]], text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _is_date_format(code: str) -> bool:
    bare = _FORMAT_NOISE.sub("", code).lower()
    return any(char in bare for char in "ymdhs") and "general" not in bare


def _converter(shared: list[str], date_styles: frozenset[int], epoch: datetime) -> Any:
    """``convert(kind, style, text)``: a cell's value as calamine gives it, from its type (``t``), style (``s``)
    and text (entities already replaced); ``""`` for an error cell."""

    def convert(kind: str | None, style: str | None, text: str) -> Any:
        if kind is None or kind == "n":
            value = float(text)
            if style is not None and date_styles and int(style) in date_styles:
                if value == int(value):
                    return (epoch + timedelta(days=value)).date()
                return epoch + timedelta(milliseconds=round(value * 86_400_000))
            return value
        if kind == "s":
            return shared[int(text)]
        if kind == "inlineStr" or kind == "str":
            return _unescape(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return _iso_date(text)
        return ""  # "e": an error (#DIV/0! …), as calamine gives it

    return convert


def _place(row: list[Any], index: int, value: Any) -> None:
    """*value* into column *index* of *row*, the columns before it padded with empty cells."""
    size = len(row)
    if index == size:
        row.append(value)
    elif index > size:
        row.extend([""] * (index - size))
        row.append(value)
    else:
        row[index] = value


class _Parts:
    """Where the first sheet, the shared strings and the styles are in the zip, and what they hold."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        workbook = "xl/workbook.xml"
        if workbook not in names:
            raise XlsxError("no xl/workbook.xml")
        rels = self._relations("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else {}
        first_sheet: list[str] = []
        self.date1904 = False

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "sheet" and not first_sheet:
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                first_sheet.append(rels.get(rid, ""))
            elif local == "workbookPr":
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

        self._parse(workbook, start)
        target = first_sheet[0] if first_sheet and first_sheet[0] else "worksheets/sheet1.xml"
        self.sheet = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if self.sheet not in names:
            raise XlsxError(f"no {self.sheet}")
        self.shared = self._shared_strings() if "xl/sharedStrings.xml" in names else []
        self.date_styles = self._date_styles() if "xl/styles.xml" in names else frozenset()

    def _parse(self, part: str, start: Any, end: Any = None, chars: Any = None) -> None:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if chars is not None:
            parser.CharacterDataHandler = chars
        with self.archive.open(part) as fh:
            parser.ParseFile(fh)

    def _relations(self, part: str) -> dict[str, str]:
        found: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship":
                found[attrs.get("Id", "")] = attrs.get("Target", "")

        self._parse(part, start)
        return found

    def _shared_strings(self) -> list[str]:
        strings: list[str] = []
        texts: list[str] = []
        state = {"text": False, "skip": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "t":
                state["text"] = True
            elif local == "si":
                texts.clear()
            elif local == "rPh":  # phonetic hints: not part of the text
                state["skip"] += 1

        def end(name: str) -> None:
            local = _local(name)
            if local == "t":
                state["text"] = False
            elif local == "si":
                strings.append(_unescape("".join(texts)))
            elif local == "rPh":
                state["skip"] -= 1

        def chars(data: str) -> None:
            if state["text"] and not state["skip"]:
                texts.append(data)

        self._parse("xl/sharedStrings.xml", start, end, chars)
        return strings

    def _date_styles(self) -> frozenset[int]:
        custom: dict[int, str] = {}
        formats: list[int] = []
        where = {"xfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif local == "cellXfs":
                where["xfs"] = True
            elif local == "xf" and where["xfs"]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                where["xfs"] = False

        self._parse("xl/styles.xml", start, end)

        def is_date(number_format: int) -> bool:
            if number_format in custom:
                return _is_date_format(custom[number_format])
            return number_format in _DATE_FORMATS

        return frozenset(index for index, number_format in enumerate(formats) if is_date(number_format))


class XlsxStream:
    """Rows of the first sheet (lists of cells, as python-calamine gives them) and ``total``, the rows the
    sheet says it has (its dimension: the number of its last row; 0 when it does not say)."""

    def __init__(self, path: Any) -> None:
        try:
            self.archive = zipfile.ZipFile(path)
            self.parts = _Parts(self.archive)
            with self.archive.open(self.parts.sheet) as fh:
                head = fh.read(4096)
        except (zipfile.BadZipFile, expat.ExpatError, KeyError, OSError) as exc:
            raise XlsxError(str(exc)) from exc
        self.width = 0
        self.total = 0
        found = _DIMENSION.search(head)
        if found is not None:
            first_col, first_row, last_col, last_row = (g.decode() for g in found.groups(b""))
            if last_row or first_row:
                self.total = int(last_row or first_row)
            if last_col:
                self.width = _column(last_col) + 1

        self.prefixed = _PREFIXED.search(head) is not None

    def _converter(self) -> Any:
        return _converter(self.parts.shared, self.parts.date_styles, _EPOCH_1904 if self.parts.date1904 else _EPOCH)

    def __iter__(self) -> Iterator[list[Any]]:
        try:
            with self.archive.open(self.parts.sheet) as fh:
                yield from self._rows(fh) if self.prefixed else self._fast_rows(fh)
        except (zipfile.BadZipFile, expat.ExpatError, OSError, EOFError) as exc:
            raise XlsxError(str(exc)) from exc
        finally:
            self.archive.close()

    def _rows(self, fh: IO[bytes]) -> Iterator[list[Any]]:  # noqa: C901 - one tight loop of expat handlers
        convert = self._converter()
        width = self.width
        columns: dict[str, int] = {}
        done: list[list[Any]] = []  # rows finished by the last block fed to expat
        texts: list[str] = []
        row: list[Any] = []
        # The cell being read: its type, style and column; whether its text is collected; skipped elements
        # (formulas, phonetic hints); the next column, the row number, whether a row with a value was seen.
        kind: str | None = None
        style: str | None = None
        index = 0
        collect = False
        skip = 0
        next_index = 0
        row_number = 0
        # Tag names with the prefix the file gives the main namespace (most none; some "x:"), set by ``root``.
        c_tag = v_tag = t_tag = row_tag = f_tag = rph_tag = ""

        def root(name: str, attrs: dict[str, str]) -> None:
            nonlocal c_tag, v_tag, t_tag, row_tag, f_tag, rph_tag
            prefix = name[: name.index(":") + 1] if ":" in name else ""
            c_tag, v_tag, t_tag, row_tag, f_tag, rph_tag = (prefix + n for n in ("c", "v", "t", "row", "f", "rPh"))
            parser.StartElementHandler = start

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal kind, style, index, collect, skip, next_index, row_number
            if name == c_tag:
                kind = attrs.get("t")
                style = attrs.get("s")
                ref = attrs.get("r")
                if ref is None:
                    index = next_index
                else:
                    letters = ref.rstrip("0123456789")
                    found = columns.get(letters)
                    if found is None:
                        found = columns[letters] = _column(letters)
                    index = found
                texts.clear()
            elif name == v_tag or name == t_tag:
                collect = True
            elif name == row_tag:
                ref = attrs.get("r")
                number_ = int(ref) if ref else row_number + 1
                for _gap in range(number_ - row_number - 1):  # rows the file leaves out are empty
                    done.append([""] * width)
                row_number = number_
                next_index = 0
                row.clear()
            elif name == f_tag or name == rph_tag:
                skip += 1

        def end(name: str) -> None:
            nonlocal collect, skip, next_index
            if name == c_tag:
                next_index = index + 1
                if not texts:
                    return
                value = convert(kind, style, "".join(texts))
                if value != "":
                    _place(row, index, value)
            elif name == v_tag or name == t_tag:
                collect = False
            elif name == row_tag:
                if len(row) < width:
                    row.extend([""] * (width - len(row)))
                done.append(row[:])
            elif name == f_tag or name == rph_tag:
                skip -= 1

        def chars(data: str) -> None:
            if collect and not skip:
                texts.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = BLOCK
        parser.StartElementHandler = root
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        while True:
            block = fh.read(BLOCK * 4)
            parser.Parse(block, not block)
            if done:
                widest = max(map(len, done))
                if widest > width:  # a row wider than the dimension said: later rows are padded to it
                    width = widest
                yield from done
                done.clear()
            if not block:
                return

    def _fast_rows(self, fh: IO[bytes]) -> Iterator[list[Any]]:  # noqa: C901 - one tight loop
        """The rows by regular expressions over the decoded XML (about three times as fast as expat's
        callbacks); a row the expressions do not cover whole is read by expat alone."""
        import codecs

        convert = self._converter()
        shared = self.parts.shared
        width = self.width
        columns: dict[str, int] = {}
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        in_data = False
        row_number = 0
        final = False
        while not final:
            block = fh.read(BLOCK * 4)
            final = not block
            text = pending + decoder.decode(block, final)
            if not in_data:
                start = text.find("<sheetData")
                if start < 0:
                    pending = text[-64:]
                    continue
                close = text.find(">", start)
                if close < 0:
                    pending = text[start:]
                    continue
                if text[close - 1] == "/":
                    return  # <sheetData/>: no rows
                in_data = True
                text = text[close + 1 :]
            end = text.find("</sheetData")
            if end >= 0:
                cut, final = end, True
            else:
                cut = text.rfind("</row>")
                cut = cut + 6 if cut >= 0 else 0
            pending = text[cut:]
            position_ = 0
            while True:
                opening = text.find("<row", position_, cut)
                if opening < 0:
                    break
                tag_end = text.find(">", opening, cut)
                if text[tag_end - 1] == "/":
                    attrs, content, position_ = text[opening + 4 : tag_end - 1], "", tag_end + 1
                else:
                    closing = text.find("</row>", tag_end, cut)
                    attrs, content, position_ = text[opening + 4 : tag_end], text[tag_end + 1 : closing], closing + 6
                number = _ROW_NUMBER.search(attrs)
                number_ = int(number[1]) if number else row_number + 1
                for _gap in range(number_ - row_number - 1):  # rows the file leaves out are empty
                    yield [""] * width
                row_number = number_
                row: list[Any] = []
                if content:
                    position = 0
                    next_index = 0
                    for cell in _CELL.finditer(content):
                        begins = cell.start()
                        if begins != position and content[position:begins].strip():
                            break  # something the expressions do not know: the row goes to expat
                        position = cell.end()
                        letters, style, kind, value_text, inline = cell.groups()
                        if letters is None:
                            index = next_index
                        else:
                            index = columns.get(letters, -1)
                            if index < 0:
                                index = columns[letters] = _column(letters)
                        next_index = index + 1
                        raw = value_text if inline is None else inline
                        if not raw:
                            continue
                        # The two common kinds inline (text of its own, a shared string), the others by ``convert``.
                        if kind == "inlineStr" and "&" not in raw and "\r" not in raw and "_x" not in raw:
                            value = raw
                        elif kind == "s":
                            value = shared[int(raw)]
                        else:
                            value = convert(kind, style, _xml_text(raw) if kind in _TEXT_KINDS else raw)
                        if value == "":
                            continue
                        if index == len(row):
                            row.append(value)
                        else:
                            _place(row, index, value)
                    if position != len(content) and content[position:].strip():
                        row = self._expat_row(text[opening:position_])
                if len(row) > width:
                    width = len(row)
                elif len(row) < width:
                    row.extend([""] * (width - len(row)))
                yield row

    def _expat_row(self, xml: str) -> list[Any]:
        """One row read by expat (the fast path does not know its form)."""
        import io

        body = f"<worksheet><sheetData>{xml}</sheetData></worksheet>".encode()
        rows = list(self._rows(io.BytesIO(body)))
        return rows[-1] if rows else []


def _iso_date(text: str) -> Any:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.time() == datetime.min.time() and "T" not in text:
        return moment.date()
    return moment


__all__ = ["XlsxError", "XlsxStream", "date"]
