"""Validation and normalisation of identity numbers and phone numbers.

Resident ID numbers (GB 11643) and unified social credit codes (GB 32100) are checked with
python-stdnum; phone numbers with phonenumbers. Each function returns the normalised value or
raises a ValidationError whose message a user can act on.
"""

from __future__ import annotations

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)

PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")


def is_resident_id(value: str) -> bool:
    """Whether a compact value is a valid resident ID number.

    python-stdnum raises KeyError instead of answering False for some 18-digit numbers whose
    region code it cannot place; a search, a log line or an import must not fail on those."""
    try:
        return bool(ric.is_valid(value))
    except KeyError:
        return False


def clean_resident_id(value: str) -> str:
    """Return the 18-character resident ID number, or raise with the reason."""
    try:
        return str(ric.validate(value.strip().upper()))
    except KeyError:
        # python-stdnum's region lookup fails on some unplaceable region codes.
        raise ValidationError(
            _("This ID number contains an impossible birth date or region."), code="component"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit of this ID number is wrong."), code="checksum"
        ) from None
    except InvalidComponent:
        raise ValidationError(
            _("This ID number contains an impossible birth date or region."), code="component"
        ) from None
    except InvalidLength:
        raise ValidationError(_("An ID number has 18 characters."), code="length") from None
    except (InvalidFormat, StdnumError):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="format"
        ) from None


def resident_id_birth_date(value: str) -> datetime.date:
    born: datetime.date = ric.get_birth_date(value)
    return born


def resident_id_gender(value: str) -> str:
    """'M' or 'F': the 17th digit is odd for men and even for women."""
    return "M" if int(value[16]) % 2 else "F"


def clean_credit_code(value: str) -> str:
    """Return the 18-character unified social credit code, or raise with the reason."""
    try:
        return str(uscc.validate(value.strip().upper()))
    except InvalidChecksum:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."),
            code="checksum",
        ) from None
    except InvalidLength:
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="length"
        ) from None
    except (InvalidFormat, InvalidComponent, StdnumError):
        raise ValidationError(
            _("This is not a valid unified social credit code."), code="format"
        ) from None


def clean_passport(value: str) -> str:
    value = value.strip().upper().replace(" ", "")
    if not PASSPORT_RE.match(value):
        raise ValidationError(_("A passport number has 5 to 17 letters and digits."), code="format")
    return value


def clean_bank_account(value: str) -> str:
    """A bank card or account number: 8 to 30 digits, spaces and dashes ignored."""
    digits = value.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValidationError(_("A bank account number has 8 to 30 digits."), code="format")
    return digits


def clean_phone(value: str, *, region: str = "CN") -> str:
    """Return the phone number in E.164 form (+8613812345678), or raise."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="format") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number is not valid; check the digits and the area code."),
            code="invalid",
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def try_phone(value: str) -> str | None:
    """The E.164 form of a search term that is a valid phone number, else None."""
    if not any(ch.isdigit() for ch in value):
        return None
    try:
        return clean_phone(value)
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """A readable form: national for Chinese numbers, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, fmt))
