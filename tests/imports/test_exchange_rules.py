"""The import rules an exchange between instances needs: a file named by the code it had in
the other instance, a payment settling several invoices, and no lent file in an export."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from credfile.access.services import application_approve, application_create
from credfile.customers.models import Customer
from credfile.customers.selectors import CustomerFilters
from credfile.imports.exports import file_export
from credfile.imports.services import import_file
from credfile.transactions.models import Invoice, Payment
from tests.conftest import Personas
from tests.factories import CustomerFactory
from tests.imports.helpers import csv_bytes
from tests.imports.test_round_trip import csv_rows

pytestmark = pytest.mark.django_db

INVOICES = ["invoice_no", "customer", "invoice_date", "due_date", "amount", "currency"]
PAYMENTS = ["payment_no", "invoice_no", "pay_date", "amount", "customer"]


def _errors(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column, e.message) for e in result.errors]


def test_a_code_from_another_instance_names_the_file_that_came_with_it(
    personas: Personas,
) -> None:
    manager = personas.account_manager
    here = CustomerFactory(code="C00000003", department=personas.sales, account_manager=manager)
    came = CustomerFactory(
        code="C00000002",
        external_code="C00000003",
        department=personas.sales,
        account_manager=manager,
    )
    rows = [
        ["INV-1", "C00000003", "2026-01-05", "", "100", "CNY"],
        ["INV-2", "C00000002", "2026-01-05", "", "200", "CNY"],
    ]
    result = import_file(actor=manager, kind="invoices", data=csv_bytes(rows, INVOICES))
    assert result.imported, result.errors
    assert Invoice.objects.get(number="INV-1").customer == came
    assert Invoice.objects.get(number="INV-2").customer == came
    assert not here.invoices.exists()


@pytest.fixture
def invoices(personas: Personas) -> Customer:
    file = CustomerFactory(
        department=personas.sales, account_manager=personas.account_manager, external_code="E1"
    )
    rows = [
        ["INV-1", "E1", "2026-01-05", "", "100", "CNY"],
        ["INV-2", "E1", "2026-01-06", "", "50", "CNY"],
        ["INV-3", "E1", "2026-01-06", "", "70", "USD"],
    ]
    assert import_file(
        actor=personas.account_manager, kind="invoices", data=csv_bytes(rows, INVOICES)
    ).imported
    return file


def test_rows_with_one_payment_number_are_one_payment_settling_each_invoice(
    personas: Personas, invoices: Customer
) -> None:
    rows = [
        ["T-1", "INV-1", "2026-02-01", "100", "E1"],
        ["T-1", "INV-2", "2026-02-01", "20.50", "E1"],
    ]
    result = import_file(
        actor=personas.account_manager, kind="payments", data=csv_bytes(rows, PAYMENTS)
    )
    assert result.imported and result.created == 1, result.errors
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount, payment.currency) == (
        "T-1",
        Decimal("120.50"),
        "CNY",
    )
    assert sorted(payment.allocations.values_list("invoice__number", "amount")) == [
        ("INV-1", Decimal("100.00")),
        ("INV-2", Decimal("20.50")),
    ]
    paid = dict(Invoice.objects.values_list("number", "fully_paid_on"))
    assert paid == {"INV-1": datetime.date(2026, 2, 1), "INV-2": None, "INV-3": None}


def test_the_parts_of_one_payment_agree_on_date_currency_and_invoice(
    personas: Personas, invoices: Customer
) -> None:
    rows = [
        ["T-1", "INV-1", "2026-02-01", "10", "E1"],
        ["T-1", "INV-1", "2026-02-01", "10", "E1"],
        ["T-1", "INV-2", "2026-02-02", "10", "E1"],
        ["T-1", "INV-3", "2026-02-01", "10", "E1"],
    ]
    result = import_file(
        actor=personas.account_manager, kind="payments", data=csv_bytes(rows, PAYMENTS)
    )
    assert _errors(result) == [
        (3, "payment_no", "The same payment is on row 2 already."),
        (4, "pay_date", "Payment T-1 has another date on row 2."),
        (5, "invoice_no", "Payment T-1 is in CNY on row 2: one payment has one currency."),
    ]
    assert not Payment.objects.exists()


def test_a_file_lent_through_a_grant_is_in_the_list_but_not_in_its_export(
    personas: Personas, client_for: object
) -> None:
    foreign = CustomerFactory(
        name="外贸借阅有限公司", department=personas.other, account_manager=personas.outsider
    )
    today = timezone.localdate()
    application = application_create(
        actor=personas.account_manager,
        customer=foreign,
        sections=["basic", "transactions"],
        purpose="credit check",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
    )
    application_approve(actor=personas.executive, application=application)
    listed = client_for(personas.account_manager).get("/customers/")  # type: ignore[operator]
    assert "外贸借阅有限公司" in listed.content.decode()
    export = file_export(
        actor=personas.account_manager,
        kind="customers",
        filters=CustomerFilters(),
        file_format="csv",
    )
    with export.handle:
        rows = csv_rows(export.handle.read())
    assert rows == [rows[0]] and export.rows == 0
