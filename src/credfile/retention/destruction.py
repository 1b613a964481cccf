"""Destruction at the end of retention, and a person's deletion request (PIPL art. 47).

A department head approves the items of a destruction list that belong to the department's
files. Each item is destroyed in one transaction: its database rows (with the blind indexes
and search keys they carry), its file versions and encrypted snapshots, change requests,
notifications naming it, and — once the transaction has committed — its stored files in
either store. A `DestructionCertificate` says what, why, when and who approved, with
SHA-256 hashes and no data, and its audit event lists the events whose content is erased:
the trail keeps who did what and when, and still verifies (credfile.audit.chain).
A legal hold in force stops an item; so does a file archived or settled only in part of its
retention (the daily list decides what is due, this module only what may go now).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.chain import ERASED_KEY
from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_hold, audit_record, model_snapshot
from credfile.core.permissions import destruction_scope
from credfile.customers.models import Customer
from credfile.documents.models import Document
from credfile.documents.services import storage_for
from credfile.retention.choices import DestructionStatus, ItemKind, ItemStatus, RequestStatus
from credfile.retention.journal import journal_append
from credfile.retention.models import (
    DeletionRequest,
    DestructionCertificate,
    DestructionItem,
    DestructionList,
    LegalHold,
)

log = logging.getLogger(__name__)

# Named in the certificate of a destruction a person asked for.
PIPL_BASIS = "《个人信息保护法》第四十七条 / Personal Information Protection Law, art. 47"


@dataclass
class Outcome:
    """What an approval did: the certificates written and the items it could not destroy."""

    certificates: list[DestructionCertificate] = field(default_factory=list)
    refused: list[tuple[DestructionItem, str]] = field(default_factory=list)
    # Chosen items left for a later approval, past `limit`.
    remaining: int = 0


def _held(customer_id: int, today: datetime.date) -> bool:
    return LegalHold.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), customer_id=customer_id, lifted_at__isnull=True
    ).exists()


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _add(counts: dict[str, int], deleted: tuple[int, dict[str, int]]) -> None:
    for label, number in deleted[1].items():
        if number:
            counts[label] = counts.get(label, 0) + number


def _file_row_counts(pks: list[int]) -> dict[int, dict[str, int]]:
    """{file: {model: rows}} of every model that names the file, one grouped count per
    model for all the files at once (what each certificate says went)."""
    from credfile.transactions.models import PaymentAllocation

    counts: dict[int, dict[str, int]] = {pk: {"customers.Customer": 1} for pk in pks}
    relations = [
        (r.related_model, r.field.name)
        for r in Customer._meta.related_objects
        if r.on_delete is not None and r.related_model is not DestructionItem
    ]
    relations.append((PaymentAllocation, "invoice__customer"))
    for model, name in relations:
        grouped = (
            model._default_manager.filter(**{f"{name}_id__in": pks})
            .values_list(f"{name}_id")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for pk, number in grouped:
            label = model._meta.label
            counts[pk][label] = counts[pk].get(label, 0) + number
    return counts


def _delete_file_rows(pks: list[int]) -> None:
    """Every row of these files, set-based, children first where a relation protects its
    target; the rest go by cascade with the files."""
    from credfile.changes.models import ChangeRequest
    from credfile.followup.models import CollectionAction
    from credfile.history.models import FileVersion
    from credfile.limits.models import CreditLimit, LimitRequest
    from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation

    for queryset in (
        FileVersion.objects.filter(customer_id__in=pks),
        ChangeRequest.objects.filter(customer_id__in=pks),
        # Two deletes, not one with OR: each then follows its own index.
        PaymentAllocation.objects.filter(invoice__customer_id__in=pks),
        PaymentAllocation.objects.filter(payment__customer_id__in=pks),
        CollectionAction.objects.filter(customer_id__in=pks),
        Invoice.objects.filter(customer_id__in=pks),
        Payment.objects.filter(customer_id__in=pks),
        Contract.objects.filter(customer_id__in=pks),
        CreditLimit.objects.filter(customer_id__in=pks),
        LimitRequest.objects.filter(customer_id__in=pks),
    ):
        queryset.delete()
    Customer.objects.filter(pk__in=pks).delete()


def _redact_notifications(code: str, name: str) -> int:
    """Reminders sent to staff list files by code and name: drop this file's line."""
    from credfile.reviews.models import Notification

    changed = 0
    line = f"{code} {name}"
    for note in Notification.objects.filter(body__contains=line).only("body", "files"):
        note.body = "\n".join(
            row for row in note.body.split("\n") if not row.startswith(line + " ")
        )
        note.files = [row for row in note.files if row.get("code") != code]
        note.save(update_fields=["body", "files"])
        changed += 1
    return changed


