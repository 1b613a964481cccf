"""The integrity inspection: every stored document against its checksum, the storage for
files no document names, and the audit chain, recorded with what was found.

Streaming and set-based: documents are read in keyset batches of their (id, name, checksum)
only, plain files hashed in chunks; the storage is listed directory by directory and its
names looked up in the table a batch at a time. The inspection's row is committed first,
marked unfinished; its counts, findings and audit event are written in one transaction at the
end, so an inspection that dies midway stays unfinished on the page.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from credfile.audit.chain import VerifyResult
from credfile.audit.choices import AuditAction
from credfile.audit.digests import DigestError, DigestScan, digests_scan
from credfile.audit.selectors import chain_verify
from credfile.audit.services import audit_record
from credfile.core.crypto import DecryptionFailed
from credfile.documents.choices import DocumentStatus
from credfile.documents.models import Document
from credfile.documents.services import archive_storage, document_storage, document_unseal
from credfile.inspections.models import (
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionResult,
    InspectionTrigger,
)

BATCH = 1000
CHUNK = 1 << 20


@dataclass
class _Found:
    kind: str
    stored_name: str
    params: dict[str, Any]
    document_id: int | None = None


def _digest(storage: Storage, name: str, encrypted: bool) -> tuple[str, int]:
    """The SHA-256 of a document's content and the bytes read. Sealed contents are opened
    whole (AES-GCM authenticates the whole message); plain ones are hashed in chunks."""
    with storage.open(name, "rb") as handle:
        if encrypted:
            blob = handle.read()
            return hashlib.sha256(document_unseal(name, blob)).hexdigest(), len(blob)
        digest = hashlib.sha256()
        size = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size


def _documents() -> Iterator[list[tuple[int, str, str, bool, str]]]:
    last = 0
    while True:
        batch = list(
            Document.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "stored_name", "sha256", "encrypted", "status")[:BATCH]
        )
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _stored_names(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in the storage, recursively (FileSystemStorage and S3 alike)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        # A store never written to has no directory yet (the archive store until the first
        # file is archived): it holds nothing. A directory gone midway is an error.
        if path:
            raise
        return
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _stored_names(storage, f"{path}/{directory}" if path else directory)


def _written_since(storage: Storage, name: str, since: Any) -> bool:
    try:
        return bool(storage.get_modified_time(name) >= since)
    except (OSError, NotImplementedError):
        return False


def _chain() -> tuple[VerifyResult, list[_Found]]:
    """The check of `credfile audit verify` (every link, every digest found), its findings
    kept as values."""
    found: list[_Found] = []
    try:
        scan: DigestScan | None = digests_scan()
    except DigestError as exc:
        scan = None
        found.append(_Found(FindingKind.CHAIN_BREAK, "", {"error": str(exc)}))
    result = chain_verify(digests=scan.to_check if scan is not None else ())
    if result.broken is not None:
        broken = result.broken
        found.insert(
            0,
            _Found(
                FindingKind.CHAIN_BREAK,
                "",
                {
                    "break": {
                        "reason": broken.reason,
                        "seq": broken.seq,
                        "event_id": broken.event_id,
                        "detail": json.loads(json.dumps(broken.detail, default=str)),
                    }
                },
            ),
        )
    for problem in scan.problems if scan is not None else ():
        found.append(
            _Found(
                FindingKind.CHAIN_BREAK,
                problem.path,
                {
                    "digest": {
                        "path": problem.path,
                        "reason": problem.reason,
                        "key_id": problem.key_id,
                    }
                },
            )
        )
    return result, found


def inspection_start(*, actor: Any = None, trigger: str = InspectionTrigger.COMMAND) -> Inspection:
    """Record an inspection as begun (committed at once: a crash leaves it unfinished)."""
    with transaction.atomic():
        return Inspection.objects.create(
            started_at=timezone.now(),
            trigger=trigger,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def inspection_execute(inspection: Inspection, *, actor: Any = None) -> Inspection:
    """Check everything and record what was found with an audit event."""
    began = time.monotonic()
    # An archived file's documents are in the archive store, the others in the documents
    # store: each is looked for where it should be, and each store is listed for orphans.
    stores = {False: document_storage(), True: archive_storage()}
    found: list[_Found] = []
    checked = bytes_read = 0
    # The names read here answer the orphan check below from memory: one pass over the
    # table instead of a lookup per thousand names (a few MB per 100,000 documents).
    known: dict[bool, set[str]] = {False: set(), True: set()}
    for batch in _documents():
        for pk, name, expected, encrypted, status in batch:
            checked += 1
            known[status == DocumentStatus.ARCHIVED].add(name)
            storage = stores[status == DocumentStatus.ARCHIVED]
            try:
                actual, size = _digest(storage, name, encrypted)
            except FileNotFoundError:
                found.append(_Found(FindingKind.MISSING, name, {}, pk))
                continue
            except DecryptionFailed:
                found.append(_Found(FindingKind.CHECKSUM_MISMATCH, name, {"sealed": True}, pk))
                continue
            bytes_read += size
            if actual != expected:
                found.append(
                    _Found(
                        FindingKind.CHECKSUM_MISMATCH,
                        name,
                        {"actual": actual, "expected": expected},
                        pk,
                    )
                )
    # A document deleted while the inspection ran loses its row before its file.
    gone = [f.document_id for f in found if f.kind == FindingKind.MISSING and f.document_id]
    if gone:
        still = set(Document.objects.filter(pk__in=gone).values_list("pk", flat=True))
        found = [f for f in found if f.kind != FindingKind.MISSING or f.document_id in still]
    for archived, storage in stores.items():
        for name in _stored_names(storage):
            # A file written after the start may belong to a document attached (or a file
            # archived) since its row was read.
            if name not in known[archived] and not _written_since(
                storage, name, inspection.started_at
            ):
                found.append(_Found(FindingKind.ORPHAN, name, {}))
    chain, chain_found = _chain()
    found += chain_found
    counts = {kind: sum(1 for f in found if f.kind == kind) for kind in FindingKind.values}
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        locked.finished_at = timezone.now()
        locked.documents_checked = checked
        locked.checksum_mismatches = counts[FindingKind.CHECKSUM_MISMATCH]
        locked.missing_files = counts[FindingKind.MISSING]
        locked.orphaned_files = counts[FindingKind.ORPHAN]
        locked.events_checked = chain.checked
        locked.chain_ok = not chain_found
        locked.chain_last_seq = chain.last_seq
        locked.chain_break_seq = chain.broken.seq if chain.broken else None
        locked.bytes_read = bytes_read
        locked.seconds = round(time.monotonic() - began, 3)
        locked.result = InspectionResult.PROBLEMS if found else InspectionResult.OK
        locked.save()
        InspectionFinding.objects.bulk_create(
            (
                InspectionFinding(
                    inspection=locked,
                    kind=f.kind,
                    document_id=f.document_id,
                    stored_name=f.stored_name[:400],
                    params=f.params,
                )
                for f in found
            ),
            batch_size=BATCH,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=locked,
            after=inspection_summary(locked),
        )
    return locked


def inspection_run(*, actor: Any = None, trigger: str = InspectionTrigger.COMMAND) -> Inspection:
    return inspection_execute(inspection_start(actor=actor, trigger=trigger), actor=actor)


def inspection_summary(inspection: Inspection) -> dict[str, Any]:
    return {
        "result": str(inspection.result),
        "trigger": str(inspection.trigger),
        "documents_checked": inspection.documents_checked,
        "checksum_mismatches": inspection.checksum_mismatches,
        "missing_files": inspection.missing_files,
        "orphaned_files": inspection.orphaned_files,
        "events_checked": inspection.events_checked,
        "chain_ok": inspection.chain_ok,
        "chain_break_seq": inspection.chain_break_seq,
        "chain_last_seq": inspection.chain_last_seq,
    }
