"""A credit manager's first minutes with credfile, in a real browser, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credfile.customers.models import Customer
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory, resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def head(transactional_db: None):  # type: ignore[no-untyped-def]
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(
        username="wang.fang", role="department_head", department=sales, display_name="王芳"
    )
    CustomerFactory(name="北京星辰科技有限公司", department=sales, account_manager=user)
    CustomerFactory(name="广州海风贸易有限公司", department=sales, account_manager=user)
    return user


def _log_in(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "wang.fang")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    # Signing in opens the home page; the customer list is one link away.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/customers/")


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en-US",
            {
                "new": "New customer",
                "save": "Save",
                "bad_id": "The check digit of this ID number is wrong.",
                "count": "1 customer",
            },
        ),
        (
            "zh-CN",
            {
                "new": "新建客户",
                "save": "保存",
                "bad_id": "身份证号码的校验码不正确。",
                "count": "1 位客户",
            },
        ),
    ],
)
def test_a_user_logs_in_creates_a_customer_and_finds_it(
    head, live_server, page_for, locale, texts
) -> None:
    page = page_for(locale)
    _log_in(page, live_server)
    expect(page.locator("table.customer-table")).to_contain_text("北京星辰科技有限公司")

    # Search by part of the name narrows the list without a page reload (htmx).
    page.fill("input[name=q]", "星辰")
    expect(page.get_by_test_id("result-count")).to_have_text(texts["count"])
    expect(page.locator("table.customer-table")).not_to_contain_text("广州海风贸易有限公司")

    # A wrong check digit is refused next to the field, in the user's language.
    page.get_by_role("link", name=texts["new"]).click()
    page.locator("label[for=id_kind_0]").click()
    page.fill("#id_name", "张伟")
    page.fill("#id_id_number", "110105194912310021")
    page.get_by_role("button", name=texts["save"]).click()
    expect(page.locator("#id_id_number_error")).to_have_text(texts["bad_id"])
    assert not Customer.objects.filter(name="张伟").exists()

    # Corrected, the file opens and can be found by its exact ID number.
    good_id = resident_id(42)
    page.fill("#id_id_number", good_id)
    page.fill("#id_phone", "13812345678")
    page.get_by_role("button", name=texts["save"]).click()
    expect(page.locator("h1")).to_contain_text("张伟")
    page.goto(f"{live_server.url}/customers/?q={good_id}")
    expect(page.get_by_test_id("result-count")).to_have_text(texts["count"])
    page.get_by_role("link", name="张伟").click()
    expect(page.locator(".file-header")).to_contain_text("张伟")
    assert Customer.objects.get(name="张伟").id_number == good_id
