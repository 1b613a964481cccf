"""Writes of the archive's life cycle: retention rules changed only by an approved proposal
(maker ≠ checker), settling and archiving a file (archived: read only, its documents moved
to the archive store and checked again), legal holds, and the daily list of what has
fallen due for destruction. Each write is one transaction with its audit record."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, model_snapshot
from credfile.core.crypto import unseal_bytes
from credfile.core.permissions import (
    can_propose_retention_rules,
    lifecycle_scope,
    retention_decide_scope,
)
from credfile.customers.choices import CustomerStatus
from credfile.customers.models import Customer
from credfile.customers.services import customer_lifecycle_status
from credfile.documents.choices import DocumentStatus, DocumentType
from credfile.documents.models import Document
from credfile.documents.services import _aad, archive_storage, document_storage
from credfile.retention.choices import (
    CountsFrom,
    ItemKind,
    ProposalStatus,
    RecordKind,
    RuleFileStatus,
)
from credfile.retention.models import (
    DestructionItem,
    DestructionList,
    FileLifecycle,
    LegalHold,
    RetentionRule,
    RetentionRuleChange,
)
from credfile.retention.schedule import latest_start_due, months_after

RULE_FIELDS = (
    "record_kind",
    "document_type",
    "file_status",
    "period_years",
    "period_months",
    "counts_from",
    "legal_basis",
    "is_active",
)
# Where a file may be settled from.
SETTLEABLE = (CustomerStatus.PROSPECT, CustomerStatus.ACTIVE, CustomerStatus.DORMANT)
CLOSED = (CustomerStatus.SETTLED, CustomerStatus.ARCHIVED)


class ArchiveDamaged(Exception):
    """A document copied to the archive store does not match its checksum."""


# --- the retention schedule ------------------------------------------------------------------


def _int(value: Any, field: str, errors: dict[str, list[str]]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return 0
    if number < 0:
        errors[field] = [_("The period cannot be negative.")]
    elif number > 100 * (12 if field == "period_months" else 1):
        errors[field] = [_("The period is too long.")]
    return number


def rule_fields_clean(fields: dict[str, Any]) -> dict[str, Any]:
    """A rule's values, checked: each error names its field, in the user's language."""
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - set(RULE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("This field cannot be set.")]
    kind = str(fields.get("record_kind") or "")
    if kind not in RecordKind.values:
        errors["record_kind"] = [_("Choose a record kind.")]
    document_type = str(fields.get("document_type") or "")
    if document_type and document_type not in DocumentType.values:
        errors["document_type"] = [_("Choose a document type.")]
    elif document_type and kind != RecordKind.DOCUMENT:
        errors["document_type"] = [_("Only a document rule names a document type.")]
    file_status = str(fields.get("file_status") or "")
    if file_status not in RuleFileStatus.values:
        errors["file_status"] = [_("Choose a file status.")]
    counts_from = str(fields.get("counts_from") or "")
    allowed = {
        RecordKind.FILE: {CountsFrom.SETTLED},
        RecordKind.DOCUMENT: {CountsFrom.SETTLED, CountsFrom.DOCUMENT_DATE},
        RecordKind.NEGATIVE: {CountsFrom.EVENT_END},
    }.get(kind, set(CountsFrom))  # type: ignore[call-overload]
    if counts_from not in CountsFrom.values or counts_from not in allowed:
        errors["counts_from"] = [_("Choose the event the period counts from for this kind.")]
    years = _int(fields.get("period_years", 0) or 0, "period_years", errors)
    months = _int(fields.get("period_months", 0) or 0, "period_months", errors)
    if not errors.get("period_years") and not errors.get("period_months") and years + months == 0:
        errors["period_years"] = [_("Enter a period of at least one month.")]
    basis = str(fields.get("legal_basis") or "").strip()
    if not basis:
        errors["legal_basis"] = [_("Name the legal basis of the rule.")]
    elif len(basis) > 2000:
        errors["legal_basis"] = [_("The legal basis is longer than 2000 characters.")]
    if errors:
        raise ValidationError(errors)
    return {
        "record_kind": kind,
        "document_type": document_type,
        "file_status": file_status,
        "period_years": years,
        "period_months": months,
        "counts_from": counts_from,
        "legal_basis": basis,
        "is_active": bool(fields.get("is_active", True)),
    }


def _same_rule(fields: dict[str, Any], rule: RetentionRule | None) -> Q:
    same = Q(
        record_kind=fields["record_kind"],
        document_type=fields["document_type"],
        file_status=fields["file_status"],
    )
    return same & ~Q(pk=rule.pk) if rule else same


@transaction.atomic
def rule_change_propose(
    *, actor: User, fields: dict[str, Any], reason: str, rule: RetentionRule | None = None
) -> RetentionRuleChange:
    """Propose a new rule (`rule` None) or new values for one: an administrator's; it
    applies when someone else approves it."""
    if not can_propose_retention_rules(actor):
        raise PermissionDenied(_("You may not propose retention rules."))
    clean = rule_fields_clean(fields)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Give a reason for the change.")]
    if RetentionRule.objects.filter(_same_rule(clean, rule)).exists():
        errors["record_kind"] = [_("A rule for this kind, type and status already exists.")]
    if rule is not None and all(getattr(rule, k) == v for k, v in clean.items()):
        errors["period_years"] = [_("The proposal changes nothing.")]
    if errors:
        raise ValidationError(errors)
    change = RetentionRuleChange.objects.create(
        rule=rule, fields=clean, reason=reason.strip()[:500], proposed_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUBMIT,
        obj=change,
        before=model_snapshot(rule) if rule else None,
        after={"rule": rule.pk if rule else None, "fields": clean, "reason": change.reason},
    )
    return change


@transaction.atomic
def rule_change_decide(
    *, actor: User, change: RetentionRuleChange, approve: bool, note: str = ""
) -> RetentionRuleChange:
    """Approve (the rule is created or changed, audited with its values before and after)
    or reject (with a note) a proposal: never one's own."""
    locked = (
        RetentionRuleChange.objects.select_for_update()
        .filter(retention_decide_scope(actor), pk=change.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not decide this proposal."))
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Give a reason for the rejection.")]})
    locked.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()[:500]
    if approve:
        fields = rule_fields_clean(locked.fields)
        if RetentionRule.objects.filter(_same_rule(fields, locked.rule)).exists():
            raise ValidationError(
                {"record_kind": [_("A rule for this kind, type and status already exists.")]}
            )
        if locked.rule is None:
            rule = RetentionRule.objects.create(**fields)
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=rule, after=model_snapshot(rule)
            )
            locked.rule = rule
        else:
            rule = RetentionRule.objects.select_for_update().get(pk=locked.rule.pk)
            before = model_snapshot(rule)
            for name, value in fields.items():
                setattr(rule, name, value)
            rule.version += 1
            rule.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=rule,
                before=before,
                after=model_snapshot(rule),
            )
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=locked,
        after={"rule": locked.rule_id, "note": locked.decision_note},
    )
    return locked


