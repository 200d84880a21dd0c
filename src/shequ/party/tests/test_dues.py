"""The dues brackets, every boundary: a boundary amount belongs to the lower bracket; half up to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.core.exceptions import ActionError
from shequ.party.dues import dues_rate, monthly_dues
from shequ.party.models import Category

D = Decimal


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2000", "10.00"),
        ("3000", "15.00"),  # ≤ 3,000: 0.5 %
        ("3000.01", "30.00"),  # above 3,000: 1 %
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # above 5,000: 1.5 %
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # above 10,000: 2 %
        ("25000", "500.00"),
        ("1001", "5.01"),  # 5.005 rounds half up
        ("1234.57", "6.17"),
        ("3333.33", "33.33"),
    ],
)
def test_employed(base: str, expected: str) -> None:
    assert monthly_dues(Category.ON_THE_JOB, D(base)) == D(expected)
    # Floating and other members pay by the employed brackets too.
    assert monthly_dues(Category.FLOATING, D(base)) == D(expected)
    assert monthly_dues(Category.OTHER, D(base)) == D(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("12000", "120.00")],
)
def test_retired(base: str, expected: str) -> None:
    assert monthly_dues(Category.RETIRED, D(base)) == D(expected)


def test_flat_rate() -> None:
    assert monthly_dues(Category.STUDENT, None) == D("0.20")
    assert monthly_dues(Category.LAID_OFF, D("9000")) == D("0.20")
    assert monthly_dues(Category.ON_THE_JOB, D("8000"), basic_allowance=True) == D("0.20")
    assert monthly_dues(Category.RETIRED, None, basic_allowance=True) == D("0.20")
    assert dues_rate(Category.STUDENT, None) is None


def test_rates_are_exact_decimals() -> None:
    assert dues_rate(Category.ON_THE_JOB, D("3000")) == D("0.005")
    assert dues_rate(Category.ON_THE_JOB, 5000) == D("0.01")  # type: ignore[arg-type]
    assert isinstance(monthly_dues(Category.ON_THE_JOB, D("4321.09")), Decimal)


def test_income_needed_and_not_negative() -> None:
    with pytest.raises(ActionError) as exc:
        monthly_dues(Category.ON_THE_JOB, None)
    assert exc.value.code == "dues_base_required"
    with pytest.raises(ActionError) as exc:
        monthly_dues(Category.RETIRED, D("-1"))
    assert exc.value.code == "dues_base_negative"


def test_months_owed_of_a_past_year_include_december() -> None:
    from datetime import date

    from shequ.party.arrears import months_due

    assert len(months_due(date(2010, 7, 1), 2023, date(2024, 3, 15))) == 12
    assert months_due(date(2023, 11, 5), 2023, date(2024, 1, 2)) == [date(2023, 11, 1), date(2023, 12, 1)]
    # This year: up to the month before this one.
    assert months_due(date(2010, 1, 1), 2024, date(2024, 3, 15)) == [date(2024, 1, 1), date(2024, 2, 1)]
