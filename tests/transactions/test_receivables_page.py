"""The receivables figures, history chart and days late in the file's transactions section."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.customers.models import Customer
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(personas: Personas) -> Customer:
    customer = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    today = timezone.localdate()
    head = personas.department_head

    def bill(number: str, amount: str, days_ago: int, currency: str = "CNY") -> Any:
        issued = today - datetime.timedelta(days=days_ago)
        return invoice_create(
            actor=head,
            customer=customer,
            fields={
                "number": number,
                "amount": Decimal(amount),
                "issue_date": issued,
                "due_date": issued + datetime.timedelta(days=30),
                "currency": currency,
            },
        )

    paid = bill("CN-PAID", "500", 80)
    payment_create(
        actor=head,
        customer=customer,
        fields={"received_on": paid.due_date + datetime.timedelta(days=12), "amount": Decimal(500)},
        allocations=[(paid.pk, Decimal("500"))],
    )
    bill("CN-OPEN", "1234", 45)  # 15 days past due
    bill("US-OPEN", "777", 10, currency="USD")  # not yet due
    return customer


def section(client: Any, customer: Customer) -> str:
    page = client.get(reverse("customers:section", args=[customer.pk, "transactions"]))
    assert page.status_code == 200
    return str(page.content.decode())


def test_the_figures_are_per_currency(client_for: Any, personas: Personas, customer: Any) -> None:
    html = section(client_for(personas.account_manager), customer)
    assert "Receivables and payment behaviour" in html
    ageing = html.split('class="table table-sm mb-0 align-middle receivables-ageing"')[1]
    ageing = ageing.split("</table>")[0]
    cny = ageing.split('data-currency="CNY"')[1].split("</tr>")[0]
    usd = ageing.split('data-currency="USD"')[1].split("</tr>")[0]
    assert "1,234.00 CNY" in cny and "777" not in cny
    assert "777.00 USD" in usd and "1,234" not in usd
    # The paid invoice: 12 days beyond terms, in the days-late column.
    assert '<td class="text-end days-late"><span class="text-danger">12</span></td>' in html
    assert "Payment index" in html
    assert "Last 24 months in CNY" in html and "Last 24 months in USD" in html
    assert html.count("<svg viewBox") >= 2


def test_the_section_in_chinese(client_for: Any, personas: Personas, customer: Any) -> None:
    html = section(client_for(personas.account_manager, "zh-hans"), customer)
    assert "应收账款与付款表现" in html
    assert "付款指数" in html
    assert "最近 24 个月（CNY）" in html


def test_another_departments_user_sees_none_of_it(
    client_for: Any, personas: Personas, customer: Any
) -> None:
    page = client_for(personas.outsider).get(
        reverse("customers:section", args=[customer.pk, "transactions"])
    )
    assert page.status_code == 404
    assert "1,234.00" not in page.content.decode()


def test_the_section_costs_the_same_queries_for_more_invoices(
    client_for: Any, personas: Personas, customer: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.account_manager)
    with CaptureQueriesContext(connection) as few:
        section(client, customer)
    today = timezone.localdate()
    for n in range(15):
        invoice_create(
            actor=personas.department_head,
            customer=customer,
            fields={"number": f"MORE-{n}", "amount": Decimal(10), "issue_date": today},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        section(client, customer)


def _cells(html: str, table: str, currency: str) -> dict[str, str]:
    """The text of a figures row's cells by class (dbt, payment-index), in one table."""
    part = html.split(table, 1)[1].split("</table>")[0]
    row = part.split(f'data-currency="{currency}"', 1)[1].split("</tr>")[0]
    found = {}
    for name in ("dbt", "payment-index"):
        match = re.search(rf'class="[^"]*\b{name}">\s*([-\d.]+|—)', row)
        assert match, (name, row)
        found[name] = match.group(1)
    return found


def test_the_credit_report_shows_the_file_pages_figures_for_partial_late_and_early_payments(
    client_for: Any, personas: Personas
) -> None:
    customer = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    today = timezone.localdate()
    head = personas.department_head

    def day(n: int) -> datetime.date:
        return today + datetime.timedelta(days=n)

    def bill(number: str, amount: str, due: datetime.date, currency: str = "CNY") -> Any:
        return invoice_create(
            actor=head,
            customer=customer,
            fields={
                "number": number,
                "amount": Decimal(amount),
                "issue_date": due - datetime.timedelta(days=30),
                "due_date": due,
                "currency": currency,
            },
        )

    def pay(invoice: Any, amount: str, received: datetime.date) -> None:
        payment_create(
            actor=head,
            customer=customer,
            fields={
                "received_on": received,
                "amount": Decimal(amount),
                "currency": invoice.currency,
            },
            allocations=[(invoice.pk, Decimal(amount))],
        )

    late = bill("CN-LATE", "1000", day(-60))
    pay(late, "400", day(-50))  # part of it 10 days late
    pay(late, "600", day(-30))  # the rest 30 days late
    early = bill("CN-EARLY", "500", day(-20))
    pay(early, "500", day(-30))  # 10 days early
    partial = bill("CN-PART", "800", day(-5))
    pay(partial, "300", day(-7))  # 2 days early, 500 still open and 5 days past due
    dollars = bill("US-PART", "200", day(10), currency="USD")
    pay(dollars, "50", day(-5))  # 15 days early, 150 not yet due

    page = section(client_for(personas.credit_manager), customer)
    report = client_for(personas.credit_manager).get(reverse("consent:report", args=[customer.pk]))
    assert report.status_code == 200
    text = report.content.decode()
    for currency in ("CNY", "USD"):
        assert _cells(page, "receivables-figures", currency) == _cells(
            text, 'id="payment-index"', currency
        )
    # Per payment, weighted by amount: (400 × 10 + 600 × 30 − 500 × 10 − 300 × 2) / 1800;
    # index (400 × 73.33 + 600 × 50 + 500 × 85 + 300 × 81) / 1800. Counting only invoices
    # paid in full (30 and −10 days) would give 16.7 and 61.7.
    assert _cells(text, 'id="payment-index"', "CNY") == {"dbt": "9.1", "payment-index": "70.1"}
    assert _cells(text, 'id="payment-index"', "USD") == {"dbt": "-15.0", "payment-index": "87.5"}
    assert '<td class="max-dbt">30</td>' in text
    ageing = text.split('id="ageing"')[1].split("</table>")[0]
    assert re.search(r'data-currency="CNY" data-bucket="d1_30">.*?500\.00 CNY', ageing)
    assert re.search(r'data-currency="USD" data-bucket="current">.*?150\.00 USD', ageing)
    # The paid invoice's own days beyond terms in the invoice list: weighted as well.
    assert '<td class="text-end days-late"><span class="text-danger">22</span></td>' in page

    api = APIClient()
    api.force_authenticate(personas.credit_manager)
    body = api.get(f"/api/v1/customers/{customer.pk}/credit-report/").json()
    assert body["payment_behaviour"]["CNY"] == {
        "payment_index": "70.1",
        "risk_band": "medium",
        "paid_amount": "1800.00",
        "weighted_days_beyond_terms": "9.1",
        "max_days_beyond_terms": 30,
    }
    assert body["ageing"]["CNY"]["d1_30"] == "500.00"
