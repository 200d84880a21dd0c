"""The generic cell parsers (``core.cells``), and the variant of the date parser the orgs app uses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shequ.core.cells import RowError, alnum_code_cell, bool_cell, code_cell, date_cell, phone_cell
from shequ.core.importing import date_cell as reexported
from shequ.orgs.cells import date_cell as term_date_cell


def test_dates_as_offices_write_them() -> None:
    assert reexported is date_cell
    for raw in ("1985-03-02", "1985/3/2", "1985.3.2", "1985年3月2日", "1985年3月2号", "19850302", 19850302, 31108):
        assert date_cell(raw) == date(1985, 3, 2), raw
        assert term_date_cell(raw) == date(1985, 3, 2), raw
    assert date_cell("1985-03-02 08:30:00") == date_cell(datetime(1985, 3, 2, 8, 30)) == date(1985, 3, 2)
    assert date_cell(None) is None and date_cell("") is None
    assert date_cell(3) == date(1900, 1, 2)  # a serial date, however small


@pytest.mark.parametrize("raw", ["1985年3月", "至今", "1985-02-30", "三月", True])
def test_what_a_birth_date_is_not(raw: object) -> None:
    with pytest.raises(RowError) as caught:
        date_cell(raw)
    assert caught.value.code == "bad_date"


def test_dates_of_terms() -> None:
    assert term_date_cell("2024年3月") == date(2024, 3, 1)
    assert term_date_cell("至今") is None
    with pytest.raises(RowError):
        term_date_cell(2024)  # a year, not a serial date


def test_codes_yes_no_and_phones() -> None:
    assert code_cell(" 4201 02 ") == "420102"
    assert alnum_code_cell("420102") == "420102"
    with pytest.raises(RowError):
        alnum_code_cell("4201-02")
    assert (bool_cell("是"), bool_cell("否"), bool_cell(" Y "), bool_cell("")) == (True, False, True, None)
    with pytest.raises(RowError):
        bool_cell("也许")
    assert phone_cell("138 1234 5678") == "13812345678"
    with pytest.raises(RowError) as caught:
        phone_cell("87654321")
    assert caught.value.code == "phone_area_code"
