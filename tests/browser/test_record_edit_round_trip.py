"""Every record's edit form, opened in a real browser in both languages and saved as it
is, changes nothing: no change request, no new version, no audit write."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from credfile.history.models import FileVersion
from tests import records
from tests.factories import DepartmentFactory, UserFactory, resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRITES = ("create", "update", "delete", "submit")


@pytest.fixture
def files(transactional_db: None) -> dict[str, Customer]:
    sales = DepartmentFactory(code="SALES", name="销售一部")
    manager = UserFactory(
        username="li.na", role="account_manager", department=sales, display_name="李娜"
    )
    org = customer_create(
        actor=manager, fields={"kind": "organization", "name": "北京星辰科技有限公司"}
    )
    person = customer_create(
        actor=manager, fields={"kind": "individual", "name": "张伟", "id_number": resident_id(7)}
    )
    return {"org": org, "person": person}


def _written() -> tuple[int, int, int, int]:
    return (
        sum(Customer.objects.values_list("version", flat=True)),
        FileVersion.objects.count(),
        AuditEvent.objects.filter(action__in=WRITES).count(),
        ChangeRequest.objects.count(),
    )


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_each_record_edit_form_saved_unchanged_changes_nothing(
    files, live_server, page_for, locale
) -> None:
    made = []
    for kind in records.KINDS:
        customer = files["person" if kind in records.INDIVIDUAL_ONLY else "org"]
        made.append((kind, customer, records.make(kind, customer)))
    page = page_for(locale)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "li.na")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    expect(page.locator("#panel-followups")).to_be_visible()  # the home page
    before = _written()

    for kind, customer, record in made:
        section = f"{live_server.url}/customers/{customer.pk}/{records.SECTION[kind]}/"
        page.goto(section)
        page.locator(f"[data-edit='{kind}-{record.pk}']").click()
        form = page.locator("#correction-form")
        expect(form).to_be_visible()
        # Every date and time field shows its value (a format the input refuses shows blank).
        for field in form.locator("input[type=date], input[type=datetime-local]").all():
            name = field.get_attribute("name")
            if getattr(record, name or "", None) is not None:
                assert field.input_value(), (kind, name)
        form.locator("button[name=correct]").click()
        expect(page).to_have_url(re.compile(re.escape(section) + "$"))
        assert _written() == before, kind
