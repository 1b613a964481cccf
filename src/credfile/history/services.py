"""Recording versions of credit files and their records.

The services that write a file call `version_record` in the same transaction as the change
and its audit event (customers.services: customer_create/update/delete, save_child_record
and its update and delete companions; transactions.services: payment allocations), so a
version exists exactly when its change was committed.

An object that reaches history without a version of its own — rows loaded in bulk (demo
data) or written before this app existed — has not changed since it was created, because
every change records one. Its first recorded update or delete therefore also records its
state before (`Operation.BASELINE`, dated when the object was created): no state is lost.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from credfile.audit.services import model_snapshot
from credfile.history.choices import Operation
from credfile.history.models import DEMO_ACTOR, SYSTEM_ACTOR, FileVersion

# The records of a file that history keeps, by model label: (app, model, lookup of the file's
# id, lookup of the creation time). Allocations belong to a file through their payment.
RECORD_MODELS: dict[str, tuple[str, str, str, str]] = {
    "customers.contact": ("customers", "Contact", "customer_id", "created_at"),
    "customers.address": ("customers", "Address", "customer_id", "created_at"),
    "financials.individualfinancial": (
        "financials",
        "IndividualFinancial",
        "customer_id",
        "created_at",
    ),
    "financials.financialstatement": (
        "financials",
        "FinancialStatement",
        "customer_id",
        "created_at",
    ),
    "transactions.contract": ("transactions", "Contract", "customer_id", "created_at"),
    "transactions.invoice": ("transactions", "Invoice", "customer_id", "created_at"),
    "transactions.payment": ("transactions", "Payment", "customer_id", "created_at"),
    "transactions.paymentallocation": (
        "transactions",
        "PaymentAllocation",
        "payment__customer_id",
        "payment__created_at",
    ),
    "interactions.servicerecord": ("interactions", "ServiceRecord", "customer_id", "created_at"),
    "interactions.note": ("interactions", "Note", "customer_id", "created_at"),
    "documents.document": ("documents", "Document", "customer_id", "created_at"),
    "complaints.complaint": ("complaints", "Complaint", "customer_id", "created_at"),
}
CUSTOMER_LABEL = "customers.customer"


def record_model(label: str) -> type[models.Model]:
    if label == CUSTOMER_LABEL:
        return apps.get_model("customers", "Customer")
    app_label, model_name, _path, _created = RECORD_MODELS[label]
    return apps.get_model(app_label, model_name)


# --- approval context ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    checker_id: int
    request_id: int


_approval: contextvars.ContextVar[Approval | None] = contextvars.ContextVar(
    "credfile_history_approval", default=None
)


@contextmanager
def approval(*, checker_id: int, request_id: int) -> Iterator[None]:
    """Versions recorded inside carry the approving user and the change request."""
    token = _approval.set(Approval(checker_id=checker_id, request_id=request_id))
    try:
        yield
    finally:
        _approval.reset(token)


# --- snapshots ----------------------------------------------------------------------------------


def file_snapshot(obj: models.Model, *, tags: list[str] | None = None) -> dict[str, Any]:
    """Every field of the object, JSON-ready, sensitive values in plain (the version seals the
    snapshot as a whole); a file's tags with it (`tags` when the caller knows them)."""
    data = model_snapshot(obj)
    for field in obj._meta.concrete_fields:
        value = data.get(field.attname)
        if isinstance(field, models.DecimalField) and value not in (None, ""):
            # As the database gives it back (100 → "100.00"), so versions compare equal.
            data[field.attname] = f"{Decimal(str(value)):.{field.decimal_places}f}"
    if obj._meta.label_lower == CUSTOMER_LABEL and tags is not None:
        data["tags"] = sorted(tags)
    elif obj._meta.label_lower == CUSTOMER_LABEL and obj.pk:
        data["tags"] = sorted(obj.tags.values_list("name", flat=True))  # type: ignore[attr-defined]
    return data


@dataclass
class Change:
    """One object's change for `version_record`.

    `before` is the object's state before an update or delete: it becomes the baseline if
    the object has no version yet. `after` defaults to the object's current state (for a
    delete: to `before`, the state it was deleted in).
    """

    obj: models.Model
    operation: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def _actor_label(actor: Any) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return str(actor)[:150]
    return SYSTEM_ACTOR


def _row(
    *,
    customer_id: int,
    version: int,
    changed_at: datetime.datetime,
    actor: Any,
    obj: models.Model,
    operation: str,
    data: dict[str, Any],
    approval: Approval | None,
) -> FileVersion:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    row = FileVersion(
        customer_id=customer_id,
        version=version,
        changed_at=changed_at,
        actor=actor if authenticated else None,
        actor_label=_actor_label(actor),
        approved_by_id=approval.checker_id if approval else None,
        change_request_id=approval.request_id if approval else None,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        operation=operation,
    )
    row.data = data
    return row


