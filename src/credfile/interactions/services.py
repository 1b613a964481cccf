"""Writes of service records and notes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.services import model_snapshot
from credfile.customers.models import Customer
from credfile.customers.services import (
    delete_child_record,
    lock_customer_for_change,
    only_fields,
    save_child_record,
    save_child_update,
)
from credfile.interactions.models import Note, ServiceRecord

SERVICE_FIELDS = ("occurred_at", "kind", "channel", "content", "result")
# Older times are typing slips (and have no sensible time-zone offset to show).
EARLIEST_YEAR = 1900
NOTE_FIELDS = ("kind", "dated", "subject", "body")


@transaction.atomic
def service_record_create(
    *, actor: User, customer: Customer, fields: dict[str, Any]
) -> ServiceRecord:
    customer = lock_customer_for_change(actor, customer)
    record = ServiceRecord(
        customer=customer, handled_by=actor, **only_fields(fields, SERVICE_FIELDS)
    )
    errors: dict[str, list[str]] = {}
    _service_errors(record, errors)
    save_child_record(actor=actor, customer=customer, obj=record, errors=errors)
    return record


def _service_errors(record: ServiceRecord, errors: dict[str, list[str]]) -> None:
    when = record.occurred_at
    if when is not None and (
        when.year < EARLIEST_YEAR or when > timezone.now() + datetime.timedelta(days=1)
    ):
        errors["occurred_at"] = [
            _(
                "Give the time the service took place; it cannot be in "
                "the future or before %(year)d."
            )
            % {"year": EARLIEST_YEAR}
        ]


@transaction.atomic
def note_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Note:
    customer = lock_customer_for_change(actor, customer)
    note = Note(customer=customer, author=actor, **only_fields(fields, NOTE_FIELDS))
    save_child_record(actor=actor, customer=customer, obj=note, errors={})
    return note


# --- corrections, through change control (credfile.changes.services.record_change) -------------


def _lock_record(actor: User, model: type[Any], record: Any) -> tuple[Customer, Any]:
    # The file first, then the record: the one lock order of every writer.
    customer = lock_customer_for_change(actor, Customer(pk=record.customer_id))
    found = model._default_manager.select_for_update().filter(pk=record.pk, customer=customer)
    locked = found.first()
    if locked is None:
        raise ValidationError({"record": [_("This record no longer exists.")]})
    return customer, locked


def _blank(name: str, value: Any, text: frozenset[str]) -> Any:
    return "" if value is None and name in text else value


@transaction.atomic
def _service_record_update(
    *, actor: User, record: ServiceRecord, fields: dict[str, Any]
) -> ServiceRecord:
    customer, locked = _lock_record(actor, ServiceRecord, record)
    before = model_snapshot(locked)
    for name, value in only_fields(fields, SERVICE_FIELDS).items():
        setattr(locked, name, _blank(name, value, frozenset({"result", "content"})))
    errors: dict[str, list[str]] = {}
    _service_errors(locked, errors)
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _service_record_delete(*, actor: User, record: ServiceRecord) -> None:
    customer, locked = _lock_record(actor, ServiceRecord, record)
    delete_child_record(actor=actor, customer=customer, obj=locked)


@transaction.atomic
def _note_update(*, actor: User, note: Note, fields: dict[str, Any]) -> Note:
    customer, locked = _lock_record(actor, Note, note)
    before = model_snapshot(locked)
    for name, value in only_fields(fields, NOTE_FIELDS).items():
        setattr(locked, name, _blank(name, value, frozenset({"subject", "body"})))
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors={})
    return locked


@transaction.atomic
def _note_delete(*, actor: User, note: Note) -> None:
    customer, locked = _lock_record(actor, Note, note)
    delete_child_record(actor=actor, customer=customer, obj=locked)
