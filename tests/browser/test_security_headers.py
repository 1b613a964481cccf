"""The pages, htmx and the API docs work under the Content-Security-Policy, with no violation."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import totp_code
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sales(transactional_db: None):  # type: ignore[no-untyped-def]
    sales = DepartmentFactory(code="SALES", name="销售一部")
    head = UserFactory(username="wang.fang", role="department_head", department=sales)
    CustomerFactory(name="北京星辰科技有限公司", department=sales, account_manager=head)
    CustomerFactory(name="广州海风贸易有限公司", department=sales, account_manager=head)
    return sales


def _watch_csp(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def _log_in(page: Page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")


def test_pages_htmx_and_api_docs_run_without_csp_violations(sales, live_server, page_for) -> None:  # type: ignore[no-untyped-def]
    page = page_for("en-US")
    violations = _watch_csp(page)

    _log_in(page, live_server, "wang.fang")
    expect(page.locator("#panel-approvals")).to_be_visible()  # the home page, with its charts
    response = page.goto(f"{live_server.url}/customers/")
    assert response is not None
    assert "script-src 'self';" in response.headers["content-security-policy"]

    # htmx search narrows the list without a page reload.
    page.fill("input[name=q]", "星辰")
    expect(page.get_by_test_id("result-count")).to_have_text("1 customer")
    expect(page.locator("table.customer-table")).not_to_contain_text("广州海风贸易有限公司")

    # The language switch, now wired up in app.js instead of an inline handler.
    page.select_option(".lang-switch select[name=language]", "zh-hans")
    expect(page.locator("h1")).to_contain_text("客户")

    # Swagger UI starts from its external script and renders the schema.
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("credfile API")
    expect(page.locator(".opblock-tag").first).to_be_visible()

    assert violations == []


def test_an_auditor_enrols_the_second_factor_in_the_browser(live_server, page_for) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="sun.li", role="auditor", department=None)
    page = page_for("zh-CN")
    violations = _watch_csp(page)

    _log_in(page, live_server, "sun.li")
    expect(page.locator("h1")).to_have_text("设置双重身份验证")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="sun.li", confirmed=False)
    page.fill("#id_otp_token", totp_code(device))
    page.get_by_role("button", name="确认").click()

    expect(page.locator("h1")).to_contain_text("首页")
    assert violations == []
