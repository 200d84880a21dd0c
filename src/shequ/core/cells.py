"""Reading spreadsheet cells as community offices type them: text, numbers, dates, choices, codes, yes/no, phones.

Each parser takes the raw cell (text, a number, a date, or None) and returns the value, or raises
``RowError`` with a message for the person who typed it and a stable ``code`` for programs.  The
apps keep only their own vocabularies (``people.cells``, ``orgs.cells``); ``core.importing``
re-exports these for importers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _

from .text import normalize, squash


class RowError(Exception):
    """A row cannot be imported; the message is for the person who typed it, the code for programs."""

    def __init__(self, message: Any = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def accepts(parser: Any, text: Callable[[], str]) -> Any:
    """Say what *parser* reads, for the import page's table of columns: *text* is asked in the reader's language."""
    parser.accepts = text
    return parser


def accepted_by(parser: Any) -> str:
    """What *parser* reads, in words (empty for plain text)."""
    text = getattr(parser, "accepts", None)
    return str(text()).replace("。 ", "。") if callable(text) else ""  # sentences joined by a space in English


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


accepts(float_cell, lambda: _("A number, with a decimal point if need be (116.41)."))

# Amounts in yuan the importers take (the bound of the models' money fields: ``MAX_AMOUNT`` of the apps).
MAX_YUAN = Decimal(10**10)


def amount_cell(value: Any) -> Decimal | None:
    """Yuan to the fen, from 0 up to ``MAX_YUAN``: "15000", "15,000.00", "１５，０００", "15000元"; None when empty."""
    if value is None or value == "":
        return None
    text = normalize(value).replace(",", "").replace("，", "").removesuffix("元").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(_("“%(value)s” is not a number.") % {"value": value}, code="not_a_number") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_YUAN:
        raise RowError(
            _("“%(value)s” is out of range: an amount from 0 to %(max)s yuan.")
            % {"value": value, "max": f"{MAX_YUAN - 1:,}"},
            code="out_of_range",
        )
    return amount.quantize(Decimal("0.01"))


accepts(amount_cell, lambda: _("An amount in yuan (15000, 15,000.00 or 15000元)."))


# -- dates ----------------------------------------------------------------------------------------------------

# Excel's day 0 for serial dates (the 1900 leap-year bug makes it 30 December 1899).
EXCEL_EPOCH = date(1899, 12, 30)
# 1985-03-02, 1985/3/2, 1985.3.2, 1985年3月2日 (or 2号), with a time after it; the day may be missing (1985年3月).
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(?:(\d{1,2})\s*[日号]?)?)?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_TEXT_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_LAST_SERIAL = 2958466  # 9999-12-31


def date_parser(
    *, month_only: bool = False, open_words: Collection[str] = (), min_serial: int = 1
) -> Callable[[Any], date | None]:
    """A parser for a date as offices write it: a real date cell, an Excel serial number (31108, also as
    text), ``1985-03-02``, ``1985/3/2``, ``1985.3.2``, ``1985年3月2日`` or ``19850302``; None when empty.

    *month_only*: ``2024年3月`` is the first of the month (else it is refused).  *open_words*: words that
    stand for no date (至今 for a term still running).  *min_serial*: the smallest number read as a
    serial date (10000 refuses a bare year such as 2024)."""
    open_set = frozenset(open_words)

    def parse(value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, bool):
            raise _not_a_date(value)
        if isinstance(value, int | float):
            if 19000101 <= value <= 21001231 and float(value).is_integer():
                return parse(str(int(value)))
            return _serial(value, value)
        text = normalize(value)
        if not text or text in open_set:
            return None
        if _SERIAL_TEXT_RE.match(text):
            return _serial(float(text), text)
        match = _COMPACT_DATE_RE.match(text) or _DATE_RE.match(text)
        if match is None or (match.group(3) is None and not month_only):
            raise _not_a_date(text)
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
        except ValueError:
            raise RowError(_("There is no such day as %(value)s.") % {"value": text}, code="bad_date") from None

    def _serial(number: float, raw: Any) -> date:
        if not min_serial <= number < _LAST_SERIAL:
            raise RowError(_("“%(value)s” is not a date.") % {"value": raw}, code="bad_date")
        return EXCEL_EPOCH + timedelta(days=int(number))

    def describe() -> str:
        text = _("A date cell, or 1985-03-02, 1985/3/2, 1985.3.2, 1985年3月2日 or 19850302.")
        if month_only:
            text += " " + _("A month alone (2024年3月) is its first day.")
        if open_set:
            text += " " + _("%(words)s: no date (still running).") % {"words": "、".join(sorted(open_set))}
        return text

    return accepts(parse, describe)


def _not_a_date(value: Any) -> RowError:
    return RowError(
        _("“%(value)s” is not a date: write it as 1985-03-02 or 1985年3月2日.") % {"value": value}, code="bad_date"
    )


date_cell = date_parser()


# -- choices, codes, yes/no ----------------------------------------------------------------------------------


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

    def describe() -> str:
        names = "、".join(str((words or {}).get(v, (label,))[0]) for v, label in choices.choices)
        return _("One of: %(choices)s.") % {"choices": names}

    return accepts(parse, describe)


def code_cell(value: Any) -> str:
    """A code (division code, household number …) as typed, without spaces."""
    return text_cell(value).replace(" ", "")


def alnum_code_cell(value: Any) -> str:
    """A code of digits and letters only (e.g. a division code)."""
    text = code_cell(value)
    if text and not text.isalnum():
        raise RowError(_("A code holds only digits and letters, not “%(value)s”.") % {"value": value})
    return text


accepts(code_cell, lambda: _("Digits and letters, as text (spaces are dropped)."))
accepts(alnum_code_cell, lambda: _("Digits and letters only, as text: a code Excel stored as a number loses digits."))


TRUE_WORDS = frozenset(
    {"是", "有", "已建立", "已开展", "建立", "开展", "已覆盖", "覆盖", "y", "yes", "true", "1", "√", "✓", "对"}
)
FALSE_WORDS = frozenset({"否", "无", "没有", "未建立", "未开展", "未覆盖", "n", "no", "false", "0", "×", "✗", "x"})


def bool_cell(value: Any) -> bool | None:
    """是/否 (and the like); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = squash(text_cell(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RowError(_("“%(value)s”: write 是 or 否.") % {"value": value})


accepts(bool_cell, lambda: _("是 or 否 (also 有/无, √/×)."))


# -- phones ---------------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1\d{10}$")
_PHONE_STRIP_RE = re.compile(r"[\s\-()（）.]")


@lru_cache(maxsize=16384)
def _mobile_prefix_valid(prefix: str) -> bool:
    # Validity of a mainland mobile number is decided by its first five digits (the carrier's block,
    # e.g. 1740[0-5] in phonenumbers' metadata): ask phonenumbers once per block.
    return phonenumbers.is_valid_number(phonenumbers.parse(prefix + "000000", "CN"))


def phone_cell(value: Any) -> str:
    """A phone number in the form we store: ``13812345678`` (mobile), ``02787654321`` (with area code),
    ``+16502530000`` (abroad); empty for nothing.  Raises RowError when it is not a number one can call."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalize(value)
    if not text:
        return ""
    compact = _PHONE_STRIP_RE.sub("", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if _MOBILE_RE.match(compact):
        if _mobile_prefix_valid(compact[:5]):
            return compact
        raise RowError(
            _("%(value)s is not a valid mobile number (check the first digits).") % {"value": text},
            code="phone_invalid",
        )
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if compact.isdigit() and 7 <= len(compact) <= 8:
            raise RowError(
                _("%(value)s lacks the area code: write it as 027-87654321.") % {"value": text},
                code="phone_area_code",
            )
        raise RowError(_("%(value)s is not a valid phone number.") % {"value": text}, code="phone_invalid")
    if number.country_code == 86:
        return "".join(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).split())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


accepts(
    phone_cell,
    lambda: _("A mobile number (13812345678), or a landline with its area code (027-87654321), or +country code."),
)
