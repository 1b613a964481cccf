"""The financials section's trend table and chart in a real browser, on a phone too."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from credfile.financials.services import financial_statement_create
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def company(transactional_db: None, settings: Any) -> Any:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    head = UserFactory(username="wang.fang", role="department_head", department=sales)
    customer = CustomerFactory(department=sales, account_manager=head)
    for year, equity in ((2022, "3000000"), (2023, "3500000"), (2024, "4000000")):
        financial_statement_create(
            actor=head,
            customer=customer,
            fields={
                "period_type": "annual",
                "period_end": datetime.date(year, 12, 31),
                "current_assets": Decimal("4000000"),
                "current_liabilities": Decimal("2500000"),
                "total_assets": Decimal("10000000"),
                "total_liabilities": Decimal("10000000") - Decimal(equity),
                "equity": Decimal(equity),
                "revenue": Decimal("15000000"),
                "net_profit": Decimal("900000"),
            },
        )
    return customer


@pytest.mark.parametrize(
    ("locale", "title", "row"),
    [("en-US", "Annual ratios over time", "Debt ratio"), ("zh-CN", "年度比率趋势", "资产负债率")],
)
def test_the_trend_chart_is_named_and_fits_a_phone(
    company: Any, live_server: Any, page_for: Any, locale: str, title: str, row: str
) -> None:
    page = page_for(locale)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "wang.fang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/customers/{company.pk}/financials/")

    chart = page.get_by_role("img", name=title)
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    debt = page.locator(".trend-table tr", has=page.get_by_role("rowheader", name=row))
    expect(debt).to_contain_text("70.0 %")  # 7,000,000 / 10,000,000 in 2022
    expect(debt).to_contain_text("60.0 %")
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} > {widths[1]} px"
