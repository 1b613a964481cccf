"""A complaint from receipt to closing in a real browser, in both languages, on a desktop
and a phone, without the page scrolling sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from credfile.complaints.models import Complaint
from credfile.customers.models import Customer
from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALES = ["en-US", "zh-CN"]
# What the status badge reads after each step, per language.
STATUS = {
    "en-US": {
        "new": "New",
        "acknowledged": "Acknowledged",
        "resolved": "Resolved",
        "closed": "Closed",
    },
    "zh-CN": {"new": "新建", "acknowledged": "已受理", "resolved": "已解决", "closed": "已关闭"},
}


@pytest.fixture
def head(transactional_db: None, settings: Any) -> Any:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(
        username="wang.fang", role="department_head", department=sales, display_name="王芳"
    )
    CustomerFactory(
        name="北京星辰国际科技发展集团有限公司" * 4, department=sales, account_manager=user
    )
    return user


def _step(page: Page, to: str, fields: dict[str, str]) -> None:
    # A step refused comes back with its form open.
    details = page.locator(f'details:has(summary[data-to="{to}"])')
    if details.get_attribute("open") is None:
        page.locator(f'summary[data-to="{to}"]').click()
    for name, value in fields.items():
        page.fill(f"#id_{to}-{name}", value)
    page.click(f"#go-{to}")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", [1440, 390])
def test_a_complaint_goes_from_receipt_to_closing(
    head: Any, live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    page = page_for(locale)
    _at(page, width)
    _log_in(page, live_server, "wang.fang")
    customer = Customer.objects.get(account_manager=head)
    page.goto(f"{live_server.url}/customers/{customer.pk}/complaints/")
    _no_sideways_scroll(page)
    # Receiving: the form of the file's complaints section.
    page.locator("details.record-form summary").click()
    received = timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S")
    page.fill("#id_complaint-received_at", received)
    page.select_option("#id_complaint-severity", "high")
    page.select_option("#id_complaint-category", "billing")
    page.fill("#id_complaint-summary", "发票金额与合同不符，要求更正")
    page.fill("#id_complaint-details", "客户来电称三月发票多开了一万元。")
    page.locator("details.record-form button[type=submit]").click()
    row = page.locator("tr[data-complaint]")
    expect(row).to_contain_text("发票金额与合同不符")
    expect(row).to_contain_text(STATUS[locale]["new"])
    _no_sideways_scroll(page)
    row.locator("a").click()
    expect(page.locator("#complaint-status")).to_have_text(STATUS[locale]["new"])
    _no_sideways_scroll(page)
    # Acknowledging, resolving, then closing with the customer's confirmation.
    _step(page, "acknowledged", {"note": "已电话联系客户"})
    expect(page.locator("#complaint-status")).to_have_text(STATUS[locale]["acknowledged"])
    _step(page, "resolved", {"resolution": ""})
    expect(page.locator(".invalid-feedback")).to_be_visible()
    _no_sideways_scroll(page)
    _step(page, "resolved", {"resolution": "已作废原发票并重开"})
    expect(page.locator("#complaint-status")).to_have_text(STATUS[locale]["resolved"])
    _step(page, "closed", {"confirmation": "客户书面确认无异议"})
    expect(page.locator("#complaint-status")).to_have_text(STATUS[locale]["closed"])
    expect(page.locator("#complaint-timeline li")).to_have_count(4)
    expect(page.locator("#complaint-resolution")).to_have_text("已作废原发票并重开")
    _no_sideways_scroll(page)
    complaint = Complaint.objects.get()
    assert complaint.status == "closed" and complaint.confirmation_note == "客户书面确认无异议"
    assert complaint.acknowledged_at and complaint.resolved_at and complaint.closed_at