# --- the life cycle of a file ------------------------------------------------------------------


def _lock_for_lifecycle(actor: User, customer: Customer, statuses: tuple[str, ...]) -> Customer:
    locked = (
        Customer.objects.select_for_update().filter(lifecycle_scope(actor), pk=customer.pk).first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not settle or archive this credit file."))
    if locked.status not in statuses:
        raise ValidationError(
            {
                "status": [
                    _("Not possible while the file is %(status)s.")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    return locked


@transaction.atomic
def file_settle(
    *, actor: User, customer: Customer, today: datetime.date | None = None
) -> FileLifecycle:
    """Settle a file (结清): a department head of its department; the retention of a
    settled file counts from this day."""
    today = today or timezone.localdate()
    locked = _lock_for_lifecycle(actor, customer, SETTLEABLE)
    customer_lifecycle_status(actor=actor, customer=locked, status=CustomerStatus.SETTLED)
    lifecycle, _created = FileLifecycle.objects.get_or_create(customer=locked)
    before = model_snapshot(lifecycle)
    lifecycle.settled_on = today
    lifecycle.settled_by = actor
    lifecycle.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=lifecycle,
        customer_id=locked.pk,
        before=before,
        after=model_snapshot(lifecycle),
    )
    return lifecycle


def _archive_copy(document: Document) -> str:
    """Copy a document's bytes to the archive store under its stored name and check them
    there against the checksum; returns the name written."""
    source, target = document_storage(), archive_storage()
    with source.open(document.stored_name, "rb") as handle:
        blob = handle.read()
    if target.exists(document.stored_name):
        raise ArchiveDamaged(document.stored_name)
    written = target.save(document.stored_name, ContentFile(blob))
    with target.open(written, "rb") as handle:
        copied = handle.read()
    data = unseal_bytes(copied, _aad(document.stored_name)) if document.encrypted else copied
    if written != document.stored_name or hashlib.sha256(data).hexdigest() != document.sha256:
        target.delete(written)
        raise ArchiveDamaged(document.stored_name)
    return written


@transaction.atomic
def file_archive(
    *, actor: User, customer: Customer, today: datetime.date | None = None
) -> FileLifecycle:
    """Archive a settled file: from now on read only (the policy refuses every write), its
    documents moved to the archive store under the same names, each checked there against
    its checksum before the originals are removed (once the archiving has committed)."""
    today = today or timezone.localdate()
    locked = _lock_for_lifecycle(actor, customer, (CustomerStatus.SETTLED,))
    documents = list(
        Document.objects.filter(customer=locked, status=DocumentStatus.ACTIVE).order_by("pk")
    )
    copied: list[str] = []
    try:
        for document in documents:
            copied.append(_archive_copy(document))
    except Exception:
        for name in copied:
            archive_storage().delete(name)
        raise
    # A rollback below leaves the originals where they were; drop the copies then.
    transaction.on_commit(
        lambda: [document_storage().delete(d.stored_name) for d in documents]  # type: ignore[func-returns-value]
    )
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(status=DocumentStatus.ARCHIVED)
    customer_lifecycle_status(actor=actor, customer=locked, status=CustomerStatus.ARCHIVED)
    lifecycle, _created = FileLifecycle.objects.get_or_create(customer=locked)
    before = model_snapshot(lifecycle)
    lifecycle.archived_on = today
    lifecycle.archived_by = actor
    lifecycle.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=lifecycle,
        customer_id=locked.pk,
        before=before,
        after=model_snapshot(lifecycle)
        | {"documents": [{"stored_name": d.stored_name, "sha256": d.sha256} for d in documents]},
    )
    return lifecycle


# --- legal holds --------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *, actor: User, customer: Customer, reason: str, until: datetime.date | None = None
) -> LegalHold:
    """Hold a file (litigation, an inquiry): nothing of it is listed for destruction while
    the hold is in force. A department head of the file's department."""
    locked = (
        Customer.objects.select_for_update().filter(lifecycle_scope(actor), pk=customer.pk).first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not place a legal hold on this credit file."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the hold.")]})
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": [_("The end of the hold cannot be in the past.")]})
    hold = LegalHold.objects.create(
        customer=locked, reason=reason.strip()[:500], until=until, placed_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=hold,
        customer_id=locked.pk,
        after=model_snapshot(hold),
    )
    # What was listed before the hold is no longer due.
    DestructionItem.objects.filter(customer=locked, destruction_list__status="pending").delete()
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold) -> LegalHold:
    locked = (
        LegalHold.objects.select_for_update()
        .filter(lifecycle_scope(actor, prefix="customer__"), pk=hold.pk, lifted_at__isnull=True)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not lift this legal hold."))
    before = model_snapshot(locked)
    locked.lifted_by = actor
    locked.lifted_at = timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        customer_id=locked.customer_id,
        before=before,
        after=model_snapshot(locked),
    )
    return locked


