"""The destruction journal: every destruction certificate, once committed, also as one signed
line of a JSON-lines file outside the database (CREDFILE_DESTRUCTION_JOURNAL_DIR).

A backup holds what was there when it was taken. Restored later, it would bring back files
destroyed since; `credfile restore` reads this journal and destroys again what a
certificate newer than the backup names (credfile.retention.destruction.destruction_reapply).
Each line carries an HMAC under a key derived from the master key, like the audit digests,
so a line written by someone without the key is refused rather than acted on.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from credfile.core.crypto import KeyRing, key_ring

JOURNAL_NAME = "destructions.jsonl"
_JOURNAL_KEY_INFO = b"credfile destruction journal v1"


class JournalError(Exception):
    """A journal line that is not one this instance's key signed."""


@dataclass(frozen=True)
class JournalEntry:
    certificate_id: int
    facts: dict[str, Any]
    mac: str


def journal_path() -> Path:
    return Path(settings.CREDFILE_DESTRUCTION_JOURNAL_DIR) / JOURNAL_NAME


def _key(ring: KeyRing, key_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_JOURNAL_KEY_INFO).derive(
        ring.keys[key_id]
    )


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def journal_append(facts: dict[str, Any], *, path: Path | None = None) -> None:
    """Append one certificate's facts; fsync'd, so a line written is a line kept."""
    ring = key_ring()
    body = {"certificate": facts["certificate"], "facts": facts}
    mac = hmac.new(_key(ring, ring.active), _canonical(body), hashlib.sha256).hexdigest()
    line = json.dumps({**body, "key": ring.active, "mac": mac}, ensure_ascii=False)
    path = path or journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def journal_position(*, path: Path | None = None) -> tuple[int, str]:
    """How many entries the journal holds and the signature of the last: where a backup
    taken now stands in it."""
    path = path or journal_path()
    if not path.exists():
        return 0, ""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return 0, ""
    try:
        return len(lines), str(json.loads(lines[-1])["mac"])
    except (ValueError, KeyError, TypeError):
        return len(lines), ""


def journal_read(*, path: Path | None = None, ring: KeyRing | None = None) -> list[JournalEntry]:
    """Every entry, oldest first; a line not signed by a key of the ring stops the read."""
    path = path or journal_path()
    if not path.exists():
        return []
    ring = ring or key_ring()
    entries: list[JournalEntry] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            body = {"certificate": data["certificate"], "facts": data["facts"]}
            key_id, mac = str(data["key"]), str(data["mac"])
        except (ValueError, KeyError, TypeError):
            raise JournalError(f"{path}:{number}: not a journal line") from None
        if key_id not in ring.keys or not hmac.compare_digest(
            hmac.new(_key(ring, key_id), _canonical(body), hashlib.sha256).hexdigest(), mac
        ):
            raise JournalError(f"{path}:{number}: the signature does not match")
        entries.append(
            JournalEntry(certificate_id=int(body["certificate"]), facts=body["facts"], mac=mac)
        )
    return entries


# Rebuilt from the certificates -------------------------------------------------------------


def _identity(facts: dict[str, Any]) -> tuple[str, int, int, str]:
    """What makes two journal lines the same destruction: a certificate re-applied in a
    restored backup repeats the original's kind, record and time under another id."""
    moment = datetime.datetime.fromisoformat(str(facts["destroyed_at"]))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return (
        str(facts["kind"]),
        int(facts["customer_id"]),
        int(facts["object_id"]),
        moment.isoformat(),
    )


@dataclass(frozen=True)
class JournalState:
    path: Path
    entries: int
    certificates: int
    missing: list[int]
    appended: list[int]


def journal_check(*, sync: bool = False, path: Path | None = None) -> JournalState:
    """The destruction certificates of the database that the journal does not hold (a
    destruction whose process died before its line was written, or whose journal could not
    be written); with `sync`, their lines appended, oldest first, signed like every line.
    A line not signed by a key of the instance raises JournalError and nothing is added."""
    from credfile.retention.destruction import journal_facts
    from credfile.retention.models import DestructionCertificate

    path = path or journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        entries = journal_read(path=path)
        journaled = {_identity(e.facts) for e in entries}
        rows = DestructionCertificate.objects.order_by("pk").values_list(
            "pk", "kind", "customer_id", "object_id", "destroyed_at"
        )
        missing: list[int] = []
        total = 0
        for pk, kind, customer_id, object_id, destroyed_at in rows.iterator(chunk_size=2000):
            total += 1
            facts = {
                "kind": kind,
                "customer_id": customer_id,
                "object_id": object_id,
                "destroyed_at": destroyed_at.isoformat(),
            }
            if _identity(facts) not in journaled:
                missing.append(pk)
        appended: list[int] = []
        if sync:
            for certificate in DestructionCertificate.objects.filter(pk__in=missing).order_by("pk"):
                journal_append(journal_facts(certificate), path=path)
                appended.append(certificate.pk)
    return JournalState(
        path=path,
        entries=len(entries) + len(appended),
        certificates=total,
        missing=missing,
        appended=appended,
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One check or sync at a time (a backup and an operator's at once add each line once)."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
