"""The receivables engine against examples computed by hand (docs: domain, formulas)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from credfile.customers.models import Customer
from credfile.transactions.models import Invoice
from credfile.transactions.receivables import (
    ageing_buckets,
    ageing_report,
    behaviour_document,
    file_figures,
    payment_behaviour,
    portfolio_totals,
    receivable_figures,
    receivables_scope,
)
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

D = Decimal
AS_OF = datetime.date(2026, 11, 30)
EVERYTHING = Q()


def days_before(n: int) -> datetime.date:
    return AS_OF - datetime.timedelta(days=n)


@pytest.fixture
def customer(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


@pytest.fixture
def invoice(personas: Personas, customer: Customer) -> Any:
    """invoice(amount, issued, due, currency="CNY", customer=…) → a recorded invoice."""
    count = iter(range(1, 10_000))

    def make(
        amount: str,
        issued: datetime.date,
        due: datetime.date,
        currency: str = "CNY",
        owner: Customer | None = None,
    ) -> Invoice:
        owner = owner or customer
        in_sales = owner.department_id == personas.sales.pk
        return invoice_create(
            actor=personas.department_head if in_sales else owner.account_manager,
            customer=owner,
            fields={
                "number": f"INV-{next(count)}",
                "amount": D(amount),
                "issue_date": issued,
                "due_date": due,
                "currency": currency,
            },
        )

    return make


def pay(personas: Personas, invoice: Invoice, amount: str, received: datetime.date) -> None:
    payment_create(
        actor=personas.department_head,
        customer=invoice.customer,
        fields={"received_on": received, "amount": D(amount), "currency": invoice.currency},
        allocations=[(invoice.pk, D(amount))],
    )


def only(figures: list[Any], currency: str = "CNY") -> Any:
    rows = [f for f in figures if f.currency == currency]
    assert len(rows) == 1, rows
    return rows[0]


def test_ageing_puts_each_invoice_in_its_bucket_at_the_edges(invoice: Any) -> None:
    # Powers of two, so every bucket's sum tells which invoices it holds.
    for past_due, amount in [(-5, 256), (0, 1), (1, 2), (30, 4), (31, 8), (60, 16)]:
        invoice(str(amount), days_before(200), days_before(past_due))
    for past_due, amount in [(61, 32), (90, 64), (91, 128)]:
        invoice(str(amount), days_before(200), days_before(past_due))
    report = only(ageing_report(scope=EVERYTHING, as_of=AS_OF))
    assert report.ageing == {
        "current": D("257.00"),
        "d1_30": D("6.00"),
        "d31_60": D("24.00"),
        "d61_90": D("96.00"),
        "d90_plus": D("128.00"),
    }
    assert report.total == D("511.00")
    assert report.overdue == D("254.00")


def test_configured_buckets_name_their_keys(invoice: Any) -> None:
    invoice("100", days_before(300), days_before(91))
    invoice("200", days_before(300), days_before(181))
    buckets = ageing_buckets([30, 60, 90, 180])
    report = only(ageing_report(scope=EVERYTHING, as_of=AS_OF, buckets=buckets))
    assert report.ageing == {
        "current": D("0.00"),
        "d1_30": D("0.00"),
        "d31_60": D("0.00"),
        "d61_90": D("0.00"),
        "d91_180": D("100.00"),
        "d180_plus": D("200.00"),
    }


def test_a_usd_invoice_is_never_in_the_cny_totals(invoice: Any) -> None:
    invoice("1000", days_before(40), days_before(10))
    invoice("70", days_before(40), days_before(10), currency="USD")
    totals = portfolio_totals(ageing_report(scope=EVERYTHING, as_of=AS_OF))
    assert totals["CNY"]["d1_30"] == D("1000.00")
    assert totals["CNY"]["total"] == D("1000.00")
    assert totals["USD"]["d1_30"] == D("70.00")
    assert totals["USD"]["total"] == D("70.00")


def test_open_as_of_a_date_counts_only_payments_received_by_then(
    personas: Personas, invoice: Any
) -> None:
    bill = invoice("1000", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    pay(personas, bill, "400", datetime.date(2026, 11, 15))
    pay(personas, bill, "600", datetime.date(2026, 11, 25))
    before = only(ageing_report(scope=EVERYTHING, as_of=datetime.date(2026, 11, 10)))
    assert before.ageing["d1_30"] == D("1000.00")
    between = only(ageing_report(scope=EVERYTHING, as_of=datetime.date(2026, 11, 20)))
    assert between.ageing["d1_30"] == D("600.00")
    assert ageing_report(scope=EVERYTHING, as_of=AS_OF) == []
    # Not yet issued on the day: not a receivable then.
    assert ageing_report(scope=EVERYTHING, as_of=datetime.date(2026, 9, 30)) == []


def test_dso_best_dso_add_cei_dbt_and_payment_index_by_hand(
    personas: Personas, invoice: Any
) -> None:
    # Period: the 90 days after 2026-09-01.
    a = invoice("1000", datetime.date(2026, 8, 1), datetime.date(2026, 8, 31))
    pay(personas, a, "1000", datetime.date(2026, 9, 20))  # 20 days beyond terms
    b = invoice("3000", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    pay(personas, b, "1000", datetime.date(2026, 11, 10))  # 10 days beyond terms
    invoice("2000", datetime.date(2026, 11, 20), datetime.date(2026, 12, 20))
    figures = only(receivable_figures(scope=EVERYTHING, as_of=AS_OF))
    assert figures.ar_begin == D("1000.00")  # a, unpaid on 2026-09-01
    assert figures.sales == D("5000.00")  # b + c
    assert figures.total == D("4000.00")
    assert figures.ageing["current"] == D("2000.00")
    assert figures.ageing["d1_30"] == D("2000.00")
    assert figures.dso == D("72.0")  # 4000 / 5000 × 90
    assert figures.best_dso == D("36.0")  # 2000 / 5000 × 90
    assert figures.average_days_delinquent == D("36.0")
    assert figures.cei == D("50.0")  # (1000 + 5000 − 4000) / (1000 + 5000 − 2000) × 100
    assert figures.weighted_dbt == D("15.0")  # (1000 × 20 + 1000 × 10) / 2000
    assert figures.max_dbt == 20
    # 20 days: 70 − 10 × 5/7 = 62.857…; 10 days: 80 − 10 × 10/15 = 73.333…; mean 68.095…
    assert figures.index == D("68.1")
    assert figures.band == "medium"


def test_payment_behaviour_alone_equals_the_full_figures_behaviour(
    personas: Personas, invoice: Any
) -> None:
    a = invoice("1000", datetime.date(2026, 8, 1), datetime.date(2026, 8, 31))
    pay(personas, a, "1000", datetime.date(2026, 9, 20))
    b = invoice("3000", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), currency="USD")
    pay(personas, b, "1000", datetime.date(2026, 11, 10))
    invoice("2000", datetime.date(2026, 11, 20), datetime.date(2026, 12, 20))  # nothing paid

    def behaviour(rows: list[Any]) -> list[tuple[Any, ...]]:
        return sorted(
            (r.currency, r.paid_amount, r.weighted_dbt, r.max_dbt, r.index, r.band)
            for r in rows
            if r.paid_amount
        )

    alone = payment_behaviour(scope=EVERYTHING, as_of=AS_OF, by="customer")
    assert behaviour(alone) == behaviour(
        receivable_figures(scope=EVERYTHING, as_of=AS_OF, by="customer")
    )
    assert [(r.currency, r.max_dbt, r.index) for r in sorted(alone, key=lambda r: r.currency)] == [
        ("CNY", 20, D("62.9")),
        ("USD", 10, D("73.3")),
    ]


def test_early_payment_scores_above_80_and_lowers_dbt(personas: Personas, invoice: Any) -> None:
    bill = invoice("500", datetime.date(2026, 9, 1), datetime.date(2026, 10, 31))
    pay(personas, bill, "500", datetime.date(2026, 10, 21))  # 10 days early
    figures = only(receivable_figures(scope=EVERYTHING, as_of=AS_OF))
    assert figures.weighted_dbt == D("-10.0")
    assert figures.index == D("85.0")  # between −20 → 90 and 0 → 80
    assert figures.band == "low"
    assert figures.total == D("0.00")


def test_statutory_ageing_counts_whole_years_from_the_invoice_date(invoice: Any) -> None:
    invoice("1", datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
    invoice("2", datetime.date(2025, 11, 30), datetime.date(2025, 12, 30))
    invoice("4", datetime.date(2023, 12, 1), datetime.date(2023, 12, 31))
    invoice("8", datetime.date(2023, 11, 30), datetime.date(2023, 12, 30))
    figures = only(receivable_figures(scope=EVERYTHING, as_of=AS_OF))
    assert figures.statutory == {
        "y0_1": D("1.00"),
        "y1_2": D("2.00"),
        "y2_3": D("4.00"),
        "y3_plus": D("8.00"),
    }


def test_without_sales_dso_and_cei_are_not_given(invoice: Any) -> None:
    invoice("100", datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
    figures = only(receivable_figures(scope=EVERYTHING, as_of=AS_OF))
    assert figures.dso is None
    assert figures.best_dso is None
    assert figures.cei == D("0.0")  # nothing collected of what could have been


def test_figures_are_grouped_per_customer_and_currency(
    personas: Personas, invoice: Any, customer: Customer
) -> None:
    other = CustomerFactory.create(department=personas.other, account_manager=personas.outsider)
    invoice("100", days_before(40), days_before(10))
    invoice("50", days_before(40), days_before(10), currency="USD")
    invoice("300", days_before(40), days_before(10), owner=other)
    rows = ageing_report(scope=EVERYTHING, as_of=AS_OF, by="customer")
    assert [(r.group["customer_id"], r.currency, r.total) for r in rows] == sorted(
        [
            (customer.pk, "CNY", D("100.00")),
            (customer.pk, "USD", D("50.00")),
            (other.pk, "CNY", D("300.00")),
        ]
    )
    by_department = ageing_report(scope=EVERYTHING, as_of=AS_OF, by="department")
    assert {(r.group["customer__department__name"], r.currency) for r in by_department} == {
        ("销售一部", "CNY"),
        ("销售一部", "USD"),
        ("外贸部", "CNY"),
    }


def test_another_departments_user_sees_nothing_of_the_file(
    personas: Personas, invoice: Any
) -> None:
    invoice("100", days_before(40), days_before(10))
    assert ageing_report(scope=receivables_scope(personas.outsider), as_of=AS_OF) == []
    assert receivable_figures(scope=receivables_scope(personas.outsider), as_of=AS_OF) == []
    head = ageing_report(scope=receivables_scope(personas.department_head), as_of=AS_OF)
    assert only(head).total == D("100.00")


def test_the_query_count_does_not_grow_with_the_invoices(
    personas: Personas, invoice: Any, customer: Customer
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            receivable_figures(scope=EVERYTHING, as_of=AS_OF, by="customer")
            ageing_report(scope=EVERYTHING, as_of=AS_OF, by="department")
        return len(queries)

    bill = invoice("100", days_before(40), days_before(10))
    pay(personas, bill, "10", days_before(5))
    few = count()
    for n in range(20):
        more = invoice("100", days_before(40 + n), days_before(10 + n), currency="USD")
        pay(personas, more, "10", days_before(5))
    assert count() == few == 3


def test_the_credit_reports_ageing_keeps_currencies_apart(invoice: Any, customer: Customer) -> None:
    invoice("1000", days_before(40), days_before(10))
    invoice("70", days_before(40), days_before(10), currency="USD")
    document = behaviour_document(file_figures(customer.pk, as_of=AS_OF))
    assert document["ageing"]["CNY"]["d1_30"] == "1000.00"
    assert document["ageing"]["USD"]["d1_30"] == "70.00"
    assert document["ageing"]["USD"]["current"] == "0.00"
    # No payments: no index, in either currency.
    assert document["payment_behaviour"]["USD"]["payment_index"] is None
