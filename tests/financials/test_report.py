"""The credit report takes its ratios from the full ratio set of the latest statement."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from credfile.financials.report import latest_ratios
from credfile.financials.services import financial_statement_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def lines(period_end: datetime.date, period_type: str = "annual", **extra: Any) -> dict[str, Any]:
    return {
        "period_type": period_type,
        "period_end": period_end,
        "current_assets": Decimal("4000000"),
        "inventory": Decimal("800000"),
        "current_liabilities": Decimal("2500000"),
        "total_assets": Decimal("10000000"),
        "total_liabilities": Decimal("6000000"),
        "equity": Decimal("4000000"),
        "revenue": Decimal("15000000"),
        "net_profit": Decimal("900000"),
        "interest_expense": Decimal("300000"),
        "profit_before_tax": Decimal("1200000"),
        **extra,
    }


@pytest.fixture
def company(personas: Personas) -> Any:
    customer = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    add = lambda **f: financial_statement_create(  # noqa: E731 - a local shorthand
        actor=personas.account_manager, customer=customer, fields=lines(**f)
    )
    add(
        period_end=datetime.date(2023, 12, 31),
        equity=Decimal("3000000"),
        total_liabilities=Decimal("7000000"),
        revenue=Decimal("10000000"),
    )
    add(period_end=datetime.date(2024, 12, 31))
    return customer


def test_the_latest_statement_gives_the_full_ratio_set(company: Any) -> None:
    ratios = latest_ratios(company)
    assert ratios is not None
    assert ratios.period_end == datetime.date(2024, 12, 31)
    assert ratios.debt_ratio == Decimal("0.6000")  # 6,000,000 / 10,000,000
    assert ratios.quick_ratio == Decimal("1.2800")  # (4,000,000 − 800,000) / 2,500,000
    assert ratios.interest_cover == Decimal("5.0000")  # 1,500,000 / 300,000
    assert ratios.return_on_equity == Decimal("0.2571")  # 900,000 / 3,500,000
    assert ratios.revenue_growth == Decimal("0.5000")  # (15 − 10) / 10
    assert ratios.working_capital == Decimal("1500000.00")
    assert ratios.cash_ratio is None  # no cash line recorded


def test_the_latest_quarter_is_compared_with_quarters_only(
    personas: Personas, company: Any
) -> None:
    financial_statement_create(
        actor=personas.account_manager,
        customer=company,
        fields=lines(datetime.date(2025, 3, 31), "quarter", revenue=Decimal("4000000")),
    )
    ratios = latest_ratios(company)
    assert ratios is not None
    assert ratios.period_end == datetime.date(2025, 3, 31)
    assert ratios.revenue_growth is None
    assert ratios.return_on_equity == Decimal("0.2250")  # on the closing 4,000,000


def test_the_credit_report_page_shows_the_ratios(
    personas: Personas, company: Any, client_for: Any
) -> None:
    page = client_for(personas.credit_manager).get(reverse("consent:report", args=[company.pk]))
    assert page.status_code == 200
    assert page.context["ratios"].debt_ratio == Decimal("0.6000")
    html = page.content.decode()
    assert "Financial ratios — 2024-12-31" in html
    assert '<td class="text-start">Debt ratio</td><td>60.0 %</td>' in html
    assert '<td class="text-start">Working capital</td><td>1,500,000.00 CNY</td>' in html
    assert (
        '<td class="text-start">Cash ratio</td><td>—<div class="small text-body-secondary">'
        "Cash and equivalents not recorded</div></td>"
    ) in html
    assert '<td class="text-start">Revenue growth</td><td>50.0 %</td>' in html


def test_the_credit_report_page_is_in_chinese_for_a_chinese_user(
    personas: Personas, company: Any, client_for: Any
) -> None:
    page = client_for(personas.credit_manager, language="zh-hans").get(
        reverse("consent:report", args=[company.pk])
    )
    html = page.content.decode()
    assert '<td class="text-start">资产负债率</td><td>60.0 %</td>' in html
    assert "未录入货币资金" in html
