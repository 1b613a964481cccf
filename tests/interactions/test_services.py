"""Service records and notes kept with a credit file."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.interactions.models import Note, ServiceRecord
from credfile.interactions.services import note_create, service_record_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)


@pytest.fixture
def customer(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


def test_it_records_a_complaint_with_who_handled_it(personas: Personas, customer: Customer) -> None:
    record = service_record_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "occurred_at": WHEN,
            "kind": "complaint",
            "channel": "phone",
            "content": "交货延迟两周",
            "result": "已协调物流，补发到货",
        },
    )
    record.refresh_from_db()
    assert record.handled_by == personas.account_manager
    assert record.get_kind_display() == "Complaint"
    assert record.occurred_at == WHEN
    assert str(record) == "2025-03-04 Complaint"
    customer.refresh_from_db()
    assert customer.version == 2
    event = AuditEvent.objects.get(object_type="interactions.servicerecord")
    assert (event.action, event.customer_id, event.actor) == (
        "create",
        customer.pk,
        personas.account_manager,
    )


def test_it_refuses_a_service_record_without_content(
    personas: Personas, customer: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        service_record_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"occurred_at": WHEN, "content": ""},
        )
    assert list(exc.value.message_dict) == ["content"]
    assert not ServiceRecord.objects.exists()
    customer.refresh_from_db()
    assert customer.version == 1


def test_it_refuses_an_unknown_kind_of_service(personas: Personas, customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        service_record_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"occurred_at": WHEN, "kind": "gossip", "content": "闲聊"},
        )
    assert list(exc.value.message_dict) == ["kind"]


def test_it_refuses_a_field_the_user_cannot_set(personas: Personas, customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        service_record_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"occurred_at": WHEN, "content": "回访", "handled_by": personas.colleague},
        )
    assert exc.value.message_dict == {"handled_by": ["This field cannot be set."]}


def test_it_keeps_meeting_minutes_with_their_author(personas: Personas, customer: Customer) -> None:
    note = note_create(
        actor=personas.department_head,
        customer=customer,
        fields={
            "kind": "minutes",
            "dated": datetime.date(2025, 3, 5),
            "subject": "年度授信沟通会",
            "body": "双方确认下一年度授信额度需求。",
        },
    )
    note.refresh_from_db()
    assert note.author == personas.department_head
    assert str(note) == "年度授信沟通会"
    assert (
        AuditEvent.objects.filter(object_type="interactions.note", customer_id=customer.pk).count()
        == 1
    )


def test_notes_are_listed_newest_first(personas: Personas, customer: Customer) -> None:
    for dated, subject in [
        (datetime.date(2025, 1, 1), "一月"),
        (datetime.date(2025, 3, 1), "三月"),
        (datetime.date(2025, 2, 1), "二月"),
    ]:
        note_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"dated": dated, "subject": subject, "body": "…"},
        )
    assert list(customer.notes.values_list("subject", flat=True)) == ["三月", "二月", "一月"]


def test_it_refuses_a_note_without_a_subject(personas: Personas, customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        note_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"dated": timezone.localdate(), "subject": "", "body": "正文"},
        )
    assert list(exc.value.message_dict) == ["subject"]
    assert not Note.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "outsider", "auditor", "executive", "admin"])
def test_only_those_who_may_change_the_file_add_records(
    personas: Personas, customer: Customer, persona: str
) -> None:
    actor = getattr(personas, persona)
    with pytest.raises(PermissionDenied):
        service_record_create(
            actor=actor, customer=customer, fields={"occurred_at": WHEN, "content": "回访"}
        )
    with pytest.raises(PermissionDenied):
        note_create(
            actor=actor,
            customer=customer,
            fields={"dated": datetime.date(2025, 3, 5), "subject": "s", "body": "b"},
        )
    assert not ServiceRecord.objects.exists()
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_a_service_time_in_the_future_or_long_past_is_refused(personas) -> None:
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from credfile.interactions.services import service_record_create
    from tests.factories import CustomerFactory

    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    for when in (timezone.now() + dt.timedelta(days=3), dt.datetime(603, 1, 1, tzinfo=dt.UTC)):
        with pytest.raises(ValidationError) as exc:
            service_record_create(
                actor=personas.account_manager,
                customer=customer,
                fields={"occurred_at": when, "content": "回访"},
            )
        assert "occurred_at" in exc.value.message_dict
