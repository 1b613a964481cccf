"""Whether this instance can serve: the checks behind /readyz.

Each check is cheap (one short query, a seal and unseal in memory, one small file written and
deleted) and answers with its name, ok or failed and a short fixed reason: never an
exception's text, a path or a value, since /readyz answers anyone who asks.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max, Min
from django.utils import timezone

from credfile.core.crypto import DecryptionFailed, KeyFileMissing, key_ring, seal, unseal
from credfile.documents.services import archive_storage, document_storage
from credfile.reviews.models import JobRun

# Milliseconds the readiness query may take on PostgreSQL before it counts as failed.
DATABASE_TIMEOUT_MS = 2000
_PROBE_AAD = b"credfile|readiness|probe"
_PROBE_TEXT = "credfile readiness probe"


@dataclass(frozen=True)
class Check:
    """One readiness check's answer."""

    name: str
    ok: bool
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        answer = {"status": "ok" if self.ok else "failed"}
        if self.reason:
            answer["reason"] = self.reason
        return answer


def check_database() -> Check:
    """SELECT 1 on the default connection, under a statement timeout on PostgreSQL."""
    connection = connections["default"]
    try:
        with transaction.atomic(using="default"), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # SET LOCAL: the timeout ends with this transaction, not with the connection.
                cursor.execute(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check("database", False, "unreachable")
    return Check("database", True)


def check_encryption_key() -> Check:
    """The key ring is loaded, its file still there, and its active key seals and unseals."""
    try:
        ring = key_ring()
    except KeyFileMissing:
        return Check("encryption_key", False, "key file missing")
    except ImproperlyConfigured:
        return Check("encryption_key", False, "key file damaged")
    if not ring.path.exists():
        # Loaded at start-up and since removed: the next start would fail.
        return Check("encryption_key", False, "key file missing")
    try:
        if unseal(seal(_PROBE_TEXT, _PROBE_AAD, ring=ring), _PROBE_AAD, ring=ring) != _PROBE_TEXT:
            return Check("encryption_key", False, "probe failed")
    except (DecryptionFailed, KeyError, ValueError):
        return Check("encryption_key", False, "probe failed")
    return Check("encryption_key", True)


def _hours(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def check_job_worker(*, now: datetime.datetime | None = None) -> Check:
    """The newest job run finished within CREDFILE_READY_JOB_STALE_HOURS.

    The jobs run daily and the worker tries every minute, so a day and a bit without any
    finished run means no worker (or cron) is running. A new instance has run no job yet:
    that is ready while its database was set up less than the same hours ago, so a web server
    started before its worker is not kept out of service, and failed after that, so a worker
    that was never started does not go unnoticed.
    """
    now = now or timezone.now()
    stale = datetime.timedelta(hours=settings.CREDFILE_READY_JOB_STALE_HOURS)
    try:
        newest = JobRun.objects.aggregate(newest=Max("finished_at"))["newest"]
        if newest is None:
            set_up = MigrationRecorder.Migration.objects.aggregate(first=Min("applied"))["first"]
            if set_up is not None and now - set_up > stale:
                return Check(
                    "job_worker",
                    False,
                    f"no job has run since set-up {_hours(now - set_up)} h ago",
                )
            return Check("job_worker", True, "no job has run yet")
    except DatabaseError:
        return Check("job_worker", False, "database unavailable")
    if now - newest > stale:
        return Check("job_worker", False, f"newest run {_hours(now - newest)} h ago")
    return Check("job_worker", True)


def _check_storage(name: str, storage: Callable[[], Storage]) -> Check:
    """A small probe written and deleted: the store takes new files and lets them go."""
    try:
        store = storage()
        saved = store.save(f".readyz-{secrets.token_hex(8)}", ContentFile(b"ok"))
        store.delete(saved)
    except Exception:
        # Any backend's error (OSError locally, botocore's for S3) means the same here.
        return Check(name, False, "not writable")
    return Check(name, True)


def check_document_storage() -> Check:
    return _check_storage("document_storage", document_storage)


def check_archive_storage() -> Check:
    return _check_storage("archive_storage", archive_storage)


CHECKS: tuple[Callable[[], Check], ...] = (
    check_database,
    check_encryption_key,
    check_job_worker,
    check_document_storage,
    check_archive_storage,
)


def readiness() -> list[Check]:
    """Every check's answer, in order; all run even when one fails, so one answer names all."""
    return [check() for check in CHECKS]
