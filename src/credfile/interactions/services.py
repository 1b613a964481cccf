"""Writes of service records and notes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.customers.services import lock_customer_for_change, only_fields, save_child_record
from credfile.interactions.models import Note, ServiceRecord

SERVICE_FIELDS = ("occurred_at", "kind", "channel", "content", "result")
NOTE_FIELDS = ("kind", "dated", "subject", "body")


@transaction.atomic
def service_record_create(
    *, actor: User, customer: Customer, fields: dict[str, Any]
) -> ServiceRecord:
    customer = lock_customer_for_change(actor, customer)
    record = ServiceRecord(
        customer=customer, handled_by=actor, **only_fields(fields, SERVICE_FIELDS)
    )
    save_child_record(actor=actor, customer=customer, obj=record, errors={})
    return record


@transaction.atomic
def note_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Note:
    customer = lock_customer_for_change(actor, customer)
    note = Note(customer=customer, author=actor, **only_fields(fields, NOTE_FIELDS))
    save_child_record(actor=actor, customer=customer, obj=note, errors={})
    return note
