"""The file's complaint figures in its header and its complaints tab, in a real browser, in
both languages, on a desktop and a phone, without the page scrolling sideways."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credfile.complaints.services import complaint_create
from credfile.customers.models import Customer
from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CREDFILE_SHOTS")
TEXT = {
    "en-US": ("Open complaints", "1 overdue", "2 received in 12 months"),
    "zh-CN": ("未结投诉", "1 件逾期", "近 12 个月收到 2 件"),
}


@pytest.fixture
def manager(transactional_db: None, settings: Any) -> Any:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(
        username="li.na", role="account_manager", department=sales, display_name="李娜"
    )
    customer = CustomerFactory(
        name="北京星辰国际科技发展集团有限公司", department=sales, account_manager=user
    )
    now = timezone.now()
    for hours, severity in ((10, "critical"), (1, "low")):
        complaint_create(
            actor=user,
            customer=customer,
            fields={
                "received_at": now - datetime.timedelta(hours=hours),
                "severity": severity,
                "summary": "发票金额与合同不符",
            },
        )
    return user


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_header_and_the_tab_show_the_complaint_figures(
    manager: Any, live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    label, overdue, received = TEXT[locale]
    page = page_for(locale)
    _at(page, width)
    _log_in(page, live_server, "li.na")
    customer = Customer.objects.get(account_manager=manager)
    page.goto(f"{live_server.url}/customers/{customer.pk}/complaints/")
    header = page.locator("#header-complaints")
    expect(header).to_be_visible()
    expect(header).to_contain_text(label)
    expect(header).to_contain_text("2")
    expect(header).to_contain_text(overdue)
    expect(page.locator("#complaint-figures")).to_contain_text(received)
    expect(page.locator("#complaint-figures-overdue")).to_have_text(overdue)
    _no_sideways_scroll(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/figures-{locale}-{width}.png", full_page=True)
