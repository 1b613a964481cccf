"""Writes of documents: attaching one (checked, named, sealed when sensitive, stored), reading
one for a download or a preview (an audit event each), and deleting one through change
control (the approved deletion is private to this app)."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, model_snapshot
from credfile.core.crypto import associated_data, bytes_key_id, seal_bytes, unseal_bytes
from credfile.core.permissions import Section, grant_for_section
from credfile.customers.models import Customer
from credfile.customers.services import (
    delete_child_record,
    lock_customer_for_change,
    save_child_record,
    save_child_update,
)
from credfile.documents.choices import SENSITIVE_TYPES, DocumentStatus, DocumentType
from credfile.documents.content import inspect
from credfile.documents.models import Document

# The fields a correction may change (the type and date are part of the stored name).
DOCUMENT_FIELDS = ("title",)
_NAME_ATTEMPTS = 20


class DocumentDamaged(Exception):
    """The stored bytes no longer match the checksum taken when they were attached."""


def document_storage() -> Storage:
    return storages["documents"]


def archive_storage() -> Storage:
    return storages["archive"]


def storage_for(document: Document) -> Storage:
    """Where a document's bytes are: the archive store once its file is archived."""
    if document.status == DocumentStatus.ARCHIVED:
        return archive_storage()
    return document_storage()


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", part)


def document_name(*, code: str, document_type: str, day: datetime.date, seq: int, ext: str) -> str:
    """The stored name by the naming rule (CREDFILE_DOCUMENT_NAMING)."""
    name = settings.CREDFILE_DOCUMENT_NAMING.format(
        code=_safe(code),
        type=_safe(document_type),
        date=day.strftime("%Y%m%d"),
        seq=f"{seq:03d}",
        ext=ext,
    )
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValidationError({"file": [_("The naming rule gives an unsafe file name.")]})
    return name


def _aad(stored_name: str) -> bytes:
    return associated_data("documents.document", "content", stored_name)


def document_unseal(stored_name: str, blob: bytes) -> bytes:
    """A sealed document's stored bytes opened (raises DecryptionFailed when they do not
    belong to the document): what a download and the integrity inspection read."""
    return unseal_bytes(blob, _aad(stored_name))


def _read(upload: Any) -> bytes:
    """The upload's bytes, reading no more than one byte past the limit."""
    limit = settings.CREDFILE_DOCUMENT_MAX_BYTES
    if isinstance(upload, bytes):
        return upload
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {"file": [_("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1e6:g}"}]}
        )
    upload.seek(0)
    data: bytes = upload.read(limit + 1)
    return data


@transaction.atomic
def document_attach(
    *,
    actor: User,
    customer: Customer,
    upload: Any,
    name: str,
    document_type: str,
    title: str,
    document_date: datetime.date,
    retention_label: str = "",
) -> Document:
    """Keep a file on a credit file: whoever may change the file. Refused, storing nothing,
    when the name, size or content is not acceptable."""
    customer = lock_customer_for_change(actor, customer)  # also serialises the sequence
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": [_("Choose a document type.")]})
    data = _read(upload)
    original, detected = inspect(data, name)
    digest = hashlib.sha256(data).hexdigest()
    storage = document_storage()
    last = (
        Document.objects.filter(
            customer=customer, document_type=document_type, document_date=document_date
        ).aggregate(seq=Max("seq"))["seq"]
        or 0
    )
    seq = last + 1
    for _attempt in range(_NAME_ATTEMPTS):
        stored = document_name(
            code=customer.code,
            document_type=document_type,
            day=document_date,
            seq=seq,
            ext=detected.extension,
        )
        # A name already taken (a file left behind, another rule's name) is never reused.
        if not storage.exists(stored) and not Document.objects.filter(stored_name=stored).exists():
            break
        seq += 1
    else:
        raise ValidationError({"file": [_("No free stored name; try again.")]})
    encrypted = document_type in SENSITIVE_TYPES
    payload = seal_bytes(data, _aad(stored)) if encrypted else data
    document = Document(
        customer=customer,
        document_type=document_type,
        title=title,
        document_date=document_date,
        seq=seq,
        stored_name=stored,
        original_name=original,
        content_type=detected.content_type,
        size=len(data),
        sha256=digest,
        encrypted=encrypted,
        key_id=(bytes_key_id(payload) or "") if encrypted else "",
        retention_label=retention_label,
        meta=detected.meta,
        uploaded_by=actor,
    )
    save_child_record(actor=actor, customer=customer, obj=document, errors={})
    # The bytes last: a refusal above leaves neither a row nor a file behind.
    saved = storage.save(stored, ContentFile(payload))
    if saved != stored:
        storage.delete(saved)
        raise ValidationError({"file": [_("No free stored name; try again.")]})
    return document


