"""The portfolio summary PDF: its figures are the list pages' (the receivables portfolio, the
customer list, the value × grade matrix), for the departments the reader may see."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.limits.models import OpenOrder
from credfile.ratings.services import rating_decide, rating_propose
from credfile.reports.portfolio import portfolio_summary
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory, UserFactory
from tests.ratings.test_pages import ASSESSED
from tests.ratings.test_services import DAY
from tests.ratings.test_services import company as rated_company  # noqa: F401
from tests.reports.pdf import text_of


def _invoice(customer: Customer, number: str, amount: str, currency: str, due: int) -> None:
    today = timezone.localdate()
    invoice_create(
        actor=customer.account_manager,
        customer=customer,
        fields={
            "number": number,
            "issue_date": today - datetime.timedelta(days=due + 30),
            "due_date": today - datetime.timedelta(days=due),
            "amount": Decimal(amount),
            "currency": currency,
        },
    )


@pytest.fixture
def portfolio(personas: Personas, rated_company: Customer) -> dict[str, Any]:  # noqa: F811
    """Two departments, CNY and USD, invoices current and overdue, an open order, one
    rating in force."""
    sales_a = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    sales_b = IndividualFactory(department=personas.sales, account_manager=personas.colleague)
    export = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    _invoice(sales_a, "S-1", "1000.00", "CNY", -10)
    _invoice(sales_a, "S-2", "250.50", "CNY", 45)
    _invoice(sales_b, "S-3", "99.99", "USD", 100)
    _invoice(export, "E-1", "7000.00", "CNY", 5)
    OpenOrder.objects.create(
        customer=sales_a, reference="SO-1", amount=Decimal("300"), kind="order"
    )
    proposal = rating_propose(
        actor=personas.credit_manager, customer=rated_company, assessed=ASSESSED, as_of=DAY
    )
    checker = UserFactory(username="he.jun", role="credit_manager", department=None)
    rating_decide(actor=checker, rating=proposal, approve=True)
    return {"rating": proposal}


@pytest.mark.parametrize("role", ["credit_manager", "department_head"])
def test_the_figures_are_the_list_pages(
    personas: Personas, portfolio: dict[str, Any], client_for: Any, role: str
) -> None:
    user = getattr(personas, role)
    summary = portfolio_summary(user=user, as_of=timezone.localdate())
    client = client_for(user)
    # Exposure and ageing per currency: the receivables portfolio's totals.
    totals = client.get(reverse("receivables:portfolio")).context["totals"]
    assert set(totals) == set(summary.currencies())
    for currency, amounts in totals.items():
        mine = summary.totals(currency)
        assert mine.open == amounts["total"]
        assert {k: v for k, v in amounts.items() if k != "total"} == mine.ageing
    # Files per department: the customer list filtered by department (its count).
    for row in summary.departments:
        page = client.get(reverse("customers:list"), {"department": row.department_id})
        assert page.context["total"] == row.files
    expected = (
        {personas.sales.pk, personas.other.pk} if role == "credit_manager" else {personas.sales.pk}
    )
    assert {d.department_id for d in summary.departments} == expected
    # Grades: the value × grade matrix's ratings in force.
    matrix = client.get(reverse("ratings:matrix")).context
    by_grade = {grade: sum(n for _v, n, _s in cells) for grade, cells in matrix["rows"]}
    assert {g: n for g, n in by_grade.items() if n} == summary.grade_totals()
    assert matrix["total"] == sum(summary.grade_totals().values()) == 1
    # The open order counts as exposure beside the receivables.
    cny = summary.totals("CNY")
    assert cny.orders == Decimal("300.00") and cny.exposure == cny.open + Decimal("300.00")


def test_the_pdf_shows_the_readers_departments(
    personas: Personas, portfolio: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas.credit_manager, "zh-hans").get(reverse("reports:portfolio"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(b"".join(response.streaming_content))
    assert "销售一部" in text and "外贸部" in text and "USD" in text
    head = client_for(personas.department_head).get(reverse("reports:portfolio"))
    text = text_of(b"".join(head.streaming_content))
    assert "销售一部" in text and "外贸部" not in text
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor_id == personas.department_head.pk
    assert event.after["what"] == "portfolio summary" and event.after["departments"] == 1
    assert client_for(personas.account_manager).get(reverse("reports:portfolio")).status_code == 404


def test_the_command_writes_the_summary(
    personas: Personas, portfolio: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "portfolio.pdf"
    call_command("report", "portfolio", "--as", personas.executive.username, "-o", str(out))
    assert "外贸部" in text_of(out.read_bytes())
    with pytest.raises(CommandError):
        call_command("report", "portfolio", "--as", personas.auditor.username, "-o", str(out))