def _redact_imports(needles: set[str]) -> int:
    """An import run keeps a preview of its file's first rows and its row errors: rows and
    messages naming a destroyed file lose what names it. Import runs are few (one per
    upload), so they are read through once per batch of files."""
    from credfile.imports.models import ImportRun

    needles = {n for n in needles if n and len(n) >= 2}
    if not needles:
        return 0

    def named(text: Any) -> bool:
        return isinstance(text, str) and any(n in text for n in needles)

    def scrub(text: str) -> str:
        for needle in needles:
            text = text.replace(needle, "—")
        return text

    changed = 0
    for run in ImportRun.objects.exclude(result={}).only("result").iterator(chunk_size=200):
        result = dict(run.result or {})
        preview = result.get("preview") or []
        errors = result.get("errors") or []
        if not any(named(v) for row in preview for v in row) and not any(
            named(e.get("message")) for e in errors if isinstance(e, dict)
        ):
            continue
        result["preview"] = [
            ["—" for _v in row] if any(named(v) for v in row) else row for row in preview
        ]
        result["errors"] = [
            {**e, "message": scrub(e["message"])}
            if isinstance(e, dict) and named(e.get("message"))
            else e
            for e in errors
        ]
        ImportRun.objects.filter(pk=run.pk).update(result=result)
        changed += 1
    return changed


