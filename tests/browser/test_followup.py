"""An account manager follows up an overdue invoice in a real browser, in both languages."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credfile.transactions.services import invoice_create
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(transactional_db: None):  # type: ignore[no-untyped-def]
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(username="li.na", role="account_manager", department=sales)
    customer = CustomerFactory(name="北京星辰科技有限公司", department=sales, account_manager=user)
    due = timezone.localdate() - datetime.timedelta(days=12)
    invoice_create(
        actor=user,
        customer=customer,
        fields={
            "number": "FP-2026-001",
            "issue_date": due - datetime.timedelta(days=30),
            "due_date": due,
            "amount": Decimal("8800.00"),
            "currency": "CNY",
        },
    )
    return user


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en-US",
            {
                "nav": "Overdue invoices",
                "kind": "promise",
                "save": "Save",
                "kept": "Promise to pay",
            },
        ),
        ("zh-CN", {"nav": "逾期发票", "kind": "promise", "save": "保存", "kept": "承诺付款"}),
    ],
)
def test_a_promise_is_recorded_from_the_overdue_list(
    manager, live_server, page_for, locale, texts
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(locale)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "li.na")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.click("#nav-overdue")
    expect(page.locator("h1")).to_have_text(texts["nav"])
    row = page.locator("tr[data-invoice]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("12")
    row.get_by_role("link", name="FP-2026-001").click()
    today = timezone.localdate()
    page.select_option("#id_kind", texts["kind"])
    page.fill("#id_promised_on", str(today + datetime.timedelta(days=3)))
    page.fill("#id_promised_amount", "5000")
    page.fill("#id_next_action_on", str(today + datetime.timedelta(days=4)))
    page.get_by_role("button", name=texts["save"]).click()
    expect(page.locator("table.collection-actions tbody tr")).to_contain_text(texts["kept"])
    if os.environ.get("CREDFILE_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/collect-actions-{locale}.png", full_page=True)
    page.click("#nav-overdue")
    expect(page.locator("tr[data-invoice]")).to_contain_text(
        str(today + datetime.timedelta(days=4))
    )
    if os.environ.get("CREDFILE_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/collect-overdue-{locale}.png", full_page=True)
