"""A person's data export (PIPL Art. 45: the right to access and copy), as JSON and xlsx.

What goes into the copy is found from the models, not listed by hand, so that a field or a
record type added later is exported without anyone remembering to: the file itself, and every
model whose rows belong to it — a foreign key or one-to-one to the customer, or to a row that
belongs to it (an allocation of one of its payments), or a plain `customer_id` number (the
file's history, which outlives the file). Every concrete field is exported, sealed values in
clear, a reference to another row as that row's name, a many-to-many (tags) as the list of
names. Only what `EXCLUDED_MODELS` and `EXCLUDED_FIELDS` name, with their reasons, is left out.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from credfile.accounts.models import User
from credfile.audit.services import audit_record
from credfile.core.sealed import Sealed, sealed_attributes
from credfile.customers.models import Customer

# Models whose rows refer to a customer but are no part of the person's copy.
EXCLUDED_MODELS: dict[str, str] = {
    # The controller's hash-chained log of who did what, from where: staff identities, IP
    # addresses and chain hashes. The changes it records are in the file's history.
    "audit.AuditEvent": "processing log of staff actions",
    # A staff member's inbox entry about a change request; the request itself is exported.
    "changes.ChangeNotification": "staff notification",
    # The archive inspection's note that a stored file failed its check: about the storage,
    # not the person; the document itself is exported.
    "inspections.InspectionFinding": "integrity check of stored files",
    # The controller's work list of what has fallen due; the records it names are exported.
    "retention.DestructionItem": "destruction work list",
    # The proof that a record was destroyed: codes, hashes and counts, no data of the person.
    "retention.DestructionCertificate": "proof of destruction",
    # The controller's record of how a deletion request came (no personal data by rule); the
    # file it names is exported while it is there.
    "retention.DeletionRequest": "record of a deletion request",
}

# Fields that carry no information about the person. Besides these, three kinds of column are
# left out as a rule: ciphertext and blind-index columns of sealed values (`<name>_enc`,
# `<name>_bidx`), for the sealed value itself is exported in clear instead; automatic row
# numbers; and a plain `customer_id`, the row number of the file every exported row is of.
EXCLUDED_FIELDS: dict[str, str] = {
    # A row's random identity, bound into its sealed values; it identifies only the row.
    "*.uid": "row identity for encryption",
    # The name normalised for duplicate detection and search; `name` is exported.
    "customers.Customer.name_key": "search key derived from the name",
    # Counters for optimistic locking, incremented by every save.
    "customers.Customer.version": "row version",
    "changes.ChangeRequest.base_version": "row version the request was made against",
}


@dataclass(frozen=True)
class ExportedModel:
    """One section of the copy: a model and the lookups that tie its rows to the customer."""

    section: str
    model: type[models.Model]
    lookups: tuple[str, ...]


def _excluded(model: type[models.Model], name: str) -> bool:
    return f"*.{name}" in EXCLUDED_FIELDS or f"{model._meta.label}.{name}" in EXCLUDED_FIELDS


def exported_fields(model: type[models.Model]) -> list[models.Field[Any, Any] | Sealed]:
    """The concrete fields, many-to-many fields and sealed values of a model that are
    exported, in declaration order (a sealed value where its ciphertext column stands)."""
    sealed = {s.enc_attr: s for s in sealed_attributes(model)}
    blind = {s.bidx_attr for s in sealed.values()}
    fields: list[models.Field[Any, Any] | Sealed] = []
    for field in model._meta.concrete_fields:
        if field.primary_key and not field.is_relation:
            continue  # the database's row number
        if field.name == "customer_id" and not field.is_relation:
            continue  # the tie to the file (a row number): every row here is the person's
        if field.name in blind:
            continue
        if field.name in sealed:
            if not _excluded(model, sealed[field.name].name):
                fields.append(sealed[field.name])
            continue
        if not _excluded(model, field.name):
            fields.append(field)
    fields += [f for f in model._meta.many_to_many if not _excluded(model, f.name)]
    return fields


def _plain_customer_number(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("customer_id")
    except FieldDoesNotExist:
        return False
    # A foreign key's column is found under that name too; only a plain number counts here.
    return not field.is_relation


def _links(
    model: type[models.Model], owned: set[type[models.Model]]
) -> list[models.ForeignObject[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignObject) and f.related_model in owned
    ]


def _lookups(
    model: type[models.Model], owned: set[type[models.Model]], seen: frozenset[Any] = frozenset()
) -> list[str]:
    """The filters, any of which ties a row of `model` to the customer (by `pk`)."""
    if model is Customer:
        return ["pk"]
    paths = ["customer_id"] if _plain_customer_number(model) else []
    for field in _links(model, owned):
        target = field.related_model
        if target in seen or target is model:
            continue  # a cycle adds no row that the other paths do not reach
        for path in _lookups(target, owned, seen | {model}):
            paths.append(field.name if path == "pk" else f"{field.name}__{path}")
    return paths


def _section_name(model: type[models.Model], owned: set[type[models.Model]]) -> str:
    for field in _links(model, owned):
        if field.related_model is Customer:
            # The customer's own name for them: customer.contacts, customer.reviews …
            return str(field.remote_field.get_accessor_name())
    with translation.override("en"):
        return slugify(str(model._meta.verbose_name_plural)).replace("-", "_")


@cache
def exported_models() -> tuple[ExportedModel, ...]:
    """Every model whose rows belong to a customer's file, found in the app registry."""
    candidates = [
        m for m in apps.get_models() if m is not Customer and m._meta.label not in EXCLUDED_MODELS
    ]
    owned: set[type[models.Model]] = {Customer}
    owned |= {m for m in candidates if _plain_customer_number(m)}
    # Rows pointing at a row of the file belong to the file, to any depth.
    grown = True
    while grown:
        grown = False
        for model in candidates:
            if model not in owned and _links(model, owned):
                owned.add(model)
                grown = True
    found = tuple(
        ExportedModel(_section_name(m, owned), m, tuple(_lookups(m, owned)))
        for m in candidates
        if m in owned
    )
    sections = [e.section for e in found]
    assert len(set(sections)) == len(sections), f"two models export as one section: {sections}"
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return value


