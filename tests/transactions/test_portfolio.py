"""The receivables portfolio page and its exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = "2026-11-30"


def bill(actor: Any, customer: Customer, amount: str, due: str, currency: str = "CNY") -> None:
    invoice_create(
        actor=actor,
        customer=customer,
        fields={
            "number": f"I-{customer.pk}-{amount}-{currency}",
            "amount": Decimal(amount),
            "issue_date": datetime.date(2026, 6, 1),
            "due_date": datetime.date.fromisoformat(due),
            "currency": currency,
        },
    )


@pytest.fixture
def book(personas: Personas) -> dict[str, Customer]:
    head = personas.department_head
    small = CustomerFactory.create(
        name="小额逾期有限公司", department=personas.sales, industry="C", category="regular"
    )
    large = CustomerFactory.create(
        name="大额逾期有限公司", department=personas.sales, industry="F", category="regular"
    )
    export_head = UserFactory(username="qian.hu", role="department_head", department=personas.other)
    abroad = CustomerFactory.create(name="海外贸易有限公司", department=personas.other)
    bill(head, small, "100", "2026-11-01")
    bill(head, small, "5000", "2026-12-31")  # large, but not overdue
    bill(head, large, "900", "2026-10-01")
    bill(head, large, "60", "2026-10-01", currency="USD")
    bill(export_head, abroad, "777", "2026-09-01")
    return {"small": small, "large": large, "abroad": abroad}


def page(client: Any, **params: str) -> str:
    response = client.get(reverse("receivables:portfolio"), {"as_of": AS_OF, **params})
    assert response.status_code == 200
    return str(response.content.decode())


def rows(html: str) -> list[str]:
    body = html.split('class="table table-sm mb-0 align-middle portfolio-rows"')[1]
    return [r for r in body.split("</table>")[0].split("<tr>")[2:]]


def test_files_are_sorted_by_overdue_amount_in_one_currency(
    client_for: Any, personas: Personas, book: Any
) -> None:
    html = page(client_for(personas.credit_manager))
    names = [r for r in rows(html)]
    # Overdue: 900, 777, 100 (the small file's 5,000 is not yet due).
    assert "大额逾期" in names[0] and "海外贸易" in names[1] and "小额逾期" in names[2]
    assert "60.00" not in "".join(names)  # the USD invoice is not among the CNY rows
    by_total = rows(page(client_for(personas.credit_manager), sort="total"))
    assert "小额逾期" in by_total[0]
    usd = rows(page(client_for(personas.credit_manager), currency="USD"))
    assert len(usd) == 1 and "60.00 USD" in usd[0]
    totals = html.split("portfolio-totals")[1].split("</table>")[0]
    assert 'data-currency="USD"' in totals and "6,777.00" in totals


def test_the_filters_narrow_the_files(client_for: Any, personas: Personas, book: Any) -> None:
    client = client_for(personas.credit_manager)
    assert len(rows(page(client, industry="F"))) == 1
    assert len(rows(page(client, department=str(personas.other.pk)))) == 1
    assert len(rows(page(client, region="11", category="regular"))) == 3


def test_a_head_sees_only_the_department(client_for: Any, personas: Personas, book: Any) -> None:
    html = page(client_for(personas.department_head))
    assert "海外贸易" not in html and "777.00" not in html  # its amount, not a username
    assert len(rows(html)) == 2


def test_others_find_no_page(client_for: Any, personas: Personas, book: Any) -> None:
    for user in (personas.account_manager, personas.auditor, personas.admin):
        client = client_for(user)
        assert client.get(reverse("receivables:portfolio")).status_code == 404
        export = reverse("receivables:portfolio-export", args=["xlsx"])
        assert client.get(export).status_code == 404


def test_the_page_in_chinese(client_for: Any, personas: Personas, book: Any) -> None:
    html = page(client_for(personas.executive, "zh-hans"))
    assert "应收账款组合" in html and "逾期" in html


def test_pages_are_bounded(client_for: Any, personas: Personas, book: Any) -> None:
    client = client_for(personas.credit_manager)
    response = client.get(reverse("receivables:portfolio"), {"as_of": AS_OF, "page": "9999"})
    assert response.status_code == 200  # an out-of-range page falls back to the first
    html = response.content.decode()
    assert len(rows(html)) == 3
    assert 'value="2026-11-30"' in html  # the other filters hold


def test_the_csv_export_is_audited(client_for: Any, personas: Personas, book: Any) -> None:
    client = client_for(personas.department_head)
    url = reverse("receivables:portfolio-export", args=["csv"])
    response = client.get(url, {"as_of": AS_OF})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Customer code", "Customer", "Currency"]
    assert [line[2] for line in lines[1:]] == ["CNY", "CNY", "USD"] or len(lines) == 4
    assert not any("海外贸易" in line[1] for line in lines[1:])
    event = AuditEvent.objects.filter(action="export", actor=personas.department_head).get()
    assert event.after == {"format": "csv", "filters": {"as_of": AS_OF, "currency": "CNY"}}


def test_the_xlsx_export(client_for: Any, personas: Personas, book: Any) -> None:
    client = client_for(personas.credit_manager)
    url = reverse("receivables:portfolio-export", args=["xlsx"])
    response = client.get(url, {"as_of": AS_OF, "industry": "F"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Customer code", "Customer", "Currency"]
    assert sorted((v[2], v[-1]) for v in values[1:]) == [("CNY", 900), ("USD", 60)]
    assert AuditEvent.objects.filter(action="export", actor=personas.credit_manager).exists()
