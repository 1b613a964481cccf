"""The home pages of the account manager and the credit manager in a real browser, in both
languages, on a desktop and a phone: the panels show their figures and charts, link to their
lists, and the page does not scroll sideways."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll
from tests.factories import DepartmentFactory, UserFactory
from tests.home.test_home import book  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CREDFILE_TEST_ARTIFACTS", "test-artifacts")) / "home"
TEXTS = {
    "en-US": {
        "title": "Home",
        "followups": "Overdue follow-ups",
        "portfolio": "Exposure and ageing by department",
        "grades": "Grade distribution",
        "overdue": "Overdue",
    },
    "zh-CN": {
        "title": "首页",
        "followups": "逾期催收",
        "portfolio": "各部门的敞口与账龄",
        "grades": "信用等级分布",
        "overdue": "逾期",
    },
}


@pytest.fixture
def personas(transactional_db: None) -> Any:
    """The people of tests/conftest.py's personas, made in a transactional database."""
    from tests.conftest import Personas

    sales = DepartmentFactory(code="SALES", name="销售一部")
    other = DepartmentFactory(code="EXPORT", name="外贸部")
    return Personas(
        sales=sales,
        other=other,
        account_manager=UserFactory(username="li.na", role="account_manager", department=sales),
        colleague=UserFactory(username="zhao.lei", role="account_manager", department=sales),
        department_head=UserFactory(username="wang.fang", role="department_head", department=sales),
        credit_manager=UserFactory(username="chen.jie", role="credit_manager", department=None),
        executive=UserFactory(username="liu.yang", role="executive", department=None),
        auditor=UserFactory(username="sun.li", role="auditor", department=None),
        admin=UserFactory(username="admin", role="admin", department=None, is_staff=True),
        outsider=UserFactory(username="zhou.min", role="account_manager", department=other),
    )


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_account_managers_home_page(
    book: Any,  # noqa: F811
    live_server: Any,
    page_for: Any,
    locale: str,
    width: int,
) -> None:
    page = page_for(locale)
    page.set_default_timeout(60_000)  # a busy machine answers slowly, not wrongly
    _at(page, width)
    _log_in(page, live_server, "li.na")
    # Signing in opens the home page.
    expect(page.locator("h1")).to_have_text(TEXTS[locale]["title"])
    panel = page.locator("#panel-followups")
    expect(panel.locator("h2")).to_have_text(TEXTS[locale]["followups"])
    expect(panel.locator('[data-figure="total"] .fs-4')).to_have_text("2")
    expect(page.locator("#panel-complaints [data-complaint]")).to_have_count(1)
    expect(page.locator("#panel-by_department")).to_have_count(0)
    _no_sideways_scroll(page)
    _shot(page, f"manager-{locale}-{width}")
    # The panel's link opens the list it summarises.
    panel.locator("a.panel-link").click()
    expect(page.locator("h1")).to_contain_text(TEXTS[locale]["overdue"])
    expect(page.locator("tr[data-invoice]")).to_have_count(2)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_credit_managers_home_page(
    book: Any,  # noqa: F811
    live_server: Any,
    page_for: Any,
    locale: str,
    width: int,
) -> None:
    page = page_for(locale)
    page.set_default_timeout(60_000)  # a busy machine answers slowly, not wrongly
    _at(page, width)
    _log_in(page, live_server, "chen.jie")
    expect(page.locator("h1")).to_have_text(TEXTS[locale]["title"])
    departments = page.locator("#panel-by_department")
    expect(departments.locator("h2")).to_have_text(TEXTS[locale]["portfolio"])
    cny = departments.locator('[data-currency="CNY"]').first
    expect(cny.locator('[data-figure="exposure"]').first).to_have_text("3,800.00")
    # Every bar says its figures to a screen reader.
    bar = cny.locator("svg.home-bar").first
    assert "3,500.00" in (bar.get_attribute("aria-label") or "")
    grades = page.locator("#panel-grades")
    expect(grades.locator("h2")).to_have_text(TEXTS[locale]["grades"])
    expect(grades.locator("svg[role=img] title")).to_contain_text("A 2")
    expect(page.locator('#panel-value_matrix [data-cell="A-B"]')).to_have_text("1")
    expect(page.locator("#panel-limits_expiring [data-limit]")).to_have_count(2)
    _no_sideways_scroll(page)
    _shot(page, f"credit-{locale}-{width}")
    page.locator("#panel-grades a.panel-link").click()
    expect(page.locator("#value-matrix")).to_be_visible()