def version_record(
    *, actor: Any, customer_id: int, version: int, changes: Sequence[Change]
) -> list[FileVersion]:
    """Record the new versions of the objects one committed change wrote (one insert)."""
    if not changes:
        return []
    now = timezone.now()
    current = _approval.get()
    needs_baseline = [c for c in changes if c.operation != Operation.CREATE]
    known: set[tuple[str, int]] = set()
    if needs_baseline:
        # Which objects of the file history knows already: one index range over the file.
        types = {c.obj._meta.label_lower for c in needs_baseline}
        known = set(
            FileVersion.objects.filter(customer_id=customer_id, object_type__in=types)
            .values_list("object_type", "object_id")
            .distinct()
        )
    rows: list[FileVersion] = []
    for change in changes:
        key = (change.obj._meta.label_lower, change.obj.pk)
        if change.operation != Operation.CREATE and key not in known and change.before:
            created = getattr(change.obj, "created_at", None)
            rows.append(
                _row(
                    customer_id=customer_id,
                    version=max(version - 1, 1),
                    changed_at=created if isinstance(created, datetime.datetime) else now,
                    actor=None,
                    obj=change.obj,
                    operation=Operation.BASELINE,
                    data=change.before,
                    approval=None,
                )
            )
            rows[-1].actor_label = ""
            known.add(key)
        if change.after is not None:
            data = change.after
        elif change.operation == Operation.DELETE:
            data = change.before or {}
        else:
            data = file_snapshot(change.obj)
        rows.append(
            _row(
                customer_id=customer_id,
                version=version,
                changed_at=now,
                actor=actor,
                obj=change.obj,
                operation=change.operation,
                data=data,
                approval=current,
            )
        )
    return FileVersion.objects.bulk_create(rows)


def version_record_one(
    *,
    actor: Any,
    customer_id: int,
    version: int,
    obj: models.Model,
    operation: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    version_record(
        actor=actor,
        customer_id=customer_id,
        version=version,
        changes=[Change(obj=obj, operation=operation, before=before, after=after)],
    )


def file_deleted(*, actor: Any, customer: models.Model, before: dict[str, Any]) -> None:
    """A file is about to be deleted with its records: record the deletion of each of them,
    with its last state, set-based (one query per kind of record, one insert)."""
    version = int(customer.version) + 1  # type: ignore[attr-defined]
    changes = [Change(obj=customer, operation=Operation.DELETE, before=before)]
    for label, (_app, _model, path, _created) in RECORD_MODELS.items():
        model = record_model(label)
        for obj in model._default_manager.filter(**{path: customer.pk}).order_by("pk"):
            snapshot = file_snapshot(obj)
            changes.append(Change(obj=obj, operation=Operation.DELETE, before=snapshot))
    version_record(actor=actor, customer_id=customer.pk, version=version, changes=changes)


def created_versions(
    *, actor: Any, objects: Iterable[models.Model], versions: dict[int, int] | None = None
) -> list[FileVersion]:
    """Unsaved versions of records created in bulk (an import), as the create services
    record them, for the caller to insert in one statement: files (a new file has no tags
    yet) at their own version, a file's records at `versions[customer_id]`."""
    now = timezone.now()
    rows = []
    for obj in objects:
        customer_id = getattr(obj, "customer_id", None)
        if customer_id is None:
            customer_id, version = obj.pk, int(obj.version)  # type: ignore[attr-defined]
        else:
            version = (versions or {})[customer_id]
        rows.append(
            _row(
                customer_id=customer_id,
                version=version,
                changed_at=now,
                actor=actor,
                obj=obj,
                operation=Operation.CREATE,
                data=file_snapshot(obj, tags=[]),
                approval=None,
            )
        )
    return rows


def baseline_versions(
    customers: Iterable[models.Model], tags: dict[int, list[str]] | None = None
) -> list[FileVersion]:
    """Unsaved baseline versions of files loaded in bulk: one per file, its state as loaded
    (for the demo loader, which inserts them with one bulk insert per batch)."""
    rows = []
    tags = tags or {}
    for customer in customers:
        data = model_snapshot(customer)
        data["tags"] = sorted(tags.get(customer.pk, []))
        created = getattr(customer, "created_at", None) or timezone.now()
        row = _row(
            customer_id=customer.pk,
            version=int(customer.version),  # type: ignore[attr-defined]
            changed_at=created,
            actor=None,
            obj=customer,
            operation=Operation.BASELINE,
            data=data,
            approval=None,
        )
        row.actor_label = DEMO_ACTOR
        rows.append(row)
    return rows
