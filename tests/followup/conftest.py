import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from credfile.customers.models import Customer
from credfile.transactions.models import Invoice
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever translations are compiled."""
    with translation.override("en"):
        yield


TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The clock stands at TODAY (services and selectors ask `timezone.localdate`)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def customer(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


def make_invoice(
    customer: Customer,
    number: str,
    *,
    due: datetime.date,
    amount: str = "1000.00",
    currency: str = "CNY",
) -> Invoice:
    assert customer.account_manager is not None
    return invoice_create(
        actor=customer.account_manager,
        customer=customer,
        fields={
            "number": number,
            "issue_date": due - datetime.timedelta(days=30),
            "due_date": due,
            "amount": Decimal(amount),
            "currency": currency,
        },
    )
