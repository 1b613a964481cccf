"""The file's timeline in a real browser: every kind newest first, the kind filter (chips)
narrowing it and "more" bringing the next page, in both languages, on a desktop and a
phone, without the page scrolling sideways."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from credfile.complaints.models import Complaint
from credfile.interactions.models import Note, ServiceRecord
from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-timeline")
LABELS = {
    "en-US": {"note": "Notes", "tab": "File timeline", "more": "More"},
    "zh-CN": {"note": "备注", "tab": "时间线", "more": "更多"},
}


@pytest.fixture
def customer(transactional_db: None, settings: Any) -> Any:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(
        username="wang.fang", role="department_head", department=sales, display_name="王芳"
    )
    customer = CustomerFactory(
        name="北京星辰国际科技发展集团有限公司", department=sales, account_manager=user
    )
    now = timezone.now().replace(microsecond=0)
    for n in range(30):
        ServiceRecord.objects.create(
            customer=customer,
            occurred_at=now - datetime.timedelta(days=n, hours=2),
            content=f"电话回访第{n + 1}次：客户反映对账单格式需要调整，已记录并转财务部处理" * 2,
            handled_by=user,
        )
    for n in range(3):
        Note.objects.create(
            customer=customer,
            dated=timezone.localdate() - datetime.timedelta(days=3 * n + 1),
            subject=f"季度经营会议纪要{n + 1}",
            body="双方确认下一季度的供货计划与付款安排。",
            author=user,
        )
    Complaint.objects.create(
        customer=customer,
        received_at=now - datetime.timedelta(days=2),
        due_at=now + datetime.timedelta(days=1),
        summary="发票金额与合同不符",
        owner=user,
        recorded_by=user,
    )
    return customer


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_timeline_filters_by_kind(
    customer: Any, live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    page: Page = page_for(locale)
    # A busy machine: the server may take a while to answer.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    _at(page, width)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.click("#timeline-tab")
    expect(page.locator("#timeline-filter")).to_be_visible()
    expect(page.locator("#timeline-tab")).to_have_text(LABELS[locale]["tab"])
    entries = page.locator("#timeline-entries li[data-kind]")
    expect(entries).to_have_count(25)
    expect(page.locator('#timeline-entries li[data-kind="complaint"]')).to_have_count(1)
    _no_sideways_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"timeline-{locale}-{width}-all.png"), full_page=False)
    # More: the next page is appended below.
    page.locator("#timeline-more a").click()
    expect(entries).to_have_count(34)
    expect(page.locator("#timeline-more")).to_have_count(0)
    # The filter: notes only.
    page.locator('label[for="timeline-kind-note"]').click()
    expect(page.locator("#timeline-kind-note")).to_be_checked()
    expect(entries).to_have_count(3)
    expect(page.locator('#timeline-entries li[data-kind="service"]')).to_have_count(0)
    assert "kind=note" in page.url
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / f"timeline-{locale}-{width}-notes.png"), full_page=False)
    # Adding complaints to the filter.
    page.locator('label[for="timeline-kind-complaint"]').click()
    expect(entries).to_have_count(4)
    page.click("#timeline-all")
    expect(entries).to_have_count(25)
