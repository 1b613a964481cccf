"""Risk fixtures: files with a grade in force, invoices overdue by a known number of days,
a fixed 'today', and the shipped rules out of the way unless a test wants them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from credfile.customers.models import Customer
from credfile.ratings.models import Rating, ScorecardVersion
from credfile.risk.models import RiskRule
from credfile.transactions.models import Invoice
from credfile.transactions.services import payment_create
from tests.api.conftest import api_for  # noqa: F401  (the bearer-token client fixture)
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file

__all__ = ["TODAY", "file_of", "grade", "overdue", "paid_late", "rule"]


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_shipped_rules(db: None) -> None:
    # Each test states the rules it applies; the shipped ones have their own test.
    RiskRule.objects.update(is_active=False)


def file_of(personas: Personas, **fields: Any) -> Customer:
    fields.setdefault("opened_on", datetime.date(2025, 1, 10))
    return make_file(personas, **fields)


def grade(customer: Customer, value: str, *, caps: tuple[str, ...] = ()) -> Rating:
    """Put a grade in force for the file, as an approved rating would."""
    version = ScorecardVersion.objects.filter(status="published").first()
    assert version is not None
    Rating.objects.filter(customer=customer, is_current=True).update(is_current=False)
    return Rating.objects.create(
        customer=customer,
        version=version,
        as_of=TODAY,
        score=Decimal("30"),
        score_grade=value,
        grade=value,
        basis={"caps": [{"key": c, "label": "", "value": "yes", "max_grade": value} for c in caps]},
        status="approved",
        is_current=True,
        proposed_by=customer.account_manager,
    )


_numbers = iter(range(1, 1_000_000))


def overdue(
    customer: Customer,
    amount: str,
    *,
    days: int,
    currency: str = "CNY",
    as_of: datetime.date = TODAY,
) -> Invoice:
    """An unpaid invoice `days` past its due date on `as_of`."""
    due = as_of - datetime.timedelta(days=days)
    return Invoice.objects.create(
        customer=customer,
        number=f"R-{next(_numbers)}",
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
        payment_terms_days=30,
        amount=Decimal(amount),
        currency=currency,
    )


def paid_late(personas: Personas, customer: Customer, *, days: int) -> None:
    """An invoice paid in full `days` after its due date, within the last year."""
    invoice = overdue(customer, "500.00", days=days + 10)
    received = invoice.due_date + datetime.timedelta(days=days)
    payment_create(
        actor=personas.department_head,
        customer=customer,
        fields={"received_on": received, "amount": invoice.amount, "currency": "CNY"},
        allocations=[(invoice.pk, invoice.amount)],
    )


def rule(personas: Personas, **fields: Any) -> RiskRule:
    from credfile.risk.services import rule_create

    fields.setdefault("name", f"rule {next(_numbers)}")
    return rule_create(actor=personas.credit_manager, fields=fields)
