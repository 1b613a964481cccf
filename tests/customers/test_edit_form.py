"""The credit file's edit form: opened and saved unchanged it changes nothing, in both
languages, for an individual and an organisation; sensitive values stay masked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.core.masking import mask
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
        int(customer.id_number[6:10]),
        int(customer.id_number[10:12]),
        int(customer.id_number[12:14]),
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
        remarks="老客户\n按时付款",
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
        "remarks",
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


def test_a_file_whose_manager_left_is_saved_unchanged_by_the_head(personas, client_for) -> None:
    customer = _organisation(personas)
    personas.account_manager.is_active = False
    personas.account_manager.save(update_fields=["is_active"])
    before = _snapshot(customer)
    client = client_for(personas.department_head, "zh-hans")
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    assert data["account_manager"] == str(personas.account_manager.pk)

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _snapshot(customer) == before
    assert not ChangeRequest.objects.exists()


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


def test_a_date_emptied_on_purpose_waits_for_approval_to_be_cleared(personas, client_for) -> None:
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


# --- sensitive values -------------------------------------------------------------------------

CLEAR = ("+8613884965969", "13884965969", "E12345678", "6222021234567890123")


@pytest.mark.parametrize("kind", ["individual", "organization"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_edit_form_holds_no_clear_sensitive_value(personas, client_for, kind, language) -> None:
    customer = MAKERS[kind](personas)
    client = client_for(personas.account_manager, language)
    html = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()

    clear = [*CLEAR, *([customer.id_number] if customer.id_number else [])]
    if customer.birth_date:
        born = customer.birth_date
        clear += [born.isoformat(), born.strftime("%Y/%m/%d"), born.strftime("%m/%d/%Y")]
    for value in clear:
        assert value not in html
    assert "138****5969" in html  # the file page's mask
    assert "622202*********0123" in html
    inputs = {i["name"]: i for i in form_inputs(html, "customer-form") if i.get("name")}
    assert "disabled" in inputs["phone"] and "disabled" in inputs["bank_account"]
    if kind == "individual":
        assert mask("id_number", customer.id_number) in html
        assert mask("passport_number", customer.passport_number) in html
        assert f"{customer.birth_date.year}-**-**" in html


def test_a_replaced_sensitive_value_is_saved_or_proposed_by_its_group(personas, client_for) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager)
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    assert "phone" not in data and "bank_account" not in data  # masked: kept
    data.update(phone="13700001111", bank_account="")

    assert client.post(url, data).status_code == 302

    customer.refresh_from_db()
    assert customer.phone == "+8613700001111"  # contact details apply at once
    (request,) = ChangeRequest.objects.all()  # the bank account is identity: approval
    assert request.fields == ["bank_account"]
    assert request.proposal["changes"] == {"bank_account": ""}
    assert customer.bank_account == "6222021234567890123"


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [
        ("en", "Phone", "This is not a phone number."),
        ("zh-hans", "电话", "这不是电话号码。"),
    ],
)
def test_a_bad_replacement_is_named_in_the_users_language(
    personas, client_for, language, label, message
) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager, language)
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    data["phone"] = "not a number"

    response = client.post(url, data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'<a href="#id_phone" class="alert-link">{label}</a>: {message}' in html
    inputs = {i["name"]: i for i in form_inputs(html, "customer-form") if i.get("name")}
    # What the user typed comes back to be corrected; the stored number does not.
    assert inputs["phone"]["value"] == "not a number" and "disabled" not in inputs["phone"]
    assert "+8613884965969" not in html
    assert "disabled" in inputs["bank_account"]
    customer.refresh_from_db()
    assert customer.phone == "+8613884965969"


def _reveals() -> list[dict[str, object]]:
    return list(AuditEvent.objects.filter(action="reveal").values("actor", "customer_id", "after"))


def test_revealing_in_the_form_is_the_file_pages_audited_reveal(personas, client_for) -> None:
    customer = _individual(personas)
    client = client_for(personas.account_manager)
    client.post(reverse("customers:reveal", args=[customer.pk, "basic"]))
    (from_page,) = _reveals()

    response = client.post(
        reverse("customers:edit-reveal", args=[customer.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="revealed-note"' in html
    assert 'value="+8613884965969"' in html and f'value="{customer.id_number}"' in html
    assert f'value="{customer.birth_date.isoformat()}"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<form" not in html  # the fields only: what the user typed meanwhile stays
    assert _reveals() == [from_page, from_page]


def test_the_form_offers_no_reveal_to_whoever_may_not_reveal(personas, client_for) -> None:
    customer = _organisation(personas)
    url = reverse("customers:edit-reveal", args=[customer.pk])
    for user in (personas.colleague, personas.outsider, personas.auditor):
        assert client_for(user).post(url, HTTP_HX_REQUEST="true").status_code == 404
    assert _reveals() == []


def test_without_htmx_the_reveal_shows_the_whole_form_with_the_values_in_clear(
    personas, client_for
) -> None:
    customer = _organisation(personas)
    client = client_for(personas.account_manager, "zh-hans")
    response = client.post(reverse("customers:edit-reveal", args=[customer.pk]))
    html = response.content.decode()
    inputs = {i["name"]: i for i in form_inputs(html, "customer-form") if i.get("name")}
    assert inputs["phone"]["value"] == "+8613884965969"
    assert "disabled" in inputs["phone"]  # still kept unless replaced
    assert inputs["established_on"]["value"] == "2023-01-20"
    # Saved unchanged after the reveal (the form still posts to the edit page), nothing
    # changes either.
    edit = reverse("customers:edit", args=[customer.pk])
    assert f'action="{edit}"' in html
    data = form_data(html, "customer-form")
    assert client.post(edit, data).status_code == 302
    assert not ChangeRequest.objects.exists()
    assert Customer.objects.get(pk=customer.pk).version == 1
