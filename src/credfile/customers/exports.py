"""A person's data export (PIPL Art. 45: the right to access and copy), as JSON and xlsx."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from credfile.accounts.models import User
from credfile.audit.services import audit_record
from credfile.core.sealed import sealed_attributes
from credfile.customers.models import Customer

# Columns never part of a person's copy: internal keys, ciphertexts, blind indexes.
_INTERNAL = {"id", "uid", "customer", "customer_id", "name_key", "version"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    sealed = sealed_attributes(type(obj))
    hidden = _INTERNAL | {a for s in sealed for a in (s.enc_attr, s.bidx_attr)}
    row = {
        f.name: _plain(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in hidden and f.attname not in hidden
    }
    for attribute in sealed:
        row[attribute.name] = _plain(getattr(obj, attribute.name))
    return row


def personal_data(customer: Customer) -> dict[str, Any]:
    """Every personal field of an individual's file, in clear, by section."""
    return {
        "customer": _row(customer),
        "contacts": [_row(c) for c in customer.contacts.all()],
        "addresses": [_row(a) for a in customer.addresses.all()],
        "financial_information": [_row(f) for f in customer.individual_financials.all()],
        "contracts": [_row(c) for c in customer.contracts.all()],
        "invoices": [_row(i) for i in customer.invoices.all()],
        "payments": [_row(p) for p in customer.payments.all()],
        "service_records": [_row(s) for s in customer.service_records.all()],
        "notes": [_row(n) for n in customer.notes.all()],
        "consents": [_row(c) for c in customer.consents.all()],
    }


@transaction.atomic
def personal_data_export(*, actor: User, customer: Customer, fmt: str) -> dict[str, Any]:
    """The copy for an access request; only for whoever may reveal the file, and audited."""
    from credfile.access.selectors import can_reveal

    if not customer.is_individual:
        raise ValidationError({"customer": [_("A personal data export is for individuals.")]})
    if not can_reveal(user=actor, customer=customer):
        raise PermissionDenied(_("You may not export this person's data."))
    data = personal_data(customer)
    audit_record(
        actor=actor,
        action="export",
        obj=customer,
        customer_id=customer.pk,
        after={
            "what": "personal data",
            "format": fmt,
            "sections": {k: (1 if isinstance(v, dict) else len(v)) for k, v in data.items()},
        },
    )
    return data


def personal_data_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per section, a header row of field names."""
    book = Workbook(write_only=True)
    for section, content in data.items():
        rows = [content] if isinstance(content, dict) else content
        sheet = book.create_sheet(section[:31])
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        sheet.append(columns or ["—"])
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return str(value)
    return value
