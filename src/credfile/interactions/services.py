"""Writes of service records and notes."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.customers.services import lock_customer_for_change, only_fields, save_child_record
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
    save_child_record(actor=actor, customer=customer, obj=record, errors=errors)
    return record


@transaction.atomic
def note_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Note:
    customer = lock_customer_for_change(actor, customer)
    note = Note(customer=customer, author=actor, **only_fields(fields, NOTE_FIELDS))
    save_child_record(actor=actor, customer=customer, obj=note, errors={})
    return note
