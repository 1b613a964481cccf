"""Correcting and deleting payments and contracts: the invoices a payment settles follow it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credfile.changes.services import record_change
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from credfile.history.models import FileVersion
from credfile.transactions.models import Invoice, PaymentAllocation
from credfile.transactions.services import contract_create, invoice_create, payment_create
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _direct(settings: Any) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []


@pytest.fixture
def org(personas: Personas) -> Customer:
    return customer_create(
        actor=personas.account_manager, fields={"kind": "organization", "name": "星辰科技"}
    )


def _invoice(personas: Personas, org: Customer, number: str, amount: str, day: int) -> Invoice:
    return invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={
            "number": number,
            "issue_date": datetime.date(2025, 1, day),
            "amount": Decimal(amount),
        },
    )


def _paid(invoice: Invoice) -> tuple[Decimal, datetime.date | None]:
    invoice.refresh_from_db()
    return invoice.amount_paid, invoice.fully_paid_on


def test_a_larger_payment_settles_its_invoice_then_the_oldest_open_one(
    personas: Personas, org: Customer
) -> None:
    first = _invoice(personas, org, "INV-1", "1000.00", 5)
    second = _invoice(personas, org, "INV-2", "500.00", 6)
    payment = payment_create(
        actor=personas.account_manager,
        customer=org,
        fields={"received_on": datetime.date(2025, 2, 1), "amount": Decimal("600.00")},
        allocations=[(first.pk, Decimal("600.00"))],
    )

    record_change(
        actor=personas.account_manager,
        customer=org,
        target=payment,
        changes={"amount": Decimal("1200.00")},
    )

    assert _paid(first) == (Decimal("1000.00"), datetime.date(2025, 2, 1))
    assert _paid(second) == (Decimal("200.00"), None)
    assert sorted(PaymentAllocation.objects.values_list("invoice__number", "amount")) == [
        ("INV-1", Decimal("1000.00")),
        ("INV-2", Decimal("200.00")),
    ]
    assert FileVersion.objects.filter(
        customer_id=org.pk, object_type="transactions.paymentallocation", operation="delete"
    ).exists()


def test_a_payment_above_what_is_open_is_refused_and_nothing_moves(
    personas: Personas, org: Customer
) -> None:
    invoice = _invoice(personas, org, "INV-1", "1000.00", 5)
    payment = payment_create(
        actor=personas.account_manager,
        customer=org,
        fields={"received_on": datetime.date(2025, 2, 1), "amount": Decimal("400.00")},
    )

    with pytest.raises(ValidationError, match="above the open amount"):
        record_change(
            actor=personas.account_manager,
            customer=org,
            target=payment,
            changes={"amount": Decimal("1500.00")},
        )

    assert _paid(invoice) == (Decimal("400.00"), None)


def test_a_deleted_payment_opens_its_invoices_again(personas: Personas, org: Customer) -> None:
    invoice = _invoice(personas, org, "INV-1", "300.00", 5)
    payment = payment_create(
        actor=personas.account_manager,
        customer=org,
        fields={"received_on": datetime.date(2025, 2, 1), "amount": Decimal("300.00")},
    )
    assert _paid(invoice) == (Decimal("300.00"), datetime.date(2025, 2, 1))

    record_change(
        actor=personas.account_manager,
        customer=org,
        target=payment,
        delete=True,
        reason="退款",
    )

    assert _paid(invoice) == (Decimal("0.00"), None)
    assert not PaymentAllocation.objects.exists()
    # Deleting the invoice is possible now that no payment settles it.
    record_change(
        actor=personas.account_manager, customer=org, target=invoice, delete=True, reason="作废"
    )
    assert not Invoice.objects.exists()


def test_a_contract_that_invoices_refer_to_is_not_deleted(
    personas: Personas, org: Customer
) -> None:
    contract = contract_create(
        actor=personas.account_manager,
        customer=org,
        fields={
            "number": "HT-1",
            "title": "采购",
            "signed_on": datetime.date(2025, 1, 1),
            "amount": Decimal("100.00"),
        },
    )
    invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={
            "number": "INV-1",
            "contract": contract,
            "issue_date": datetime.date(2025, 1, 5),
            "amount": Decimal("50.00"),
        },
    )

    with pytest.raises(ValidationError, match="Invoices refer to this contract"):
        record_change(
            actor=personas.account_manager,
            customer=org,
            target=contract,
            delete=True,
            reason="作废",
        )
