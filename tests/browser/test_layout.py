"""Pages that hold up: long names, phones (390 px) and the navbar, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from credfile.customers.models import NAME_MAX_LENGTH, Customer
from credfile.reviews.models import ReviewSchedule
from credfile.reviews.services import schedules_refresh
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
# A long unbroken name is the hard case: no space to wrap at.
LONG_NAME = ("北京星辰国际科技发展集团有限公司" * 10)[:NAME_MAX_LENGTH]
LOCALES = ["en-US", "zh-CN"]


@pytest.fixture
def people(transactional_db: None, settings: Any) -> dict[str, Any]:
    # The second factor is tested elsewhere; here it would only stand between login and page.
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    head = UserFactory(
        username="wang.fang", role="department_head", department=sales, display_name="王芳"
    )
    auditor = UserFactory(username="sun.li", role="auditor", department=None, display_name="孙丽")
    long_file = CustomerFactory(name=LONG_NAME, department=sales, account_manager=head)
    for n in range(3):
        CustomerFactory(name=f"广州海风{n}号贸易有限公司", department=sales, account_manager=head)
    schedules_refresh()
    # Every file due, so the queue lists them all.
    ReviewSchedule.objects.update(next_review_on=timezone.localdate())
    return {"head": head, "auditor": auditor, "file": long_file}


def _log_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} > {widths[1]} px"


def _at(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", [1440, 390])
def test_a_long_name_does_not_push_the_customer_list_off_screen(
    people: dict[str, Any], live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    page = page_for(locale)
    _at(page, width)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/customers/")
    link = page.locator("table.customer-table a", has_text=LONG_NAME[:10])
    expect(link).to_be_visible()
    # The whole name is on hover.
    assert link.get_attribute("title") == LONG_NAME
    _no_sideways_scroll(page)
    # Every column stays on the screen: the last cell of the row is within the window.
    row = page.locator("table.customer-table tbody tr").filter(
        has=page.locator(f'a[title="{LONG_NAME}"]')
    )
    box = row.locator("td").last.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width + 1
    table = page.locator("table.customer-table").bounding_box()
    assert table is not None and table["width"] <= width


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", [1440, 390])
def test_a_long_name_does_not_break_the_review_queue(
    people: dict[str, Any], live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    page = page_for(locale)
    _at(page, width)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/reviews/")
    link = page.locator("table.review-queue a", has_text=LONG_NAME[:10])
    expect(link).to_be_visible()
    assert link.get_attribute("title") == LONG_NAME
    _no_sideways_scroll(page)
    table = page.locator("table.review-queue").bounding_box()
    assert table is not None and table["width"] <= width


def test_on_a_phone_the_list_rows_stack_and_the_filters_fold_away(
    people: dict[str, Any], live_server: Any, page_for: Any
) -> None:
    page = page_for("en-US")
    _at(page, 390)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/customers/")
    # The search box is there; the other filters wait behind their summary.
    expect(page.locator("input[name=q]")).to_be_visible()
    expect(page.locator("select[name=kind]")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(page.locator("select[name=kind]")).to_be_visible()
    # A row is a card: its cells are one below the other, each named.
    row = page.locator("table.customer-table tbody tr").first
    code, name = row.locator("td").nth(0), row.locator("td").nth(1)
    code_box, name_box = code.bounding_box(), name.bounding_box()
    assert code_box is not None and name_box is not None
    assert name_box["y"] >= code_box["y"] + code_box["height"] - 1
    assert code.evaluate("td => getComputedStyle(td, '::before').content") == '"Customer code: "'
    _no_sideways_scroll(page)


def test_on_a_wide_screen_the_filters_are_open(
    people: dict[str, Any], live_server: Any, page_for: Any
) -> None:
    page = page_for("en-US")
    _at(page, 1440)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("select[name=kind]")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_file_page_fits_a_phone_with_its_tabs_on_one_row(
    people: dict[str, Any], live_server: Any, page_for: Any, locale: str
) -> None:
    page = page_for(locale)
    _at(page, 390)
    _log_in(page, live_server, "wang.fang")
    customer = Customer.objects.get(name=LONG_NAME)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    tabs = page.locator("#file-tabs .nav-link")
    expect(tabs.first).to_be_visible()
    tops = {round(box["y"]) for box in (t.bounding_box() for t in tabs.all()) if box}
    assert len(tops) == 1, f"the tabs wrap onto {len(tops)} rows"
    _no_sideways_scroll(page)
    # The tab row scrolls within itself instead.
    strip = page.locator("#file-tabs")
    assert strip.evaluate("el => el.scrollWidth > el.clientWidth") is True


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("username", ["wang.fang", "sun.li"])
def test_the_navbar_keeps_to_one_row_at_1280_px(
    people: dict[str, Any], live_server: Any, page_for: Any, locale: str, username: str
) -> None:
    page = page_for(locale)
    _at(page, 1280)
    _log_in(page, live_server, username)
    page.goto(f"{live_server.url}/customers/")
    nav = page.locator("nav.app-nav")
    items = nav.locator(".navbar-brand, .nav-link, .lang-switch, #user-menu")
    tops = set()
    for item in items.all():
        box = item.bounding_box()
        assert box is not None
        tops.add(round(box["y"] + box["height"] / 2))
    assert max(tops) - min(tops) <= 4, f"the navbar wraps: item centres at {sorted(tops)}"
    height = nav.bounding_box()
    assert height is not None and height["height"] < 70
    _no_sideways_scroll(page)


def test_on_a_phone_the_navbar_folds_behind_the_menu_button(
    people: dict[str, Any], live_server: Any, page_for: Any
) -> None:
    page = page_for("zh-CN")
    _at(page, 390)
    _log_in(page, live_server, "sun.li")
    expect(page.locator("nav.app-nav .nav-link").first).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(page.locator("nav.app-nav .nav-link").first).to_be_visible()
    _no_sideways_scroll(page)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("username", ["wang.fang", "sun.li"])
def test_every_page_of_the_navbar_fits_a_phone(
    people: dict[str, Any], live_server: Any, page_for: Any, locale: str, username: str
) -> None:
    page = page_for(locale)
    _at(page, 390)
    _log_in(page, live_server, username)
    links = page.locator("nav.app-nav .nav-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    pages = [href for href in links if href and not href.startswith("/api/")]
    assert len(pages) >= 4
    for href in pages:
        page.goto(f"{live_server.url}{href}")
        widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{href} scrolls sideways: {widths[0]} > {widths[1]} px"