def _certify_and_erase(
    *,
    actor: User,
    certificate: DestructionCertificate,
    events: Q,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the certificate's audit event listing the events to erase, then erase them.
    The chain head is held from before they are chosen, so no event of them is written in
    between that the certificate would not list."""
    audit_hold()
    # Earlier certificates of the same file stay whole: they are the proof.
    chosen = AuditEvent.objects.filter(events, erased_in__isnull=True).exclude(
        action=AuditAction.DESTROY
    )
    seqs = list(chosen.exclude(content_digest="").values_list("seq", flat=True))
    kept = chosen.filter(content_digest="").count()
    certificate.counts = {**certificate.counts, "audit_erased": len(seqs), "audit_kept": kept}
    certificate.save(update_fields=["counts"])
    event = audit_record(
        actor=actor,
        action=AuditAction.DESTROY,
        obj=certificate,
        customer_id=certificate.customer_id,
        after={**_certificate_facts(certificate), **(extra or {}), ERASED_KEY: seqs},
    )
    for start in range(0, len(seqs), 900):
        AuditEvent.objects.filter(seq__in=seqs[start : start + 900]).erase_content(
            certificate_seq=event.seq
        )
    certificate.audit_seq = event.seq
    certificate.save(update_fields=["audit_seq"])


def _certificate_facts(certificate: DestructionCertificate) -> dict[str, Any]:
    return {
        "kind": certificate.kind,
        "customer_id": certificate.customer_id,
        "customer_code": certificate.customer_code,
        "object_id": certificate.object_id,
        "rule": certificate.rule_id,
        "request": certificate.request_id,
        "legal_basis": certificate.legal_basis,
        "due_on": certificate.due_on.isoformat(),
        "approved_by": certificate.approved_by_id,
        "destroyed_at": certificate.destroyed_at.isoformat(),
        "hashes": certificate.hashes,
        "counts": certificate.counts,
    }


def _remove_stored(documents: list[Document]) -> None:
    """The stored bytes go once the rows are gone for good: a rollback keeps both."""
    stored = [(storage_for(d), d.stored_name) for d in documents]

    def remove() -> None:
        for storage, name in stored:
            if storage.exists(name):
                storage.delete(name)

    transaction.on_commit(remove)


def _new_certificate(
    item: DestructionItem, customer: Customer, actor: User, object_id: int
) -> DestructionCertificate:
    if item.request_id is not None:
        basis = f"{PIPL_BASIS}: {item.request.basis}" if item.request else PIPL_BASIS
    else:
        basis = item.rule.legal_basis if item.rule else ""
    return DestructionCertificate(
        kind=item.kind,
        customer_id=customer.pk,
        customer_code=customer.code,
        object_id=object_id,
        department_id=customer.department_id,
        rule_id=item.rule_id,
        request_id=item.request_id,
        legal_basis=basis,
        due_on=item.due_on,
        approved_by=actor,
        destroyed_at=timezone.now(),
    )


def _documents_hashes(documents: list[Document]) -> list[dict[str, str]]:
    return [{"name": d.stored_name, "sha256": d.sha256} for d in documents]


# Files destroyed in one transaction: set-based deletes over the batch, a certificate each.
FILE_BATCH = 100


@transaction.atomic
def _destroy_files(
    item_pks: list[int], actor: User, today: datetime.date, outcome: Outcome
) -> None:
    """Destroy the files of these items together. A file under a legal hold is reported
    and kept; an item gone meanwhile (destroyed with its file) is passed over."""
    from credfile.history.models import FileVersion

    items = list(
        DestructionItem.objects.select_for_update(of=("self",))
        .filter(destruction_scope(actor), pk__in=item_pks, status=ItemStatus.PENDING)
        .exclude(customer__isnull=True)
        .select_related("rule", "request")
        .order_by("pk")
    )
    customers = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[i.customer_id for i in items])
    }
    held = set(
        LegalHold.objects.filter(
            Q(until__isnull=True) | Q(until__gte=today),
            customer_id__in=list(customers),
            lifted_at__isnull=True,
        ).values_list("customer_id", flat=True)
    )
    going: list[DestructionItem] = []
    for item in items:
        if item.customer_id in held:
            outcome.refused.append((item, _("A legal hold is in force on this file.")))
        elif item.customer_id in customers:
            going.append(item)
    if not going:
        return
    pks = [i.customer_id for i in going if i.customer_id is not None]
    documents: dict[int, list[Document]] = {pk: [] for pk in pks}
    for document in Document.objects.filter(customer_id__in=pks).order_by("pk"):
        documents[document.customer_id].append(document)
    versions = dict(
        FileVersion.objects.filter(customer_id__in=pks)
        .values_list("customer_id")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    rows = _file_row_counts(pks)
    certificates: dict[int, DestructionCertificate] = {}
    for item in going:
        customer = customers[item.customer_id]  # type: ignore[index]
        certificate = _new_certificate(item, customer, actor, customer.pk)
        certificate.hashes = {
            "record": _digest(model_snapshot(customer)),
            "documents": _documents_hashes(documents[customer.pk]),
        }
        certificate.counts = {
            "rows": rows[customer.pk],
            "versions": versions.get(customer.pk, 0),
            "files": len(documents[customer.pk]),
            "notifications": _redact_notifications(customer.code, customer.name),
        }
        certificate.save()
        certificates[customer.pk] = certificate
        # The other items of this file on any list go with it, under this certificate.
        DestructionItem.objects.filter(customer_id=customer.pk, status=ItemStatus.PENDING).update(
            status=ItemStatus.DESTROYED, certificate=certificate
        )
    _redact_imports(
        {
            value
            for c in (customers[pk] for pk in pks)
            for value in (c.name, c.code, c.credit_code, c.id_number)
            if value
        }
    )
    _delete_file_rows(pks)
    _remove_stored([d for pk in pks for d in documents[pk]])
    for pk, certificate in certificates.items():
        _certify_and_erase(
            actor=actor,
            certificate=certificate,
            events=Q(customer_id=pk) | Q(object_type="customers.customer", object_id=str(pk)),
        )
        outcome.certificates.append(certificate)
        _journal_on_commit(certificate)
    DeletionRequest.objects.filter(customer_id__in=pks).update(status=RequestStatus.DESTROYED)


def _destroy_file_under(
    certificate: DestructionCertificate,
    customer: Customer,
    actor: User,
    extra: dict[str, Any] | None = None,
) -> DestructionCertificate:
    """One file destroyed under a certificate made by the caller (a destruction re-applied
    in a restored backup): the same deletions as an approved batch."""
    from credfile.history.models import FileVersion

    pk = customer.pk
    documents = list(Document.objects.filter(customer_id=pk).order_by("pk"))
    certificate.hashes = {
        "record": _digest(model_snapshot(customer)),
        "documents": _documents_hashes(documents),
    }
    certificate.counts = {
        "rows": _file_row_counts([pk])[pk],
        "versions": FileVersion.objects.filter(customer_id=pk).count(),
        "files": len(documents),
        "notifications": _redact_notifications(customer.code, customer.name),
    }
    certificate.save()
    DestructionItem.objects.filter(customer_id=pk, status=ItemStatus.PENDING).update(
        status=ItemStatus.DESTROYED, certificate=certificate
    )
    _redact_imports(
        {v for v in (customer.name, customer.code, customer.credit_code, customer.id_number) if v}
    )
    _delete_file_rows([pk])
    _remove_stored(documents)
    _certify_and_erase(
        actor=actor,
        certificate=certificate,
        events=Q(customer_id=pk) | Q(object_type="customers.customer", object_id=str(pk)),
        extra=extra,
    )
    DeletionRequest.objects.filter(customer_id=pk).update(status=RequestStatus.DESTROYED)
    return certificate


def _destroy_one(
    item: DestructionItem,
    customer: Customer,
    actor: User,
    model: type[models.Model],
    documents: list[Document],
) -> DestructionCertificate:
    """A document or a negative record of a file that stays."""
    if not model._default_manager.filter(pk=item.object_id, customer_id=customer.pk).exists():
        raise ValidationError(_("The record is no longer there."))
    certificate = _new_certificate(item, customer, actor, item.object_id)
    return _destroy_one_under(certificate, customer, actor, model, documents)


def _destroy_one_under(
    certificate: DestructionCertificate,
    customer: Customer,
    actor: User,
    model: type[models.Model],
    documents: list[Document],
    extra: dict[str, Any] | None = None,
) -> DestructionCertificate:
    from credfile.changes.models import ChangeRequest
    from credfile.history.models import FileVersion

    object_id = certificate.object_id
    row = model._default_manager.get(pk=object_id, customer_id=customer.pk)
    label = model._meta.label_lower
    certificate.hashes = {
        "record": _digest(model_snapshot(row)),
        "documents": _documents_hashes(documents),
    }
    certificate.save()
    DestructionItem.objects.filter(
        kind=certificate.kind, object_id=object_id, customer=customer, status=ItemStatus.PENDING
    ).update(status=ItemStatus.DESTROYED, certificate=certificate)
    versions = FileVersion.objects.filter(object_type=label, object_id=object_id)
    counts: dict[str, int] = {}
    version_count = versions.count()
    _add(counts, versions.delete())
    _add(
        counts,
        ChangeRequest.objects.filter(target_type=label, target_id=object_id).delete(),
    )
    _add(counts, model._default_manager.filter(pk=object_id).delete())
    certificate.counts = {"rows": counts, "versions": version_count, "files": len(documents)}
    _remove_stored(documents)
    _certify_and_erase(
        actor=actor,
        certificate=certificate,
        events=Q(object_type=label, object_id=str(object_id)),
        extra=extra,
    )
    return certificate


@transaction.atomic
def _destroy(item_pk: int, actor: User, today: datetime.date) -> DestructionCertificate:
    from credfile.risk.models import WatchEntry

    item = (
        # Only the item's row: PostgreSQL locks no row of an outer join's nullable side.
        DestructionItem.objects.select_for_update(of=("self",))
        .filter(destruction_scope(actor), pk=item_pk, status=ItemStatus.PENDING)
        .select_related("rule", "request")
        .first()
    )
    if item is None or item.customer_id is None:
        raise PermissionDenied(_("You may not approve the destruction of this record."))
    customer = Customer.objects.select_for_update().get(pk=item.customer_id)
    if _held(customer.pk, today):
        raise ValidationError(_("A legal hold is in force on this file."))
    if item.kind == ItemKind.DOCUMENT:
        documents = list(Document.objects.filter(pk=item.object_id, customer=customer))
        certificate = _destroy_one(item, customer, actor, Document, documents)
    else:
        certificate = _destroy_one(item, customer, actor, WatchEntry, [])
    _journal_on_commit(certificate)
    return certificate


def _journal_on_commit(certificate: DestructionCertificate) -> None:
    # Outside the database as well, once committed: a backup restored later re-applies it.
    facts = journal_facts(certificate)
    transaction.on_commit(lambda: _journal(facts))


def _journal(facts: dict[str, Any]) -> None:
    # The destruction has committed; a journal that cannot be written must not make it
    # look failed. It is logged loudly: a restore of an older backup would miss it.
    try:
        journal_append(facts)
    except OSError:
        log.exception("destruction certificate %s not written to the journal", facts["certificate"])


def journal_facts(certificate: DestructionCertificate) -> dict[str, Any]:
    """What the destruction journal keeps of a certificate: enough to destroy the same
    records again in a restored backup (credfile.retention.journal)."""
    return {
        **_certificate_facts(certificate),
        "certificate": certificate.pk,
        "department_id": certificate.department_id,
        "audit_seq": certificate.audit_seq,
    }


@transaction.atomic
def destruction_reapply(facts: dict[str, Any]) -> DestructionCertificate | None:
    """Destroy again, in a restored backup, what a certificate of the destruction journal
    names: the same deletions and erasure as the approved destruction, without a new
    approval, under a certificate that repeats the original's facts and whose audit event
    names the original certificate. None when the backup holds nothing of it (the record
    was created after the backup, or destroyed before it)."""
    from credfile.retention.models import RetentionRule
    from credfile.risk.models import WatchEntry

    kind = str(facts["kind"])
    object_id = int(facts["object_id"])
    customer = (
        Customer.objects.select_for_update()
        .filter(pk=int(facts["customer_id"]), code=str(facts["customer_code"]))
        .first()
    )
    if customer is None:
        return None
    model: type[models.Model] = Document if kind == ItemKind.DOCUMENT else WatchEntry
    if kind != ItemKind.FILE and not (
        model._default_manager.filter(pk=object_id, customer_id=customer.pk).exists()
    ):
        return None
    actor = User.objects.filter(pk=facts["approved_by"]).first()
    if actor is None:
        raise ValidationError(_("The approver of the destruction is not in this instance."))
    # A rule or request made after the backup is not in it: the certificate names neither.
    rule_id = int(facts.get("rule") or 0)
    request_id = int(facts.get("request") or 0)
    certificate = DestructionCertificate(
        kind=kind,
        customer_id=customer.pk,
        customer_code=customer.code,
        object_id=object_id,
        department_id=customer.department_id,
        rule_id=rule_id if RetentionRule.objects.filter(pk=rule_id).exists() else None,
        request_id=request_id if DeletionRequest.objects.filter(pk=request_id).exists() else None,
        legal_basis=str(facts.get("legal_basis", "")),
        due_on=datetime.date.fromisoformat(str(facts["due_on"])),
        approved_by=actor,
        destroyed_at=datetime.datetime.fromisoformat(str(facts["destroyed_at"])),
    )
    extra = {"reapplies": facts.get("certificate"), "reapplied_at": timezone.now().isoformat()}
    if kind == ItemKind.FILE:
        return _destroy_file_under(certificate, customer, actor, extra)
    documents = (
        list(Document.objects.filter(pk=object_id, customer=customer))
        if kind == ItemKind.DOCUMENT
        else []
    )
    return _destroy_one_under(certificate, customer, actor, model, documents, extra)


def destruction_approve(
    *,
    actor: User,
    listing: DestructionList | None = None,
    item_ids: list[int] | None = None,
    today: datetime.date | None = None,
    limit: int | None = None,
) -> Outcome:
    """Approve and carry out the destruction of pending items of the actor's department:
    those named, or all of `listing`. Files go first, so their documents and records go
    with them: up to FILE_BATCH files in a transaction, set-based, a certificate each;
    then each document or record in a transaction of its own. An item that may not go
    now (a legal hold) is reported and stays listed. `limit` caps the items of one call
    (a request's time): the rest are counted in `remaining`."""
    today = today or timezone.localdate()
    pending = DestructionItem.objects.filter(destruction_scope(actor), status=ItemStatus.PENDING)
    if listing is not None:
        pending = pending.filter(destruction_list=listing)
    if item_ids is not None:
        pending = pending.filter(pk__in=item_ids)
    elif listing is None:
        raise PermissionDenied(_("Name the list or the items to destroy."))
    order = models.Case(
        models.When(kind=ItemKind.FILE, then=0), default=1, output_field=models.IntegerField()
    )
    chosen = list(pending.order_by(order, "pk").values_list("pk", "destruction_list_id", "kind"))
    if not chosen:
        raise PermissionDenied(_("Nothing chosen is waiting for your approval."))
    outcome = Outcome()
    if limit is not None and len(chosen) > limit:
        outcome.remaining = len(chosen) - limit
        chosen = chosen[:limit]
    files = [pk for pk, _list, kind in chosen if kind == ItemKind.FILE]
    for start in range(0, len(files), FILE_BATCH):
        _destroy_files(files[start : start + FILE_BATCH], actor, today, outcome)
    for pk, _list, kind in chosen:
        if kind == ItemKind.FILE:
            continue
        try:
            outcome.certificates.append(_destroy(pk, actor, today))
        except ValidationError as exc:
            item = DestructionItem.objects.get(pk=pk)
            outcome.refused.append((item, " ".join(exc.messages)))
        except PermissionDenied:
            # Destroyed meanwhile with its file, by this approval or another.
            continue
    touched = {list_id for _pk, list_id, _kind in chosen}
    DestructionList.objects.filter(pk__in=touched).exclude(items__status=ItemStatus.PENDING).update(
        status=DestructionStatus.DONE
    )
    return outcome


@transaction.atomic
def deletion_request_record(
    *,
    actor: User,
    customer: Customer,
    basis: str,
    received_on: datetime.date | None = None,
) -> DeletionRequest:
    """Record a person's request to delete their file: it is listed for destruction at once,
    for the department head's approval like any item fallen due. A legal hold refuses it."""
    today = timezone.localdate()
    received_on = received_on or today
    locked = (
        Customer.objects.select_for_update()
        .filter(destruction_scope(actor, prefix=""), pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not record a deletion request for this credit file."))
    errors: dict[str, list[str]] = {}
    if not basis.strip():
        errors["basis"] = [_("Describe the request: who asked, how and when.")]
    if received_on > today:
        errors["received_on"] = [_("The request cannot have been received in the future.")]
    if _held(locked.pk, today):
        errors["basis"] = [
            _("A legal hold is in force on this file: it cannot be deleted until it is lifted.")
        ]
    if DestructionItem.objects.filter(
        kind=ItemKind.FILE, object_id=locked.pk, status=ItemStatus.PENDING
    ).exists():
        errors["basis"] = [_("The file is already listed for destruction.")]
    if errors:
        raise ValidationError(errors)
    request = DeletionRequest.objects.create(
        customer_id=locked.pk,
        customer_code=locked.code,
        department_id=locked.department_id,
        received_on=received_on,
        basis=basis.strip()[:500],
        recorded_by=actor,
    )
    listing = DestructionList.objects.create(listed_on=today)
    # Anything of the file listed before is replaced by the file itself.
    DestructionItem.objects.filter(customer=locked, status=ItemStatus.PENDING).delete()
    DestructionItem.objects.create(
        destruction_list=listing,
        kind=ItemKind.FILE,
        customer=locked,
        object_id=locked.pk,
        request=request,
        due_on=today,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUBMIT,
        obj=request,
        customer_id=locked.pk,
        after={
            "received_on": received_on.isoformat(),
            "basis": request.basis,
            "destruction_list": listing.pk,
        },
    )
    return request
