"""Identity and phone numbers as people type them and as Excel mangles them."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.people.identity import IdentityError, mask_id, parse_identity, parse_phone
from shequ.people.tests.helpers import make_id

VALID = make_id(date(1985, 3, 2), "M", "110101", seq=61)  # 110101198503021xxX-style, male


def code_of(value: object) -> str:
    with pytest.raises(IdentityError) as caught:
        parse_identity(value, today=date(2026, 1, 1))
    return caught.value.code


def test_valid_number_gives_birth_date_and_gender() -> None:
    identity = parse_identity(VALID)
    assert identity.number == VALID
    assert identity.birth_date == date(1985, 3, 2)
    assert identity.gender == "M"
    female = parse_identity(make_id(date(1990, 12, 31), "F", seq=7))
    assert (female.gender, female.birth_date) == ("F", date(1990, 12, 31))


def test_lower_case_x_full_width_digits_and_spaces_are_normalised() -> None:
    with_x = next(n for n in (make_id(seq=s) for s in range(200)) if n.endswith("X"))
    assert parse_identity(with_x.lower()).number == with_x
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
    assert parse_identity(full_width).number == VALID
    assert parse_identity(f" {VALID[:6]} {VALID[6:14]}-{VALID[14:]} ").number == VALID


def test_each_failure_has_its_own_code_and_message() -> None:
    assert code_of(VALID[:-1]) == "id_length"
    assert code_of(VALID + "1") == "id_length"
    assert code_of("AB" + VALID[2:]) == "id_characters"
    assert code_of(VALID[:-1] + ("1" if VALID[-1] != "1" else "2")) == "id_checksum"
    assert code_of(VALID[:6] + "850302" + VALID[-3:]) == "id_legacy"
    assert code_of(VALID[:6] + "*" * 8 + VALID[-4:]) == "id_masked"
    assert code_of("") == "id_required"


def test_impossible_and_future_birth_dates() -> None:
    from stdnum.cn import ric

    def with_date(digits: str) -> str:
        body = f"110101{digits}123"
        return body + ric.calc_check_digit(body + "0")

    assert code_of(with_date("19850230")) == "id_birth_date"  # no 30 February
    assert code_of(with_date("19851301")) == "id_birth_date"
    assert code_of(with_date("18000101")) == "id_birth_date"
    assert code_of(with_date("20300101")) == "id_future_date"
    with pytest.raises(IdentityError) as caught:
        parse_identity(with_date("19850230"))
    assert "1985-02-30" in str(caught.value)


def test_excel_scientific_notation_and_numeric_cells_cannot_be_recovered() -> None:
    # As text from a CSV Excel saved, and as the number an .xlsx cell holds.
    for value in ("1.10101E+17", "1.10101e+17", "１.１０１０１Ｅ＋１７", float(VALID), int(float(VALID))):
        assert code_of(value) == "id_excel_number", value
    with pytest.raises(IdentityError) as caught:
        parse_identity(1.10101198503021e17)
    message = str(caught.value)
    assert "Excel" in message and "1.10101E+17" in message


def test_digits_dropped_by_excel_then_retyped_as_text() -> None:
    # Excel keeps 15 significant digits: 18 digits come back as …000, which rarely checks out.
    damaged = next(d for d in (make_id(seq=s)[:15] + "000" for s in range(50)) if not parse_identity_ok(d))
    assert code_of(damaged) == "id_excel_truncated"


def parse_identity_ok(value: str) -> bool:
    try:
        parse_identity(value)
    except IdentityError:
        return False
    return True


def test_messages_never_repeat_the_number() -> None:
    for bad in (VALID[:-1] + ("1" if VALID[-1] != "1" else "2"), "AB" + VALID[2:], VALID[:-1]):
        with pytest.raises(IdentityError) as caught:
            parse_identity(bad)
        assert VALID[:14] not in str(caught.value)


def test_mask() -> None:
    assert mask_id("11010119850302123X") == "110101********123X"
    assert mask_id("") == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("027-87654321", "02787654321"),
        ("(027) 8765 4321", "02787654321"),
        ("+1 650 253 0000", "+16502530000"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_normalised(typed: object, stored: str) -> None:
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"), [("14012345678", "phone_invalid"), ("87654321", "phone_area_code"), ("12345", "phone_invalid")]
)
def test_phone_rejected(typed: str, code: str) -> None:
    with pytest.raises(IdentityError) as caught:
        parse_phone(typed)
    assert caught.value.code == code


def test_identity_cell_normalises_once_and_answers_as_parse_identity() -> None:
    from shequ.core.cells import RowError
    from shequ.people.cells import identity_cell

    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
    for typed in (VALID, VALID.lower(), full_width, f" {VALID[:6]} {VALID[6:14]}-{VALID[14:]} "):
        assert identity_cell(typed) == parse_identity(typed)
    for empty in (None, "", "   ", " - ", "\u3000"):
        assert identity_cell(empty) is None
    for bad, code in ((VALID[:-1], "id_length"), (f" {VALID[:-1]}0 ", "id_checksum"), (4.20102e17, "id_excel_number")):
        if code == "id_checksum" and VALID.endswith("0"):
            continue
        with pytest.raises(RowError) as caught:
            identity_cell(bad)
        assert caught.value.code == code
