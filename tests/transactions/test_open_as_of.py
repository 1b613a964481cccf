"""Open as of a date is the plain definition whatever order payments were entered or
corrected in: amount − payments dated on or before the day, for invoices issued by then."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q

from credfile.changes.services import record_change
from credfile.customers.models import Customer
from credfile.transactions.models import Invoice, Payment, PaymentAllocation
from credfile.transactions.receivables import ageing_report, receivable_figures
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

D = Decimal
ISSUED = datetime.date(2026, 10, 1)
DUE = datetime.date(2026, 10, 31)
EARLY = datetime.date(2026, 11, 15)
LATE = datetime.date(2026, 11, 25)
# Before both payments, between them, after both.
DAYS = (datetime.date(2026, 11, 10), datetime.date(2026, 11, 20), datetime.date(2026, 11, 30))


@pytest.fixture(autouse=True)
def _direct(settings: Any) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []


@pytest.fixture
def customer(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


@pytest.fixture
def bill(personas: Personas, customer: Customer) -> Invoice:
    return invoice_create(
        actor=personas.department_head,
        customer=customer,
        fields={
            "number": "INV-1",
            "amount": D("1000"),
            "issue_date": ISSUED,
            "due_date": DUE,
            "currency": "CNY",
        },
    )


def pay(personas: Personas, invoice: Invoice, amount: str, received: datetime.date) -> Payment:
    return payment_create(
        actor=personas.department_head,
        customer=invoice.customer,
        fields={"received_on": received, "amount": D(amount), "currency": "CNY"},
        allocations=[(invoice.pk, D(amount))],
    )


def plain_open(invoice: Invoice, day: datetime.date) -> Decimal:
    """The definition itself, from the allocations, without any stored shortcut."""
    paid = sum(
        (
            a.amount
            for a in PaymentAllocation.objects.filter(
                invoice=invoice, payment__received_on__lte=day
            )
        ),
        D("0"),
    )
    return invoice.amount - paid


def engine_open(day: datetime.date) -> Decimal:
    rows = ageing_report(scope=Q(), as_of=day)
    return sum((r.total for r in rows), D("0"))


def figures_open(day: datetime.date) -> Decimal:
    return sum((r.total for r in receivable_figures(scope=Q(), as_of=day)), D("0"))


def assert_plain(invoice: Invoice, expected: list[str]) -> None:
    invoice.refresh_from_db()
    assert [plain_open(invoice, day) for day in DAYS] == [D(e) for e in expected]
    assert [engine_open(day) for day in DAYS] == [D(e) for e in expected]
    assert [figures_open(day) for day in DAYS] == [D(e) for e in expected]


def test_a_back_dated_payment_that_completes_the_invoice_keeps_it_open_until_the_later_one(
    personas: Personas, bill: Invoice
) -> None:
    pay(personas, bill, "600", LATE)
    pay(personas, bill, "400", EARLY)  # recorded last, dated first
    assert_plain(bill, ["1000", "600", "0"])
    bill.refresh_from_db()
    assert bill.fully_paid_on == LATE


def test_payments_entered_in_date_order_give_the_same(personas: Personas, bill: Invoice) -> None:
    pay(personas, bill, "400", EARLY)
    pay(personas, bill, "600", LATE)
    assert_plain(bill, ["1000", "600", "0"])


def test_a_payment_moved_to_a_later_date_keeps_the_invoice_open_until_then(
    personas: Personas, customer: Customer, bill: Invoice
) -> None:
    payment = pay(personas, bill, "1000", EARLY)
    assert_plain(bill, ["1000", "0", "0"])
    record_change(
        actor=personas.department_head,
        customer=customer,
        target=payment,
        changes={"received_on": LATE},
    )
    assert_plain(bill, ["1000", "1000", "0"])
    bill.refresh_from_db()
    assert bill.fully_paid_on == LATE


def test_a_payment_moved_past_the_last_day_no_longer_counts_on_it(
    personas: Personas, customer: Customer, bill: Invoice
) -> None:
    first = pay(personas, bill, "400", EARLY)
    pay(personas, bill, "600", LATE)
    record_change(
        actor=personas.department_head,
        customer=customer,
        target=first,
        changes={"received_on": datetime.date(2026, 12, 5)},
    )
    # The 400 now comes after every day of the report.
    assert_plain(bill, ["1000", "1000", "400"])


def test_a_deleted_payment_opens_the_invoice_again_on_the_days_it_covered(
    personas: Personas, customer: Customer, bill: Invoice
) -> None:
    pay(personas, bill, "600", LATE)
    early = pay(personas, bill, "400", EARLY)
    record_change(
        actor=personas.department_head, customer=customer, target=early, delete=True, reason="退款"
    )
    assert_plain(bill, ["1000", "1000", "400"])
    bill.refresh_from_db()
    assert bill.fully_paid_on is None


def test_a_lowered_invoice_amount_is_paid_in_full_on_the_latest_payment(
    personas: Personas, customer: Customer, bill: Invoice
) -> None:
    pay(personas, bill, "300", LATE)
    pay(personas, bill, "500", EARLY)
    record_change(
        actor=personas.department_head, customer=customer, target=bill, changes={"amount": D("800")}
    )
    assert_plain(bill, ["800", "300", "0"])
    bill.refresh_from_db()
    assert bill.fully_paid_on == LATE
