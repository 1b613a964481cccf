"""Identity and phone numbers: accepted in any common spelling, refused with the reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

from credfile.core.identifiers import (
    clean_credit_code,
    clean_passport,
    clean_phone,
    clean_resident_id,
    format_phone,
    is_resident_id,
    resident_id_birth_date,
    resident_id_gender,
    try_phone,
)
from tests.factories import credit_code, resident_id


def _refusal(clean: object, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        clean(value)  # type: ignore[operator]
    return exc.value


def _with_check_digit(body: str) -> str:
    """A 17-digit body completed with its correct check digit (stdnum wants 18 characters)."""
    return body + ric.calc_check_digit(body + "0")


def _wrong_check(number: str) -> str:
    """The same number with another (wrong) last character."""
    alphabet = "0123456789X" if len(number) == 18 and number[:17].isdigit() else "0123456789"
    return number[:-1] + next(c for c in alphabet if c != number[-1])


def test_it_accepts_a_resident_id_and_reads_birth_date_and_gender() -> None:
    number = resident_id(123, birth="19900215")
    assert ric.is_valid(number)
    assert clean_resident_id(number) == number
    assert resident_id_birth_date(number) == datetime.date(1990, 2, 15)
    # The 17th digit: odd for men, even for women.
    assert resident_id_gender(resident_id(123)) == "M"
    assert resident_id_gender(resident_id(124)) == "F"


def test_it_accepts_a_lower_case_x_and_surrounding_spaces() -> None:
    number = next(
        n
        for n in (_with_check_digit(f"11010519850312{i:03d}") for i in range(1000))
        if n.endswith("X")
    )
    assert clean_resident_id(f"  {number[:-1]}x ") == number


def test_it_refuses_a_resident_id_with_a_wrong_check_digit() -> None:
    error = _refusal(clean_resident_id, _wrong_check(resident_id(7)))
    assert error.code == "checksum"
    assert error.messages == ["The check digit of this ID number is wrong."]


def test_it_refuses_a_resident_id_with_an_impossible_birth_date() -> None:
    # Month 13, with a correct check digit, so only the date can be wrong.
    number = _with_check_digit("110105" + "19851312" + "123")
    assert ric.calc_check_digit(number) == number[-1]
    error = _refusal(clean_resident_id, number)
    assert error.code == "component"
    assert error.messages == ["This ID number contains an impossible birth date or region."]


def test_it_refuses_a_resident_id_born_on_the_thirtieth_of_february() -> None:
    error = _refusal(clean_resident_id, _with_check_digit("110105" + "19850230" + "123"))
    assert error.code == "component"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("11010519850312123", "length", "An ID number has 18 characters."),
        ("1101051985031212345", "length", "An ID number has 18 characters."),
        ("11010519850312A123", "format", "An ID number has 17 digits followed by a digit or X."),
    ],
)
def test_it_refuses_a_resident_id_of_the_wrong_shape(value: str, code: str, message: str) -> None:
    error = _refusal(clean_resident_id, value)
    assert error.code == code
    assert error.messages == [message]


def test_it_accepts_a_credit_code_in_lower_case() -> None:
    code = credit_code(42)
    assert clean_credit_code(f" {code.lower()} ") == code


def test_it_refuses_a_credit_code_with_a_wrong_check_character() -> None:
    code = credit_code(42)
    wrong = code[:-1] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[-1])
    error = _refusal(clean_credit_code, wrong)
    assert error.code == "checksum"
    assert error.messages == ["The check character of this unified social credit code is wrong."]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9111000060003734", "length"),
        # I, O, S, V and Z are never used in a credit code.
        ("91110000600037341I", "format"),
        ("9111000060003734IO", "format"),
    ],
)
def test_it_refuses_an_invalid_credit_code(value: str, code: str) -> None:
    error = _refusal(clean_credit_code, value)
    assert error.code == code


def test_it_refuses_a_resident_id_as_a_credit_code() -> None:
    assert not uscc.is_valid(resident_id(1))
    _refusal(clean_credit_code, resident_id(1))


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("010-6512 3456", "+861065123456"),
        ("(010) 65123456", "+861065123456"),
        ("+1 650-253-0000", "+16502530000"),
    ],
)
def test_it_normalises_phone_numbers_to_e164(value: str, e164: str) -> None:
    assert clean_phone(value) == e164


@pytest.mark.parametrize("value", ["12345", "1381234567", "138123456789", "+86 000 0000 0000"])
def test_it_refuses_a_phone_number_that_cannot_exist(value: str) -> None:
    error = _refusal(clean_phone, value)
    assert error.code in {"invalid", "format"}


def test_it_refuses_text_as_a_phone_number() -> None:
    error = _refusal(clean_phone, "call me")
    assert error.messages == ["This is not a phone number."]


def test_it_shows_chinese_numbers_nationally_and_others_internationally() -> None:
    assert format_phone("+8613812345678") == "138 1234 5678"
    assert format_phone("+861065123456") == "010 6512 3456"
    assert format_phone("+16502530000") == "+1 650-253-0000"
    assert format_phone("") == ""


def test_it_reads_a_search_term_as_a_phone_only_when_it_is_one() -> None:
    assert try_phone("138 1234 5678") == "+8613812345678"
    assert try_phone("星辰科技") is None
    assert try_phone("12") is None


def test_it_accepts_a_passport_number_with_spaces_and_refuses_a_short_one() -> None:
    assert clean_passport("e 1234 5678") == "E12345678"
    error = _refusal(clean_passport, "E12")
    assert error.messages == ["A passport number has 5 to 17 letters and digits."]


# python-stdnum raises KeyError for this number (a region code it cannot place) instead of
# refusing it; searches, log lines and forms must answer as for any other wrong number.
UNPLACEABLE = "714574997508071409"


def test_a_number_stdnum_cannot_place_is_no_resident_id() -> None:
    assert is_resident_id(UNPLACEABLE) is False
    assert _refusal(clean_resident_id, UNPLACEABLE).code == "component"


def test_a_number_stdnum_cannot_place_is_masked_in_logs_and_searched_as_text(
    personas, client_for
) -> None:
    from credfile.core.logfilter import mask_text

    assert UNPLACEABLE not in mask_text(f"/api/v1/customers/0/addresses/{UNPLACEABLE}/")
    response = client_for(personas.credit_manager).get("/customers/", {"q": UNPLACEABLE})
    assert response.status_code == 200