def _row(obj: models.Model, fields: list[models.Field[Any, Any] | Sealed]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in fields:
        if isinstance(field, Sealed):
            row[field.name] = _plain(getattr(obj, field.name))
        elif field.many_to_many:
            row[field.name] = [str(o) for o in getattr(obj, field.name).all()]
        elif field.is_relation:
            related = getattr(obj, field.name)
            row[field.name] = None if related is None else str(related)
        else:
            row[field.name] = _plain(getattr(obj, field.attname))
    return row


def _rows(
    queryset: models.QuerySet[Any], fields: list[models.Field[Any, Any] | Sealed]
) -> Iterator[dict[str, Any]]:
    # One query per section, and one per many-to-many field: never one per row.
    related = [f.name for f in fields if isinstance(f, models.ForeignKey | models.OneToOneField)]
    many = [f.name for f in fields if not isinstance(f, Sealed) and f.many_to_many]
    queryset = queryset.select_related(*related).prefetch_related(*many)
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    for obj in queryset:
        yield _row(obj, fields)


def personal_data(customer: Customer) -> dict[str, Any]:
    """Every personal field of an individual's file, in clear, by section."""
    data: dict[str, Any] = {
        "customer": next(_rows(Customer.objects.filter(pk=customer.pk), exported_fields(Customer)))
    }
    for exported in exported_models():
        condition = Q()
        for lookup in exported.lookups:
            condition |= Q(**{lookup: customer.pk})
        queryset = exported.model._default_manager.filter(condition)
        if len(exported.lookups) > 1:
            queryset = queryset.distinct()
        data[exported.section] = list(_rows(queryset, exported_fields(exported.model)))
    return data


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
    # A list (tags) or a JSON value in one cell, written as JSON so it reads back exactly.
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
