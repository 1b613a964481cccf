"""An account manager imports invoices on the page in a real browser: the check runs in the
background with its progress, then the import, in both languages."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from credfile.transactions.models import Invoice
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory
from tests.imports.helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["invoice_no", "customer", "invoice_date", "due_date", "amount", "currency"]


@pytest.fixture
def invoices_file(transactional_db: None, tmp_path: Path) -> Path:
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(username="li.na", role="account_manager", department=sales)
    customer = CustomerFactory(
        name="北京星辰科技有限公司", department=sales, account_manager=user, external_code="K-1"
    )
    start = datetime.date(2026, 1, 1)
    rows = [
        [
            f"FP-{n:05d}",
            customer.code,
            str(start + datetime.timedelta(days=n % 300)),
            "",
            f"{100 + n}.50",
            "CNY" if n % 3 else "USD",
        ]
        for n in range(2400)
    ]
    path = tmp_path / "发票.csv"
    path.write_bytes(csv_bytes(rows, HEADERS))
    return path


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en-US",
            {
                "kind": "invoices",
                "checked": "2400 rows checked without a problem",
                "import": "Import",
                "done": "Imported: 2400 new records",
            },
        ),
        (
            "zh-CN",
            {
                "kind": "invoices",
                "checked": "已检查 2400 行，没有问题",
                "import": "导入",
                "done": "已导入：新建 2400 条记录",
            },
        ),
    ],
)
def test_invoices_are_checked_then_imported_with_progress(
    invoices_file, live_server, page_for, locale, texts
) -> None:  # type: ignore[no-untyped-def]
    page = page_for(locale)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "li.na")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", texts["kind"])
    page.set_input_files("#id_file", str(invoices_file))
    page.locator("#import-upload button[type=submit]").click()
    # The run's page: a progress bar while it runs, then the report in place of it.
    expect(page.locator("#import-run")).to_be_visible()
    expect(page.locator("#import-report")).to_contain_text(texts["checked"], timeout=60_000)
    expect(page.locator("#import-preview tbody tr")).to_have_count(10)
    if os.environ.get("CREDFILE_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/import-checked-{locale}.png", full_page=True)
    assert Invoice.objects.count() == 0
    page.locator("#import-confirm button").click()
    expect(page.locator("#import-done")).to_contain_text(texts["done"], timeout=60_000)
    assert Invoice.objects.count() == 2400
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
