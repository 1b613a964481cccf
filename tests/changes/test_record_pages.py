"""Each record's edit and delete pages: the edit form opens prefilled in the formats its
inputs take, and saved unchanged writes nothing; deletion asks for the reason."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from credfile.history.models import FileVersion
from tests import records
from tests.conftest import Personas
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

WRITES = ("create", "update", "delete", "submit")
LANGUAGES = ("en", "zh-hans")


def _file_for(kind: str, personas: Personas) -> Customer:
    if kind in records.INDIVIDUAL_ONLY:
        fields = {"kind": "individual", "name": "张伟", "id_number": resident_id(31)}
    else:
        fields = {"kind": "organization", "name": "北京星辰科技有限公司"}
    return customer_create(actor=personas.account_manager, fields=fields)


def _written(customer: Customer) -> tuple[int, int, int, int]:
    return (
        Customer.objects.values_list("version", flat=True).get(pk=customer.pk),
        FileVersion.objects.filter(customer_id=customer.pk).count(),
        AuditEvent.objects.filter(action__in=WRITES).count(),
        ChangeRequest.objects.count(),
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", records.KINDS)
def test_an_edit_form_saved_unchanged_writes_nothing(
    kind: str, language: str, personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["financial", "transactions", "deletion"]
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)
    client = client_for(personas.account_manager, language)
    section = client.get(reverse("customers:section", args=[customer.pk, records.SECTION[kind]]))
    url = reverse("changes:correct", args=[kind, record.pk])
    assert url in section.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    before = _written(customer)

    data = records.form_values(page.content.decode(), "correction-form")
    answer = client.post(url, data)

    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    assert _written(customer) == before


def test_dates_times_and_amounts_are_written_as_their_inputs_take_them(
    personas: Personas, client_for: Any
) -> None:
    org = _file_for("service-record", personas)
    client = client_for(personas.account_manager, "zh-hans")
    service = records.make("service-record", org)
    contract = records.make("contract", org)

    form = records.form_values(
        client.get(
            reverse("changes:correct", args=["service-record", service.pk])
        ).content.decode(),
        "correction-form",
    )
    assert form["occurred_at"] == "2025-04-02T09:30:15"
    form = records.form_values(
        client.get(reverse("changes:correct", args=["contract", contract.pk])).content.decode(),
        "correction-form",
    )
    assert (form["signed_on"], form["ends_on"], form["amount"]) == (
        "2025-01-20",
        "2025-12-31",
        "880000.00",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_edit_applies_at_once_where_no_approval_is_needed(
    language: str, personas: Personas, client_for: Any
) -> None:
    org = _file_for("note", personas)
    note = records.make("note", org)
    client = client_for(personas.account_manager, language)
    url = reverse("changes:correct", args=["note", note.pk])
    data = records.form_values(client.get(url).content.decode(), "correction-form")

    answer = client.post(url, {**data, "subject": "二次拜访"}, follow=True)

    note.refresh_from_db()
    assert note.subject == "二次拜访"
    assert "二次拜访" in answer.content.decode()
    assert not ChangeRequest.objects.exists()


def test_an_edit_of_a_payment_waits_for_the_head(
    personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["transactions", "deletion"]
    org = _file_for("payment", personas)
    payment = records.make("payment", org)
    client = client_for(personas.account_manager)
    url = reverse("changes:correct", args=["payment", payment.pk])
    data = records.form_values(client.get(url).content.decode(), "correction-form")

    answer = client.post(url, {**data, "reference": "BANK-REF-9", "reason": "回单号录错"})

    assert answer.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.target_type, change.fields) == ("transactions.payment", ["reference"])
    payment.refresh_from_db()
    assert payment.reference == "BANK-REF-1"


@pytest.mark.parametrize(
    ("language", "error"),
    [("en", "Give the reason for the deletion."), ("zh-hans", "请填写删除的理由。")],
)
def test_a_deletion_asks_for_the_reason(
    language: str, error: str, personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    org = _file_for("address", personas)
    address = records.make("address", org)
    client = client_for(personas.account_manager, language)
    url = reverse("changes:delete", args=["address", address.pk])
    assert client.get(url).status_code == 200

    refused = client.post(url, {"reason": ""})

    assert refused.status_code == 422
    assert error in html.unescape(refused.content.decode())
    assert type(address).objects.filter(pk=address.pk).exists()

    done = client.post(url, {"reason": "地址已注销"})

    assert done.status_code == 302
    assert not type(address).objects.filter(pk=address.pk).exists()


def test_a_deletion_needing_approval_becomes_a_request(
    personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["deletion"]
    org = _file_for("contact", personas)
    contact = records.make("contact", org)
    client = client_for(personas.account_manager)

    client.post(reverse("changes:delete", args=["contact", contact.pk]), {"reason": "离职"})

    change = ChangeRequest.objects.get()
    assert (change.kind, change.reason) == ("delete", "离职")
    assert type(contact).objects.filter(pk=contact.pk).exists()


def test_who_may_only_read_the_file_sees_no_edit_buttons(
    personas: Personas, client_for: Any
) -> None:
    org = _file_for("note", personas)
    note = records.make("note", org)
    page = client_for(personas.executive).get(reverse("customers:section", args=[org.pk, "notes"]))

    assert page.status_code == 200
    assert reverse("changes:correct", args=["note", note.pk]) not in page.content.decode()
    assert (
        client_for(personas.executive)
        .get(reverse("changes:correct", args=["note", note.pk]))
        .status_code
        == 404
    )


def test_sealed_values_are_masked_in_the_form_and_kept_unless_replaced(
    personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    org = _file_for("contact", personas)
    contact = records.make("contact", org)
    client = client_for(personas.account_manager)
    url = reverse("changes:correct", args=["contact", contact.pk])
    page = client.get(url).content.decode()

    assert "13700001111" not in page
    assert "137****1111" in page
    data = records.form_values(page, "correction-form")
    assert data["mobile"] == ""

    client.post(url, {**data, "title": "出纳"})
    contact.refresh_from_db()
    assert (contact.title, contact.mobile) == ("出纳", "+8613700001111")

    client.post(url, {**data, "mobile": "13900002222"})
    contact.refresh_from_db()
    assert contact.mobile == "+8613900002222"
