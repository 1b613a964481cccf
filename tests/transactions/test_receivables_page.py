"""The receivables figures, history chart and days late in the file's transactions section."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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
