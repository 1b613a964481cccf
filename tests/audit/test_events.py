"""What goes on the trail: log-ins, refused log-ins, log-outs and refused looks at files, each
with who, when and where; and never a full ID or phone number."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.audit.services import SENSITIVE_FIELDS, audit_record, mask_sensitive
from credfile.customers.services import contact_create, customer_create, customer_update
from tests.api.helpers import make_customer
from tests.conftest import PASSWORD, Personas
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def _where(event: AuditEvent, response: Any) -> None:
    assert event.ip == "127.0.0.1"
    assert REQUEST_ID.match(event.request_id)
    assert event.request_id == response["X-Request-ID"]
    assert event.occurred_at.utcoffset() is not None


def test_a_log_in_is_recorded_with_address_and_request(personas: Personas) -> None:
    client = Client()
    response = client.post(
        reverse("login"), {"username": "li.na", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == personas.account_manager
    assert event.actor_label == "li.na"
    assert (event.object_type, event.object_id) == (
        "accounts.user",
        str(personas.account_manager.pk),
    )
    _where(event, response)


def test_a_failed_log_in_records_the_name_tried_never_the_password(personas: Personas) -> None:
    response = Client().post(reverse("login"), {"username": "li.na", "password": "guess-1234"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.actor_label == "anonymous"
    assert event.object_repr == "li.na"
    assert event.object_id == str(personas.account_manager.pk)
    assert event.after == {"username": "li.na"}
    _where(event, response)
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "guess-1234" not in stored


def test_a_failed_log_in_with_an_unknown_name_is_recorded(db: None) -> None:
    Client().post(reverse("login"), {"username": "nobody", "password": "guess-1234"})
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.object_repr, event.object_id) == ("nobody", "")


def test_a_phone_number_typed_as_the_user_name_is_masked(db: None) -> None:
    Client().post(reverse("login"), {"username": "13812345678", "password": "guess-1234"})
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_repr == "138****5678"
    assert "13812345678" not in json.dumps(event.after)


def test_a_log_out_is_recorded(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.account_manager)
    response = client.post(reverse("logout"))
    event = AuditEvent.objects.get(action="logout")
    assert event.actor == personas.account_manager
    _where(event, response)


def test_a_look_at_a_file_outside_ones_scope_is_a_404_and_is_recorded(
    personas: Personas, client_for: Any
) -> None:
    theirs = make_customer(department=personas.other, account_manager=personas.outsider)
    response = client_for(personas.account_manager).get(
        reverse("customers:detail", args=[theirs.pk])
    )
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access_denied")
    assert event.actor == personas.account_manager
    assert event.customer_id == theirs.pk
    assert (event.object_type, event.object_id) == ("customers.customer", str(theirs.pk))
    assert event.after is not None and event.after["requested"] == "view"
    _where(event, response)


def test_an_edit_of_a_colleagues_file_is_recorded_as_refused(
    personas: Personas, client_for: Any
) -> None:
    theirs = make_customer(department=personas.sales, account_manager=personas.colleague)
    response = client_for(personas.account_manager).get(reverse("customers:edit", args=[theirs.pk]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access_denied")
    assert event.after is not None and event.after["requested"] == "change"


def test_a_file_that_does_not_exist_is_a_404_without_an_event(
    personas: Personas, client_for: Any
) -> None:
    response = client_for(personas.account_manager).get(reverse("customers:detail", args=[999999]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="access_denied").exists()


def test_the_trail_holds_no_full_id_or_phone_number(personas: Personas) -> None:
    id_number = resident_id(42)
    customer = customer_create(
        actor=personas.account_manager,
        fields={
            "kind": "individual",
            "name": "张伟",
            "id_number": id_number,
            "phone": "138 1234 5678",
        },
    )
    customer_update(
        actor=personas.account_manager, customer=customer, fields={"phone": "139 8765 4321"}
    )
    contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "李财务", "role": "finance", "mobile": "137 0000 1111"},
    )
    stored = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    for secret in (
        id_number,
        "13812345678",
        "13987654321",
        "13700001111",
        id_number[6:14],
    ):  # the birth date inside the ID number
        assert secret not in stored
    created = AuditEvent.objects.get(action="create", object_type="customers.customer")
    assert created.after is not None
    assert created.after["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert created.after["phone"] == "138****5678"
    assert created.after["birth_date"] == "***"
    updated = AuditEvent.objects.get(action="update", object_type="customers.customer")
    assert updated.before is not None and updated.after is not None
    assert (updated.before["phone"], updated.after["phone"]) == ("138****5678", "139****4321")


def test_sensitive_keys_are_masked_at_any_depth_and_sealed_columns_dropped() -> None:
    masked = mask_sensitive(
        {
            "name": "张伟",
            "mobile": "+8613812345678",
            "nested": [{"id_number": "11010519850312001X", "bank_account": "6222021234567890123"}],
            "annual_income": "120000.00",
            "total_assets": None,
            "id_number_enc": "gAAAA…",
            "phone_bidx": "4f2a…",
        }
    )
    assert masked == {
        "name": "张伟",
        "mobile": "138****5678",
        "nested": [{"id_number": "110105********001X", "bank_account": "622202*********0123"}],
        "annual_income": "***",
        "total_assets": None,
    }
    assert {"id_number", "phone", "mobile", "passport_number", "birth_date"} <= SENSITIVE_FIELDS


def test_an_event_without_a_request_has_no_address(personas: Personas) -> None:
    event = audit_record(actor=personas.auditor, action="update", obj=personas.auditor)
    assert (event.ip, event.request_id) == (None, "")