def document_content(*, actor: User, customer: Customer, document: Document, use: str) -> bytes:
    """The document's bytes (opened when sealed, checked against the checksum), recorded in
    the audit trail as a look at the file's documents: `view`, or `grant_use` under a grant.
    `customer` comes from `customer_get` with the documents section."""
    with storage_for(document).open(document.stored_name, "rb") as handle:
        blob = handle.read()
    data = document_unseal(document.stored_name, blob) if document.encrypted else blob
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentDamaged(document.stored_name)
    access = customer.access  # type: ignore[attr-defined]
    details: dict[str, Any] = {
        "section": str(Section.DOCUMENTS),
        "use": use,
        "document": document.pk,
        "stored_name": document.stored_name,
    }
    action = AuditAction.VIEW
    if access.via_grant:
        grant = grant_for_section(access, Section.DOCUMENTS)
        details |= {"grant": grant.pk, "purpose": grant.purpose, "what": use}
        action = AuditAction.GRANT_USE
    audit_record(actor=actor, action=action, obj=document, customer_id=customer.pk, after=details)
    return data


def document_remove(*, actor: User, customer: Customer, document: Document, reason: str) -> Any:
    """Delete a document: by a request the department head approves when deletions need
    approval (returned), else at once (None). The one way a page or the API deletes one."""
    from credfile.changes.services import record_change

    return record_change(
        actor=actor, customer=customer, target=document, delete=True, reason=reason
    )


def _lock_document(actor: User, document: Document) -> tuple[Customer, Document]:
    customer = lock_customer_for_change(actor, Customer(pk=document.customer_id))
    locked = Document.objects.select_for_update().filter(pk=document.pk, customer=customer).first()
    if locked is None:
        raise ValidationError({"record": [_("This record no longer exists.")]})
    return customer, locked


@transaction.atomic
def _document_update(*, actor: User, document: Document, fields: dict[str, Any]) -> Document:
    customer, locked = _lock_document(actor, document)
    before = model_snapshot(locked)
    for name, value in fields.items():
        if name not in DOCUMENT_FIELDS:
            raise ValidationError({name: [_("This field cannot be set.")]})
        setattr(locked, name, value or "")
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors={})
    return locked


@transaction.atomic
def _document_delete(*, actor: User, document: Document) -> None:
    """Apply an approved deletion: the row goes with an audit event and a version; the
    stored bytes once the deletion has committed (never on a dry run, rolled back)."""
    customer, locked = _lock_document(actor, document)
    name = locked.stored_name
    delete_child_record(actor=actor, customer=customer, obj=locked)
    transaction.on_commit(lambda: document_storage().delete(name))


def documents_reseal(active: str, progress: Callable[[str, int], None] | None = None) -> int:
    """Re-seal every sealed document under the active key (a key rotation's step before the
    old keys are retired). On disk the new bytes are written beside the old and moved over
    them, in an object store the object is replaced whole, so an interrupted rotation leaves
    each document readable and resumes where it stopped."""
    done = 0
    stale = Document.objects.filter(encrypted=True).exclude(key_id=active).order_by("pk")
    for document in stale.iterator(chunk_size=100):
        storage = storage_for(document)
        with storage.open(document.stored_name, "rb") as handle:
            data = unseal_bytes(handle.read(), _aad(document.stored_name))
        blob = seal_bytes(data, _aad(document.stored_name))
        try:
            local = storage.path(document.stored_name)
        except NotImplementedError:  # an object store (S3) has no local path
            # S3 swaps in the new object when its (multipart) upload completes: until then
            # the old one is read.
            with storage.open(document.stored_name, "wb") as handle:
                handle.write(blob)
        else:
            spare = storage.save(f"{document.stored_name}.reseal", ContentFile(blob))
            os.replace(storage.path(spare), local)
        Document.objects.filter(pk=document.pk).update(key_id=bytes_key_id(blob) or "")
        done += 1
        if progress:
            progress("documents.Document", 1)
    return done
