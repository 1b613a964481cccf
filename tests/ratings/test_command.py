"""`credfile rate`: one file, or every file with --all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from credfile.customers.models import Customer
from credfile.ratings.models import Rating
from tests.conftest import Personas
from tests.factories import CustomerFactory
from tests.ratings.test_services import company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("rate", *args, stdout=out)
    return out.getvalue()


def test_rate_one_file_with_assessed_factors(personas: Personas, company: Customer) -> None:  # noqa: F811
    text = _run(
        company.code,
        "--as",
        personas.account_manager.username,
        "--as-of",
        "2026-11-30",
        "--assess",
        "management_quality=good",
        "--assess",
        "negative_records=none",
        "--assess",
        "security=none",
    )
    assert text.strip() == f"{company.code}: AA, 80.00 points (Awaiting approval)."
    with pytest.raises(CommandError, match="Choose one of"):
        _run(company.code, "--as", personas.account_manager.username, "--assess", "security=gold")
    with pytest.raises(CommandError, match="You may not rate this customer"):
        _run(company.code, "--as", personas.outsider.username)


def test_rate_all_is_the_credit_managers(personas: Personas) -> None:
    for _n in range(3):
        CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    with pytest.raises(CommandError, match="for credit managers"):
        _run("--all", "--as", personas.department_head.username)
    text = _run("--all", "--as", personas.credit_manager.username)
    assert text.strip() == (
        "3 files rated: 0 keep their grade, 3 wait for approval; 0 individuals without "
        "consent to a credit assessment were not rated."
    )
    assert Rating.objects.count() == 3
    with pytest.raises(CommandError, match="Name one customer code, or give --all"):
        _run("--as", personas.credit_manager.username)
