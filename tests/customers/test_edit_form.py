"""The credit file's edit form: opened and saved unchanged it changes nothing, in both
languages, for an individual and an organisation; sensitive values stay masked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.history.models import FileVersion
from tests.customers.formhtml import form_data, form_inputs
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def _individual(personas) -> Customer:
    customer = IndividualFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        name="张伟",
        birth_date=None,
        province="11",
    )
    # Born on the day the ID number says, as the service requires.
    customer.birth_date = datetime.date(
        int(customer.id_number[6:10]), int(customer.id_number[10:12]), int(customer.id_number[12:14])
    )
    customer.passport_number = "E12345678"
    customer.phone = "+8613884965969"
    customer.bank_account = "6222021234567890123"
    customer.save()
    return customer


def _organisation(personas) -> Customer:
    customer = CustomerFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        name="北京星辰科技有限公司",
        established_on=datetime.date(2023, 1, 20),
        registered_capital=Decimal("50000000.00"),
        business_scope="软件开发\n技术咨询",
    )
    customer.phone = "+8613884965969"
    customer.bank_account = "6222021234567890123"
    customer.save()
    return customer


MAKERS = {"individual": _individual, "organization": _organisation}


def _snapshot(customer: Customer) -> dict[str, object]:
    customer = Customer.objects.get(pk=customer.pk)
    names = [
        "name",
        "version",
        "established_on",
        "registered_capital",
        "business_scope",
        "birth_date",
        "id_number",
        "passport_number",
        "phone",
        "bank_account",
        "city",
        "province",
    ]
    return {name: getattr(customer, name) for name in names}


@pytest.mark.parametrize("kind", ["individual", "organization"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_saving_the_edit_form_unchanged_changes_nothing(
    personas, client_for, kind, language
) -> None:
    customer = MAKERS[kind](personas)
    before = _snapshot(customer)
    client = client_for(personas.account_manager, language)
    url = reverse("customers:edit", args=[customer.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), "customer-form")
    events = AuditEvent.objects.count()
    versions = FileVersion.objects.count()

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _snapshot(customer) == before
    assert not ChangeRequest.objects.exists()
    assert FileVersion.objects.count() == versions
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_and_amounts_are_written_as_their_inputs_read_them(
    personas, client_for, language
) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager, language)
    html = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    inputs = {i["name"]: i for i in form_inputs(html, "customer-form") if i.get("name")}
    assert inputs["established_on"]["type"] == "date"
    assert inputs["established_on"]["value"] == "2023-01-20"
    assert inputs["registered_capital"]["value"] == "50000000.00"


def test_a_date_the_page_did_not_send_is_kept(personas, client_for) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager)
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    del data["established_on"]
    data["city"] = "天津市"

    assert client.post(url, data).status_code == 302

    customer.refresh_from_db()
    assert (customer.city, customer.established_on) == ("天津市", datetime.date(2023, 1, 20))
    assert not ChangeRequest.objects.exists()


def test_a_date_emptied_on_purpose_waits_for_approval_to_be_cleared(
    personas, client_for
) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager)
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    data["established_on"] = ""

    assert client.post(url, data).status_code == 302

    (request,) = ChangeRequest.objects.all()
    assert request.fields == ["established_on"]
    customer.refresh_from_db()
    assert customer.established_on == datetime.date(2023, 1, 20)
