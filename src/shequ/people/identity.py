"""Resident identity numbers (GB 11643, ``stdnum.cn.ric``) and phone numbers, as people really type them.

``parse_identity`` takes what was typed or what a spreadsheet cell holds and either returns the
normalised number with the birth date and gender it encodes, or raises ``IdentityError`` with a
message that says what is wrong in words a community worker can act on, and a stable ``code``.
Messages never repeat the number itself (they end up in job results and reports).

The region code (digits 1–6) is not checked against the list of divisions: numbers issued under
divisions since renamed are still valid, and a registry must accept every real person.
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from shequ.core.cells import RowError, phone_cell
from shequ.core.text import normalize

ID_LENGTH = 18
MASK = "********"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
# What Excel shows (or a CSV holds) for a long number stored as a number: 1.10101E+17, 1.10101198503021e17.
_SCIENTIFIC_RE = re.compile(r"^\d(?:\.\d+)?E\+?\d{1,3}$")
_STRIP_RE = re.compile(r"[\s\-‐‑–—'’`]")
EARLIEST_BIRTH_YEAR = 1890


class IdentityError(ValueError):
    """What is wrong with a typed identity (or phone) number; ``code`` is stable for programs and tests."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class Identity(NamedTuple):
    """A checked identity number and what it says.  A named tuple: a million of them cross from the
    import's reader process, and tuples pickle ten times faster than dataclass instances."""

    number: str
    birth_date: date
    gender: str  # "M" or "F", as people.models.Gender

    @property
    def masked(self) -> str:
        return mask_id(self.number)


def mask_id(number: str) -> str:
    """``110101********123X``: the region and the last four characters stay visible."""
    if not number:
        return ""
    if len(number) != ID_LENGTH:
        return MASK
    return number[:6] + MASK + number[-4:]


def normalize_id(value: Any) -> str:
    """Trim, full-width → ASCII, drop spaces and dashes, lower-case x → X."""
    text = normalize(value)
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _STRIP_RE.sub("", text).upper()


def _excel_error(shown: str) -> IdentityError:
    return IdentityError(
        _(
            "Excel stored this identity number as a number and dropped digits (it shows as %(value)s); "
            "it cannot be recovered: format the column as text and re-enter the numbers."
        )
        % {"value": shown},
        code="id_excel_number",
    )


def _number_cell(value: int | float) -> str:
    """A numeric spreadsheet cell: exact only up to 15 digits, so an 18-digit number in it is already damaged."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise IdentityError(_("This is not an identity number."), code="id_characters")
        if not value.is_integer() or value >= 1e15:
            raise _excel_error(f"{value:.5E}")
        value = int(value)
    text = str(value)
    if len(text) >= 16:
        raise _excel_error(f"{float(value):.5E}")
    return text


@lru_cache(maxsize=65536)
def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _today() -> date:
    """Today's date, looked up at most once a minute (this runs for every row of a large file)."""
    return _today_at(int(time.monotonic() // 60))


@lru_cache(maxsize=2)
def _today_at(minute: int) -> date:
    return timezone.localdate()


def parse_identity(value: Any, *, today: date | None = None) -> Identity:
    """The identity number in *value* (typed text or a spreadsheet cell), checked; raises IdentityError."""
    if isinstance(value, bool):
        raise IdentityError(_("This is not an identity number."), code="id_characters")
    if isinstance(value, int | float):
        text = _number_cell(value)
    else:
        text = normalize_id(value)
    return checked_identity(text, today=today)


def checked_identity(text: str, *, today: date | None = None) -> Identity:
    """``parse_identity`` of a number already normalised (``normalize_id``): the import's cell parser normalises
    each cell once to tell an empty one, and does not pay for it twice."""
    if not text:
        raise IdentityError(_("The identity number is empty."), code="id_required")
    if not _ID_RE.match(text):
        _explain_format(text)
    if ric.calc_check_digit(text) != text[-1]:
        if text.endswith("000"):
            raise IdentityError(
                _(
                    "The check digit does not match and the number ends in 000, as when Excel stored it as a "
                    "number and dropped digits; it cannot be recovered: format the column as text and "
                    "re-enter the number."
                ),
                code="id_excel_truncated",
            )
        raise IdentityError(
            _("The check digit (the last character) does not match the other 17: a digit was mistyped."),
            code="id_checksum",
        )
    born = _birth_date(text[6:14])
    if born is None or born.year < EARLIEST_BIRTH_YEAR:
        raise IdentityError(
            _("Digits 7–14 should be the birth date, but %(digits)s is not a possible date.")
            % {"digits": f"{text[6:10]}-{text[10:12]}-{text[12:14]}"},
            code="id_birth_date",
        )
    if born > (today or _today()):
        raise IdentityError(
            _("The birth date in the number (%(date)s) is in the future.") % {"date": born.isoformat()},
            code="id_future_date",
        )
    return Identity(number=text, birth_date=born, gender="M" if int(text[16]) % 2 else "F")


def _explain_format(text: str) -> None:
    if _SCIENTIFIC_RE.match(text):
        raise _excel_error(text)
    if "*" in text:
        raise IdentityError(
            _(
                "This identity number is masked (it comes from a list exported without the right to see full "
                "numbers); the full number is needed."
            ),
            code="id_masked",
        )
    if len(text) == 15 and text.isdigit():
        raise IdentityError(
            _("This is an old 15-digit number; enter the 18-character number of the current identity card."),
            code="id_legacy",
        )
    if len(text) != ID_LENGTH:
        raise IdentityError(
            _("An identity number has 18 characters; this one has %(count)d.") % {"count": len(text)},
            code="id_length",
        )
    bad = sorted({c for i, c in enumerate(text) if not (c.isdigit() or (c == "X" and i == ID_LENGTH - 1))})
    raise IdentityError(
        _("An identity number holds 17 digits and then a digit or X; “%(chars)s” does not belong in it.")
        % {"chars": "".join(bad)},
        code="id_characters",
    )


def identity_or_none(value: Any) -> Identity | None:
    """None for an empty value; the checked identity otherwise (raises IdentityError)."""
    if value is None or (isinstance(value, str) and not normalize_id(value)):
        return None
    return parse_identity(value)


# -- phones ---------------------------------------------------------------------------------------------------


def parse_phone(value: Any) -> str:
    """A phone number in the form we store (``core.cells.phone_cell``): ``13812345678`` (mobile),
    ``02787654321`` (with area code), ``+16502530000`` (abroad); empty for nothing.  Raises IdentityError
    when it is not a number one can call."""
    try:
        return phone_cell(value)
    except RowError as exc:
        raise IdentityError(str(exc), code=exc.code) from None


# The made-up person of import templates' sample rows: 张伟, a man born on 2 March 1985 in 武汉 江岸区.
SAMPLE_BODY = "42010219850302"


def sample_number(*known: Any) -> str:
    """A valid identity number for a template's sample row (a man born 1985-03-02) that none of the *known*
    querysets (of records with an ``id_hash``) holds, so the sample imports as a new person."""
    from .fields import id_hash_of

    numbers = []
    for order in range(123, 999, 2):  # odd: a man, as the sample's 性别 says
        body = f"{SAMPLE_BODY}{order:03d}"
        numbers.append(body + ric.calc_check_digit(body + "0"))
        if len(numbers) == 20:
            break
    hashes = {id_hash_of(n): n for n in numbers}
    taken: set[str] = set()
    for queryset in known:
        taken |= set(queryset.filter(id_hash__in=list(hashes)).values_list("id_hash", flat=True))
    return next((n for h, n in hashes.items() if h not in taken), numbers[0])
