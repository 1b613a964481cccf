"""PATCH and DELETE /api/v1/customers/{id}/<records>/{pk}/: corrections and deletions of a
file's records go through change control, as on the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.changes.registry import target_for
from credfile.customers.models import Customer
from tests import records
from tests.api.conftest import ApiFor
from tests.api.helpers import assert_problem
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _url(customer: Customer, kind: str, pk: int) -> str:
    return f"/api/v1/customers/{customer.pk}/{records.SEGMENTS[kind]}/{pk}/"


def _file(kind: str, org: Customer, person: Customer) -> Customer:
    return person if kind in records.INDIVIDUAL_ONLY else org


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@pytest.mark.parametrize("kind", records.KINDS)
def test_a_correction_applies_or_waits_as_its_group_says(
    kind: str, manager_api: APIClient, org: Customer, person: Customer, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["financial", "transactions", "deletion"]
    customer = _file(kind, org, person)
    record = records.make(kind, customer)
    name, value = records.CORRECTION[kind]

    response = manager_api.patch(
        _url(customer, kind, record.pk), {name: _json(value), "reason": "核对"}, format="json"
    )

    record.refresh_from_db()
    if kind in records.GROUP:
        assert response.status_code == 202, response.json()
        assert response.json()["fields"] == [name]
        assert getattr(record, name) != value
    else:
        assert response.status_code == 200, response.json()
        assert getattr(record, name) == value
        assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("kind", records.KINDS)
def test_sending_the_values_on_file_changes_nothing(
    kind: str, manager_api: APIClient, org: Customer, person: Customer, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    customer = _file(kind, org, person)
    record = records.make(kind, customer)
    fields = target_for(record._meta.label_lower).fields
    name = records.CORRECTION[kind][0]
    events = AuditEvent.objects.filter(action="update").count()
    saved_at = record.updated_at  # type: ignore[attr-defined]

    response = manager_api.patch(
        _url(customer, kind, record.pk), {name: _json(getattr(record, name))}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert name in fields
    assert AuditEvent.objects.filter(action="update").count() == events
    record.refresh_from_db()
    assert record.updated_at == saved_at  # type: ignore[attr-defined]


def test_a_deletion_needs_a_reason_and_then_applies(
    manager_api: APIClient, org: Customer, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    note = records.make("note", org)

    assert_problem(manager_api.delete(_url(org, "note", note.pk), format="json"), 400)
    response = manager_api.delete(_url(org, "note", note.pk), {"reason": "重复"}, format="json")

    assert response.status_code == 204
    assert not type(note).objects.filter(pk=note.pk).exists()


def test_a_deletion_needing_approval_is_a_request(
    manager_api: APIClient, org: Customer, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["deletion"]
    contact = records.make("contact", org)

    response = manager_api.delete(
        _url(org, "contact", contact.pk), {"reason": "离职"}, format="json"
    )

    assert response.status_code == 202
    assert ChangeRequest.objects.get().kind == "delete"
    assert type(contact).objects.filter(pk=contact.pk).exists()


def test_a_field_outside_the_correction_is_refused(
    manager_api: APIClient, org: Customer, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    invoice = records.make("invoice", org)
    contract = records.make("contract", org)

    response = manager_api.patch(
        _url(org, "invoice", invoice.pk), {"contract": contract.pk}, format="json"
    )

    assert_problem(response, 400)


def test_who_may_only_read_the_file_gets_403_and_others_404(
    api_for: ApiFor, personas: Personas, org: Customer
) -> None:
    note = records.make("note", org)
    url = _url(org, "note", note.pk)

    assert_problem(api_for(personas.auditor).patch(url, {"subject": "x"}, format="json"), 403)
    assert_problem(api_for(personas.outsider).patch(url, {"subject": "x"}, format="json"), 404)
    assert_problem(api_for(personas.outsider).delete(url, {"reason": "x"}, format="json"), 404)
    note.refresh_from_db()
    assert note.subject == "拜访记录"


def test_a_contact_is_marked_verified_by_the_caller(
    manager_api: APIClient, personas: Personas, org: Customer
) -> None:
    contact = records.make("contact", org)

    response = manager_api.post(f"/api/v1/customers/{org.pk}/contacts/{contact.pk}/verify/")

    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert contact.verified_by == personas.account_manager
    assert response.json()["verified_on"] == contact.verified_on.isoformat()
    assert response.json()["verified_by"] == personas.account_manager.pk
