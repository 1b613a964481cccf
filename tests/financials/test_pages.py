"""The financials section of a company's file: the trend table, its chart, and the form."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from credfile.customers.models import Customer
from credfile.financials.models import FinancialStatement
from credfile.financials.services import financial_statement_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def lines(year: int, **extra: Any) -> dict[str, Any]:
    small = year == 2023
    return {
        "period_type": "annual",
        "period_end": datetime.date(year, 12, 31),
        "cash": Decimal("500000" if small else "1200000"),
        "accounts_receivable": Decimal("1000000" if small else "1400000"),
        "inventory": Decimal("600000" if small else "800000"),
        "current_assets": Decimal("2500000" if small else "4000000"),
        "total_assets": Decimal("8000000" if small else "10000000"),
        "current_liabilities": Decimal("2000000" if small else "2500000"),
        "total_liabilities": Decimal("5000000" if small else "6000000"),
        "equity": Decimal("3000000" if small else "4000000"),
        "revenue": Decimal("10000000" if small else "15000000"),
        "net_profit": Decimal("600000" if small else "900000"),
        **extra,
    }


@pytest.fixture
def company(personas: Personas) -> Customer:
    customer = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    for year in (2023, 2024):
        financial_statement_create(
            actor=personas.account_manager, customer=customer, fields=lines(year)
        )
    return customer


def trend_html(html: str) -> str:
    found = re.search(r'<div class="card mt-3 financial-trend".*?</svg>', html, re.S)
    assert found, "no trend with a chart on the page"
    return found.group(0)


def row(html: str, label: str) -> list[str]:
    """The cells of the row labelled `label`, as text (value, then reason or note)."""
    found = re.search(rf">{re.escape(label)}</th>(.*?)</tr>", html, re.S)
    assert found, label
    cells = re.findall(r"<td>(.*?)</td>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_the_trend_table_shows_ratios_and_growth_in_english(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    page = client_for(personas.account_manager).get(
        reverse("customers:section", args=[company.pk, "financials"])
    )
    assert page.status_code == 200
    html = trend_html(page.content.decode())
    assert "Ratios and growth — Annual" in html
    assert row(html, "Debt ratio") == ["62.5 %", "60.0 %"]
    assert row(html, "Quick ratio") == ["0.95", "1.28"]
    assert row(html, "Working capital") == ["500,000.00 CNY", "1,500,000.00 CNY"]
    assert row(html, "Revenue growth") == [
        "— no statement for the previous period",
        "50.0 %",
    ]
    assert row(html, "Interest cover") == [
        "— Interest expense not recorded",
        "— Interest expense not recorded",
    ]
    assert row(html, "Return on equity") == [
        "20.0 % on the closing balance: no opening balance",
        "25.7 %",
    ]
    assert '<title id="chart-annual-title">Annual ratios over time</title>' in html
    assert "Debt ratio, Net margin, Return on equity from 2023-12-31 to 2024-12-31" in html


def test_the_trend_table_is_in_chinese_for_a_chinese_user(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    page = client_for(personas.account_manager, language="zh-hans").get(
        reverse("customers:section", args=[company.pk, "financials"])
    )
    html = trend_html(page.content.decode())
    assert "比率与增长 — 年度" in html
    assert row(html, "资产负债率") == ["62.5 %", "60.0 %"]
    assert row(html, "营运资本") == ["500,000.00 CNY", "1,500,000.00 CNY"]
    assert row(html, "营业收入增长率") == ["— 无上一期报表", "50.0 %"]
    assert "年度比率趋势" in html


def test_one_period_has_a_table_and_no_chart(personas: Personas, client_for: Any) -> None:
    customer = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    financial_statement_create(
        actor=personas.account_manager, customer=customer, fields=lines(2024)
    )
    html = (
        client_for(personas.account_manager)
        .get(reverse("customers:section", args=[customer.pk, "financials"]))
        .content.decode()
    )
    assert "Ratios and growth — Annual" in html
    assert '<svg class="trend-chart' not in html


def test_the_form_shows_the_balance_error_and_saves_nothing(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    data = {
        "period_type": "quarter",
        "period_end": "2025-03-31",
        "currency": "CNY",
        "total_assets": "1000",
        "total_liabilities": "600",
        "equity": "398.99",
        "revenue": "50",
        "net_profit": "1",
    }
    response = client_for(personas.account_manager).post(
        reverse("customers:add", args=[company.pk, "financial_statement"]),
        {f"financial_statement-{k}": v for k, v in data.items()},
    )
    assert response.status_code == 422
    assert (
        "Quarter statement 2025-03-31 does not balance: total assets 1,000.00 CNY, total "
        "liabilities plus owners&#x27; equity 998.99 CNY, a difference of 1.01 CNY"
    ) in response.content.decode()
    assert FinancialStatement.objects.filter(customer=company).count() == 2

    data["equity"] = "399.00"  # exactly at the tolerance
    response = client_for(personas.account_manager).post(
        reverse("customers:add", args=[company.pk, "financial_statement"]),
        {f"financial_statement-{k}": v for k, v in data.items()},
    )
    assert response.status_code == 302
    assert FinancialStatement.objects.filter(customer=company).count() == 3
