"""Monthly Party dues from the income base, by the standard brackets.

Employed members (on-the-job, floating, other), of the monthly income:
  up to and including 3,000 yuan 0.5 %; above 3,000 up to and including 5,000 1 %;
  above 5,000 up to and including 10,000 1.5 %; above 10,000 2 %.
Retired members: up to and including 5,000 yuan 0.5 %; above 5,000 1 %.
Students, laid-off or unemployed members and members on the basic living allowance: 0.2 yuan a month.

One rate applies to the whole base (the brackets are not progressive); a boundary amount belongs
to the lower bracket ("3,000 yuan and below").  Amounts are Decimal, rounded half up to the fen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from shequ.core.exceptions import ActionError

from .models.members import Category

FEN = Decimal("0.01")
FLAT = Decimal("0.20")
EMPLOYED_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
FLAT_CATEGORIES = (Category.STUDENT, Category.LAID_OFF)


def dues_rate(category: str, base: Decimal | None, basic_allowance: bool = False) -> Decimal | None:
    """The rate applied to *base*; None for the flat 0.2 yuan."""
    if basic_allowance or category in FLAT_CATEGORIES:
        return None
    if base is None:
        raise ActionError(
            _("The monthly income is needed to compute the dues of an employed or retired member."),
            code="dues_base_required",
        )
    base = Decimal(base)
    if base < 0:
        raise ActionError(_("The monthly income cannot be negative."), code="dues_base_negative")
    brackets = RETIRED_BRACKETS if category == Category.RETIRED else EMPLOYED_BRACKETS
    for upper, rate in brackets:
        if upper is None or base <= upper:
            return rate
    raise AssertionError("unreachable")  # pragma: no cover


def monthly_dues(category: str, base: Decimal | None, basic_allowance: bool = False) -> Decimal:
    """The monthly dues in yuan, to the fen."""
    rate = dues_rate(category, base, basic_allowance)
    if rate is None:
        return FLAT
    assert base is not None
    return (Decimal(base) * rate).quantize(FEN, rounding=ROUND_HALF_UP)
