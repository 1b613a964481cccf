"""The credit file's edit form in a real browser: saved unchanged it changes nothing, and its
sensitive values stay masked until revealed (an audited reveal) or replaced."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.history.models import FileVersion
from tests.factories import CustomerFactory, DepartmentFactory, IndividualFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = {"en-US": "Save", "zh-CN": "保存"}
REVEAL = {"en-US": "Reveal sensitive values", "zh-CN": "显示敏感信息"}
REPLACE = {"en-US": "Replace", "zh-CN": "替换"}


@pytest.fixture
def files(transactional_db: None) -> dict[str, Customer]:
    sales = DepartmentFactory(code="SALES", name="销售一部")
    manager = UserFactory(
        username="li.na", role="account_manager", department=sales, display_name="李娜"
    )
    person = IndividualFactory(
        name="张伟", department=sales, account_manager=manager, birth_date=None
    )
    # The birth date the ID number gives (the service keeps the two in step).
    person.birth_date = datetime.date(
        int(person.id_number[6:10]), int(person.id_number[10:12]), int(person.id_number[12:14])
    )
    person.phone = "+8613884965969"
    person.save()
    org = CustomerFactory(
        name="北京星辰科技有限公司",
        department=sales,
        account_manager=manager,
        established_on=datetime.date(2023, 1, 20),
        registered_capital=Decimal("50000000.00"),
        business_scope="软件开发\n技术咨询",
        remarks="老客户\n按时付款",
    )
    org.phone = "+8613884965969"
    org.bank_account = "6222021234567890123"
    org.save()
    return {"individual": person, "organization": org}


def _log_in(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "li.na")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    # Signing in opens the home page; the customer list is one link away.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("table.customer-table")).to_be_visible()


def _state(customer: Customer) -> dict[str, object]:
    fresh = Customer.objects.get(pk=customer.pk)
    names = (
        "version",
        "established_on",
        "registered_capital",
        "birth_date",
        "phone",
        "city",
        "business_scope",
        "remarks",
    )
    return {name: getattr(fresh, name) for name in names}


@pytest.mark.parametrize("kind", ["individual", "organization"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_saving_the_edit_form_unchanged_keeps_every_date_and_makes_no_version_or_request(
    files, live_server, page_for, locale, kind
) -> None:
    customer = files[kind]
    before = _state(customer)
    versions = FileVersion.objects.count()
    page = page_for(locale)
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    if kind == "organization":
        # The date shows in its input, as the browser reads it.
        expect(page.locator("#id_established_on")).to_have_value("2023-01-20")
        expect(page.locator("#id_registered_capital")).to_have_value("50000000.00")
    else:
        expect(page.locator("#id_birth_date")).to_be_disabled()  # sealed, kept as it is
    events = AuditEvent.objects.count()

    page.get_by_role("button", name=SAVE[locale]).click()

    expect(page.locator(".file-header")).to_contain_text(customer.name)
    assert _state(customer) == before
    assert not ChangeRequest.objects.exists()
    assert FileVersion.objects.count() == versions
    # The page's own read of the file is all the trail records: no change, no request.
    assert set(AuditEvent.objects.filter(seq__gt=events).values_list("action", flat=True)) <= {
        "view"
    }
    if kind == "organization":
        expect(page.locator("#section")).to_contain_text("2023-01-20")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_phone_is_masked_in_the_form_and_its_reveal_is_recorded(
    files, live_server, page_for, locale
) -> None:
    customer = files["organization"]
    page = page_for(locale)
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    phone = page.locator("#id_phone")
    expect(phone).to_be_disabled()
    expect(phone).to_have_value("")
    expect(phone).to_have_attribute("placeholder", "138****5969")
    assert "13884965969" not in page.content()
    # Something typed before the reveal is still there after it.
    page.fill("#id_city", "天津市")
    assert not AuditEvent.objects.filter(action="reveal").exists()

    page.get_by_role("button", name=REVEAL[locale]).click()

    expect(page.locator("#revealed-note")).to_be_visible()
    expect(phone).to_have_value("+8613884965969")
    expect(page.locator("#id_bank_account")).to_have_value("6222021234567890123")
    expect(page.locator("#id_city")).to_have_value("天津市")
    (event,) = AuditEvent.objects.filter(action="reveal")
    assert event.customer_id == customer.pk
    assert event.after["what"] == "section basic"
    assert "phone" in event.after["fields"]

    # Replacing it is deliberate: the input opens, and what is typed is saved.
    page.locator("#sealed-id_phone").get_by_role("button", name=REPLACE[locale]).click()
    expect(phone).to_be_enabled()
    phone.fill("13700001111")
    page.get_by_role("button", name=SAVE[locale]).click()
    expect(page.locator(".file-header")).to_contain_text(customer.name)
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.phone, fresh.city, fresh.bank_account) == (
        "+8613700001111",
        "天津市",
        "6222021234567890123",
    )
    assert not ChangeRequest.objects.exists()