# --- what has fallen due ----------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: str
    customer_id: int
    object_id: int
    rule_id: int
    due_on: datetime.date


def _by_specificity(rules: list[RetentionRule]) -> list[RetentionRule]:
    """A rule naming a type before one for every type; one naming a status before one for
    any: the first rule that matches a record is the one that keeps it."""
    return sorted(rules, key=lambda r: (not r.document_type, not r.file_status, r.pk))


def _status_q(rule: RetentionRule, prefix: str) -> Q:
    if rule.file_status:
        return Q(**{f"{prefix}status": rule.file_status})
    if rule.record_kind == RecordKind.NEGATIVE:
        return Q()
    return Q(**{f"{prefix}status__in": list(CLOSED)})


def due_items(*, today: datetime.date) -> list[Due]:
    """Every file, document and negative record past its retention on `today`, by the
    active rules, outside any legal hold in force, and not yet listed: one query per rule."""
    from credfile.risk.choices import WatchStatus
    from credfile.risk.models import WatchEntry

    rules = list(RetentionRule.objects.filter(is_active=True))
    found: list[Due] = []
    held = LegalHold.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), lifted_at__isnull=True
    )
    for kind, model, prefix in (
        (RecordKind.FILE, Customer, ""),
        (RecordKind.DOCUMENT, Document, "customer__"),
        (RecordKind.NEGATIVE, WatchEntry, "customer__"),
    ):
        claimed = Q(pk__in=[])
        for rule in _by_specificity([r for r in rules if r.record_kind == kind]):
            matches = _status_q(rule, prefix)
            if rule.document_type:
                matches &= Q(document_type=rule.document_type)
            # Listed exactly on the day it falls due (months_after of its start).
            cutoff = latest_start_due(today, rule.total_months)
            if rule.counts_from == CountsFrom.SETTLED:
                date_field = f"{prefix}lifecycle__settled_on"
            elif rule.counts_from == CountsFrom.DOCUMENT_DATE:
                date_field = "document_date"
            else:
                date_field = "cleared_on"
                matches &= Q(status=WatchStatus.CLEARED)
            customer_field = "pk" if kind == RecordKind.FILE else "customer_id"
            rows = (
                model.objects.filter(matches & ~claimed)
                .filter(**{f"{date_field}__lte": cutoff})
                .exclude(**{f"{customer_field}__in": held.values("customer_id")})
                .exclude(pk__in=DestructionItem.objects.filter(kind=kind).values("object_id"))
                .values_list("pk", customer_field, date_field)
            )
            for pk, customer_id, start in rows.iterator(chunk_size=2000):
                found.append(
                    Due(str(kind), customer_id, pk, rule.pk, months_after(start, rule.total_months))
                )
            claimed |= matches
    return found


@transaction.atomic
def destruction_list_make(*, today: datetime.date) -> DestructionList | None:
    """Record what has fallen due on `today` as a pending destruction list (none when
    nothing is due), for the department head to approve."""
    due = due_items(today=today)
    if not due:
        return None
    listing = DestructionList.objects.create(listed_on=today)
    DestructionItem.objects.bulk_create(
        [
            DestructionItem(
                destruction_list=listing,
                kind=d.kind,
                customer_id=d.customer_id,
                object_id=d.object_id,
                rule_id=d.rule_id,
                due_on=d.due_on,
            )
            for d in due
        ],
        batch_size=2000,
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=listing,
        after={
            "listed_on": today.isoformat(),
            "files": sum(d.kind == ItemKind.FILE for d in due),
            "documents": sum(d.kind == ItemKind.DOCUMENT for d in due),
            "negative": sum(d.kind == ItemKind.NEGATIVE for d in due),
        },
    )
    return listing
