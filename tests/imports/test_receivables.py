"""Importing invoices and payments: references to files, lines, currencies, open amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from credfile.audit.models import AuditEvent
from credfile.audit.verification import chain_check
from credfile.customers.models import Customer
from credfile.imports.receivables import parse_date
from credfile.imports.services import import_file
from credfile.transactions.models import Invoice, Payment, PaymentAllocation
from tests.conftest import Personas
from tests.factories import credit_code, resident_id
from tests.imports.helpers import csv_bytes, customer_rows, xlsx_bytes

pytestmark = pytest.mark.django_db

INVOICE_HEADERS = ["invoice_no", "customer", "invoice_date", "due_date", "amount", "currency"]
PAYMENT_HEADERS = ["payment_no", "invoice_no", "pay_date", "amount"]


@pytest.fixture
def files(personas: Personas) -> list[Customer]:
    """Two files of the account manager (ERP00001 an individual, ERP00002 an organisation)."""
    import_file(actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(2)))
    return list(Customer.objects.order_by("external_code"))


def _run(personas: Personas, kind: str, rows: list[list[str]], headers: list[str], **kw: object):  # type: ignore[no-untyped-def]
    return import_file(
        actor=personas.account_manager,
        kind=kind,
        data=csv_bytes(rows, headers),
        **kw,  # type: ignore[arg-type]
    )


def _errors(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column, e.message) for e in result.errors]


def test_invoices_name_their_customer_by_any_of_its_codes_or_numbers(
    personas: Personas, files: list[Customer]
) -> None:
    person, org = files
    rows = [
        ["INV-1", person.code, "2026-01-05", "2026-02-04", "1,000.50", "CNY"],
        ["INV-2", "ERP00001", "2026/1/6", "", "200", ""],
        ["INV-3", resident_id(1), "2026年1月7日", "2026-03-01", "300", "usd"],
        ["INV-4", credit_code(2), "20260108", "2026-02-07", "400", "CNY"],
    ]
    result = _run(personas, "invoices", rows, INVOICE_HEADERS)
    assert result.imported and result.created == 4, result.errors
    one = Invoice.objects.get(number="INV-1")
    assert (one.customer, one.amount, one.currency, one.payment_terms_days) == (
        person,
        Decimal("1000.50"),
        "CNY",
        30,
    )
    two = Invoice.objects.get(number="INV-2")
    assert two.due_date.isoformat() == "2026-02-05"  # the default 30 days' terms
    assert Invoice.objects.get(number="INV-3").currency == "USD"
    assert Invoice.objects.get(number="INV-4").customer == org
    assert AuditEvent.objects.filter(object_type="transactions.invoice").count() == 4
    person.refresh_from_db()
    assert person.version == 2  # the import is one change of the file
    assert chain_check().ok


def test_rows_with_one_invoice_number_are_its_lines_in_one_currency(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    rows = [
        ["INV-1", person.code, "2026-01-05", "2026-02-04", "100", "CNY"],
        ["INV-1", person.code, "2026-01-05", "2026-02-04", "50", "CNY"],
    ]
    assert _run(personas, "invoices", rows, INVOICE_HEADERS).created == 1
    assert Invoice.objects.get(number="INV-1").amount == Decimal("150")
    mixed = [
        ["INV-9", person.code, "2026-01-05", "", "100", "CNY"],
        ["INV-9", person.code, "2026-01-05", "", "50", "USD"],
    ]
    assert _errors(_run(personas, "invoices", mixed, INVOICE_HEADERS)) == [
        (3, "currency", "Invoice INV-9 is in CNY on row 2: one invoice has one currency.")
    ]
    assert not Invoice.objects.filter(number="INV-9").exists()


def test_bad_invoice_rows_name_row_column_and_problem(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    rows = [
        ["INV-1", "C99999999", "2026-01-05", "", "100", "CNY"],
        ["INV-2", person.code, "5 Jan", "", "100", "CNY"],
        ["INV-3", person.code, "2026-01-05", "2026-01-01", "100", "CNY"],
        ["INV-4", person.code, "2026-01-05", "", "-5", "CNY"],
        ["INV-5", person.code, "2026-01-05", "", "100", "XYZ"],
    ]
    result = _run(personas, "invoices", rows, INVOICE_HEADERS)
    assert _errors(result) == [
        (2, "customer", "No customer of yours has this code or number."),
        (3, "invoice_date", "Not a date: write it as YYYY-MM-DD."),
        (5, "amount", "The amount must be above zero."),
        (6, "currency", "No such currency."),
        (4, "due_date", "The due date cannot be before the invoice date."),
    ]
    assert Invoice.objects.count() == 0


def test_a_file_of_another_department_is_unknown_to_the_importer(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [["INV-1", files[0].code, "2026-01-05", "", "100", "CNY"]]
    result = import_file(
        actor=personas.outsider, kind="invoices", data=csv_bytes(rows, INVOICE_HEADERS)
    )
    assert _errors(result) == [(2, "customer", "No customer of yours has this code or number.")]


def test_reimporting_invoices_and_payments_creates_no_duplicates(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    invoices = csv_bytes([["INV-1", person.code, "2026-01-05", "", "100", "CNY"]], INVOICE_HEADERS)
    payments = csv_bytes([["P-1", "INV-1", "2026-01-20", "40"]], PAYMENT_HEADERS)
    for _ in range(2):
        import_file(actor=personas.account_manager, kind="invoices", data=invoices)
        again = import_file(actor=personas.account_manager, kind="payments", data=payments)
    assert again.imported and again.created == 0 and again.unchanged == 1
    assert Invoice.objects.count() == 1 and Payment.objects.count() == 1
    assert Invoice.objects.get().amount_paid == Decimal("40")


def test_payments_settle_their_invoice_up_to_its_open_amount(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    _run(
        personas,
        "invoices",
        [["INV-1", person.code, "2026-01-05", "", "100", "USD"]],
        INVOICE_HEADERS,
    )
    rows = [["P-1", "INV-1", "2026-01-20", "60"], ["P-2", "INV-1", "2026-01-25", "40"]]
    result = _run(personas, "payments", rows, PAYMENT_HEADERS)
    assert result.created == 2, result.errors
    invoice = Invoice.objects.get()
    assert (
        invoice.amount_paid == Decimal("100") and invoice.fully_paid_on.isoformat() == "2026-01-25"
    )
    payment = Payment.objects.get(reference="P-2")
    assert (payment.amount, payment.currency, payment.customer) == (Decimal("40"), "USD", person)
    assert PaymentAllocation.objects.get(payment=payment).invoice == invoice
    allocations = AuditEvent.objects.filter(object_type="transactions.paymentallocation")
    assert {e.customer_id for e in allocations} == {person.pk} and allocations.count() == 2
    assert chain_check().ok


def test_a_back_dated_payment_that_completes_an_invoice_leaves_it_paid_on_the_later_date(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    _run(
        personas,
        "invoices",
        [["INV-1", person.code, "2026-01-05", "", "100", "CNY"]],
        INVOICE_HEADERS,
    )
    _run(personas, "payments", [["P-2", "INV-1", "2026-01-25", "40"]], PAYMENT_HEADERS)
    # Entered later, dated earlier: the invoice was still open between the two dates.
    result = _run(personas, "payments", [["P-1", "INV-1", "2026-01-20", "60"]], PAYMENT_HEADERS)
    assert result.created == 1, result.errors
    invoice = Invoice.objects.get()
    assert invoice.amount_paid == Decimal("100")
    assert invoice.fully_paid_on is not None and invoice.fully_paid_on.isoformat() == "2026-01-25"


def test_a_payment_above_the_open_amount_is_refused_and_nothing_is_paid(
    personas: Personas, files: list[Customer]
) -> None:
    person, _org = files
    _run(
        personas,
        "invoices",
        [["INV-1", person.code, "2026-01-05", "", "100", "CNY"]],
        INVOICE_HEADERS,
    )
    rows = [["P-1", "INV-1", "2026-01-20", "70"], ["P-2", "INV-1", "2026-01-21", "40"]]
    result = _run(personas, "payments", rows, PAYMENT_HEADERS)
    assert _errors(result) == [
        (3, "amount", "40 is more than the open amount 30.00 of invoice INV-1.")
    ]
    assert Payment.objects.count() == 0
    assert Invoice.objects.get().amount_paid == Decimal("0")


def test_bad_payment_rows_name_row_column_and_problem(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [["P-1", "INV-404", "2026-01-20", "10"], ["P-2", "", "31.2.2026", "x"]]
    assert _errors(_run(personas, "payments", rows, PAYMENT_HEADERS)) == [
        (2, "invoice_no", "No invoice of yours has this number."),
        (3, "pay_date", "Not a date: write it as YYYY-MM-DD."),
        (3, "amount", "Enter a number."),
        (3, "invoice_no", "Enter the invoice number."),
    ]


def test_a_payment_file_without_its_required_column_is_refused(personas: Personas) -> None:
    result = _run(
        personas, "payments", [["P-1", "INV-1", "10"]], ["payment_no", "invoice_no", "amount"]
    )
    assert _errors(result) == [
        (1, "pay_date", "The required column pay_date (payment date) is missing.")
    ]


def test_invoices_come_in_from_xlsx_with_chinese_headers_and_real_dates(
    personas: Personas, files: list[Customer]
) -> None:
    import datetime

    headers = ["发票号码", "客户", "开票日期", "到期日", "金额", "币种"]
    rows: list[list[object]] = [
        [
            "INV-1",
            files[0].code,
            datetime.datetime(2026, 1, 5),
            datetime.date(2026, 2, 4),
            99.5,
            "CNY",
        ]
    ]
    result = import_file(
        actor=personas.account_manager, kind="invoices", data=xlsx_bytes(rows, headers)
    )
    assert result.created == 1, result.errors
    assert Invoice.objects.get().amount == Decimal("99.50")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-01-05", "2026-01-05"),
        ("2026/1/5", "2026-01-05"),
        ("2026.01.05", "2026-01-05"),
        ("20260105", "2026-01-05"),
        ("2026年1月5日", "2026-01-05"),
        ("2026-01-05T00:00:00", "2026-01-05"),
        ("2026-02-30", None),
        ("Jan 5", None),
    ],
)
def test_dates_parse_in_the_usual_spellings(text: str, iso: str | None) -> None:
    parsed = parse_date(text)
    assert (parsed.isoformat() if parsed else None) == iso
