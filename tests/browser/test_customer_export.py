"""The customer list's export in a real browser: the buttons fit beside the count on a
desktop and on a phone, follow the filters chosen on the page, and download the list."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import CustomerFactory, DepartmentFactory, IndividualFactory, UserFactory
from tests.factories import resident_id as make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
LABELS = {
    "en-US": ("ID and phone numbers in clear", "Export xlsx", "Export CSV"),
    "zh-CN": ("明文显示身份证号和电话", "导出 xlsx", "导出 CSV"),
}


@pytest.fixture
def people(transactional_db: None, settings: Any) -> dict[str, Any]:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    head = UserFactory(username="wang.fang", role="department_head", department=sales)
    person = IndividualFactory(name="张七", department=sales, account_manager=head)
    person.id_number = make_id(7)
    person.save()
    for n in range(3):
        CustomerFactory(name=f"广州海风{n}号贸易有限公司", department=sales, account_manager=head)
    return {"head": head}


def _log_in(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "wang.fang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_export_controls_fit_and_export_the_filtered_list(
    people: dict[str, Any],
    live_server: Any,
    page_for: Any,
    tmp_path: Path,
    locale: str,
    width: int,
) -> None:
    page = page_for(locale)
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/customers/")
    box_label, xlsx, csv_label = LABELS[locale]
    expect(page.get_by_label(box_label)).to_be_visible()
    expect(page.locator("#export-xlsx")).to_have_text(xlsx)
    expect(page.locator("#export-csv")).to_have_text(csv_label)
    for control in ("#export-reveal", "#export-xlsx", "#export-csv"):
        found = page.locator(control).bounding_box()
        assert found is not None and found["x"] >= 0 and found["x"] + found["width"] <= width
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} > {widths[1]} px"
    # A filter chosen on the page (an htmx swap) is the export's filter.
    if width < 768:
        page.locator("details.filters summary").click()
    page.select_option("select[name=kind]", "individual")
    page.wait_for_selector("#customer-export[action*='kind=individual']")
    page.get_by_label(box_label).check()
    with page.expect_download() as download:
        page.click("#export-csv")
    target = tmp_path / "export.csv"
    download.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["张七"] and rows[1][3] == make_id(7)
