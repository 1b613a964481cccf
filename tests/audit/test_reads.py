"""Every look at a credit file is one audit event; auditors find who looked at what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.core.errors import ConfirmationRequired, DuplicateRecord
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory, credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_of_sales(personas: Personas) -> Customer:
    return CustomerFactory(department=personas.sales, account_manager=personas.account_manager)


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


READS: dict[str, tuple[bool, Callable[[Any, Customer], str], str]] = {
    # name: (api?, path, the section the event names)
    "file page": (False, lambda c: reverse("customers:detail", args=[c.pk]), "basic"),
    "section": (False, lambda c: reverse("customers:section", args=[c.pk, "contacts"]), "contacts"),
    "history": (False, lambda c: reverse("history:list", args=[c.pk]), "history"),
    "as-of": (
        False,
        lambda c: reverse("history:as_of", args=[c.pk]) + "?date=2026-01-01",
        "history",
    ),
    "api detail": (True, lambda c: f"/api/v1/customers/{c.pk}/", ""),
    "api nested list": (True, lambda c: f"/api/v1/customers/{c.pk}/invoices/", "transactions"),
    "api versions": (True, lambda c: f"/api/v1/customers/{c.pk}/versions/", "history"),
}


@pytest.mark.parametrize("kind", list(READS))
def test_each_read_writes_one_access_event(
    personas: Personas, client_for: Any, file_of_sales: Customer, kind: str
) -> None:
    api, path, section = READS[kind]
    client = _api(personas.credit_manager) if api else client_for(personas.credit_manager)
    before = AuditEvent.objects.count()
    response = client.get(path(file_of_sales))
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert len(events) == 1, [e.action for e in events]
    event = events[0]
    assert event.action == "view"
    assert event.actor_id == personas.credit_manager.pk
    assert event.customer_id == file_of_sales.pk
    assert event.after["section"] == section
    assert event.ip == "127.0.0.1"
    assert event.request_id


def test_the_credit_report_is_one_event_with_its_grant(
    personas: Personas, client_for: Any, file_of_sales: Customer
) -> None:
    application = access.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["transactions"],
        purpose="核对往来",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    grant = access.application_approve(actor=personas.executive, application=application)
    client = client_for(personas.outsider)
    before = AuditEvent.objects.count()
    page = client.get(reverse("consent:report", args=[file_of_sales.pk]))
    assert page.status_code == 200
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert [e.action for e in events] == ["credit_report"]
    assert events[0].after["grant"] == grant.pk
    assert events[0].after["grant_purpose"] == "核对往来"
    assert events[0].after["sections"] == ["transactions"]


def test_writes_are_not_counted_as_reads(
    personas: Personas, client_for: Any, file_of_sales: Customer
) -> None:
    client = client_for(personas.account_manager)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("customers:add", args=[file_of_sales.pk, "note"]),
        {"note-kind": "other", "note-dated": "2026-01-05", "note-subject": "s", "note-body": "b"},
    )
    assert response.status_code in {200, 302}
    actions = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert "view" not in actions and "create" in actions


def test_a_duplicate_check_naming_another_departments_file_is_a_lookup(
    personas: Personas,
) -> None:
    theirs = CustomerFactory(
        department=personas.other,
        account_manager=personas.outsider,
        credit_code=credit_code(7),
        name="天津远航物流有限公司",
    )
    with pytest.raises(DuplicateRecord):
        customer_create(
            actor=personas.account_manager,
            fields={"kind": "organization", "name": "别的名字", "credit_code": credit_code(7)},
        )
    lookup = AuditEvent.objects.filter(action="lookup").get()
    assert lookup.actor_id == personas.account_manager.pk
    assert lookup.customer_id == theirs.pk
    assert lookup.after == {"check": "duplicate", "field": "credit_code"}
    with pytest.raises(ConfirmationRequired):
        customer_create(
            actor=personas.account_manager,
            fields={"kind": "organization", "name": "天津远航物流有限公司"},
        )
    assert AuditEvent.objects.filter(action="lookup", after__check="similar name").count() == 1


def test_a_duplicate_in_ones_own_department_is_no_lookup(personas: Personas) -> None:
    CustomerFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        credit_code=credit_code(8),
    )
    with pytest.raises(DuplicateRecord):
        customer_create(
            actor=personas.account_manager,
            fields={"kind": "organization", "name": "另一个名字", "credit_code": credit_code(8)},
        )
    assert not AuditEvent.objects.filter(action="lookup").exists()


def test_the_api_duplicate_answer_records_the_lookup(personas: Personas) -> None:
    CustomerFactory(
        department=personas.other, account_manager=personas.outsider, credit_code=credit_code(9)
    )
    response = _api(personas.account_manager).post(
        "/api/v1/customers/",
        {"kind": "organization", "name": "某某公司", "credit_code": credit_code(9)},
        format="json",
    )
    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="lookup", actor=personas.account_manager).count() == 1


def test_auditors_see_who_looked_at_a_file_and_what_a_user_looked_at(
    personas: Personas, client_for: Any, file_of_sales: Customer
) -> None:
    other = IndividualFactory(department=personas.sales, account_manager=personas.colleague)
    client_for(personas.department_head).get(reverse("customers:detail", args=[file_of_sales.pk]))
    client_for(personas.credit_manager).get(reverse("customers:detail", args=[file_of_sales.pk]))
    client_for(personas.credit_manager).get(reverse("customers:detail", args=[other.pk]))

    auditor = client_for(personas.auditor)
    page = auditor.get(reverse("audit:list"), {"customer": file_of_sales.code, "reads": "on"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("<tr data-seq=") == 2
    assert personas.department_head.username in text and personas.credit_manager.username in text

    api = _api(personas.auditor)
    rows = api.get(
        "/api/v1/audit/events/", {"actor": personas.credit_manager.username, "reads": "true"}
    ).json()["results"]
    assert {r["customer_id"] for r in rows} == {file_of_sales.pk, other.pk}
    assert all(r["action"] == "view" for r in rows)
    # The file page links the auditor to its readers.
    detail = auditor.get(reverse("customers:detail", args=[file_of_sales.pk])).content.decode()
    assert 'id="who-looked-link"' in detail


@pytest.mark.parametrize("role", ["account_manager", "department_head", "credit_manager"])
def test_the_audit_api_is_for_auditors_only(personas: Personas, role: str) -> None:
    assert _api(getattr(personas, role)).get("/api/v1/audit/events/").status_code == 404
