"""How sensitive values are shown to users without the reveal right (one written policy).

- resident ID / passport number: first 6 and last 4 characters (110105********002X)
- mobile and phone numbers: first 3 and last 4 digits of the national number (138****5678)
- bank card / account numbers: first 6 and last 4 digits
- amounts of an individual's income, assets and liabilities: not shown ("***")
"""

from __future__ import annotations

from typing import Any

import phonenumbers

MASK = "*"


def mask_middle(value: str, head: int, tail: int) -> str:
    if not value:
        return ""
    if len(value) <= head + tail:
        # Too short to show anything safely.
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str) -> str:
    return mask_middle(value, 6, 4)


def mask_passport(value: str) -> str:
    return mask_middle(value, 2, 2)


def mask_card(value: str) -> str:
    return mask_middle(value.replace(" ", ""), 6, 4)


def mask_phone(value: str) -> str:
    """Mask an E.164 number on its national digits: +8613812345678 → 138****5678."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CN")
        national = str(number.national_number)
    except phonenumbers.NumberParseException:
        national = "".join(ch for ch in value if ch.isdigit())
    return mask_middle(national, 3, 4)


def mask_amount(value: Any) -> str:
    return "" if value in (None, "") else "***"


def mask_birth_date(value: Any) -> str:
    """Only the year: month and day with the masked ID number would give the ID away."""
    if not value:
        return ""
    return f"{str(value)[:4]}-**-**"


# Masking by attribute name, for every sealed attribute of the models.
MASKERS = {
    "id_number": mask_id_number,
    "passport_number": mask_passport,
    "phone": mask_phone,
    "mobile": mask_phone,
    "bank_account": mask_card,
    "birth_date": mask_birth_date,
    "annual_income": mask_amount,
    "total_assets": mask_amount,
    "total_liabilities": mask_amount,
}


def mask(name: str, value: Any) -> str:
    """The masked form of attribute `name`'s value; unknown names are fully hidden."""
    if value in (None, ""):
        return ""
    masker = MASKERS.get(name)
    return masker(str(value)) if masker else MASK * 3
