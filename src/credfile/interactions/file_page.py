"""The service records and notes sections of the file page, and their records under
change control (not credit-relevant: corrections apply at once)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.changes.registry import Target, register_target
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import RecordKind, Section, register_section
from credfile.interactions import forms
from credfile.interactions.models import Note, ServiceRecord
from credfile.interactions.services import (
    NOTE_FIELDS,
    SERVICE_FIELDS,
    _note_delete,
    _note_update,
    _service_record_delete,
    _service_record_update,
    note_create,
    service_record_create,
)


def _plain(form: Any) -> Any:
    return lambda data=None, customer=None, **kwargs: form(data, **kwargs)


def _services(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {"service_records": list(customer.service_records.select_related("handled_by")[:100])}


def _notes(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {"notes": list(customer.notes.select_related("author")[:100])}


def register() -> None:
    register_section(
        Section(
            slug=Policy.SERVICES,
            title=_("Service records"),
            template="interactions/services.html",
            order=40,
            context=_services,
            records=(
                RecordKind(
                    "service_record",
                    _("Add a service record"),
                    _plain(forms.ServiceRecordForm),
                    service_record_create,
                ),
            ),
            counted=ServiceRecord,
        )
    )
    register_section(
        Section(
            slug=Policy.NOTES,
            title=_("Notes"),
            template="interactions/notes.html",
            order=50,
            context=_notes,
            records=(RecordKind("note", _("Add a note"), _plain(forms.NoteForm), note_create),),
            counted=Note,
        )
    )
    register_target(
        Target(
            label="interactions.servicerecord",
            slug="service-record",
            model=ServiceRecord,
            group=None,
            fields=SERVICE_FIELDS,
            section=Policy.SERVICES,
            update=lambda actor, customer, obj, fields, options: _service_record_update(
                actor=actor, record=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _service_record_delete(actor=actor, record=obj),
            required=forms.SERVICE_REQUIRED,
        )
    )
    register_target(
        Target(
            label="interactions.note",
            slug="note",
            model=Note,
            group=None,
            fields=NOTE_FIELDS,
            section=Policy.NOTES,
            update=lambda actor, customer, obj, fields, options: _note_update(
                actor=actor, note=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _note_delete(actor=actor, note=obj),
            required=forms.NOTE_REQUIRED,
        )
    )
