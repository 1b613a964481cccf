"""Audit-trail fixtures: a short trail, and the tools an attacker with database access has."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from credfile.audit.chain import content_hash, event_hash
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record
from tests.conftest import Personas


@pytest.fixture(autouse=True)
def _english_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")


@pytest.fixture(autouse=True)
def digest_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test keeps its digests in a directory of its own, with no copy directory."""
    settings.CREDFILE_AUDIT_DIGEST_DIR = tmp_path / "audit-digests"
    settings.CREDFILE_AUDIT_DIGEST_COPY = None
    return settings.CREDFILE_AUDIT_DIGEST_DIR  # type: ignore[no-any-return]


@pytest.fixture
def trail(personas: Personas) -> list[AuditEvent]:
    """Ten events, seq 1 to 10, by several people."""
    people = [personas.account_manager, personas.department_head, personas.auditor]
    return [
        audit_record(
            actor=people[n % 3],
            action="update",
            obj=people[n % 3],
            before={"n": n - 1},
            after={"n": n, "note": f"第{n}次"},
        )
        for n in range(1, 11)
    ]


@contextlib.contextmanager
def tampering() -> Iterator[Any]:
    """A cursor that writes past the PostgreSQL triggers, as a DBA (superuser) could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")


def rechain_from(seq: int) -> None:
    """Recompute prev_hash and hash from `seq` on and move the head: a careful attacker."""
    columns = [
        "id",
        "seq",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "customer_id",
        "before",
        "after",
        "ip",
        "request_id",
        "content_salt",
    ]
    prev = AuditEvent.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    prev = prev or "0" * 64
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq").values_list(*columns))
    with tampering() as cursor:
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            event_id = values.pop("id")
            salt = values.pop("content_salt")
            values["content_digest"] = content = content_hash(
                salt=salt,
                object_repr=values["object_repr"],
                before=values["before"],
                after=values["after"],
            )
            digest = event_hash(prev_hash=prev, **values)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, content_digest = %s "
                "WHERE id = %s",
                [prev, digest, content, event_id],
            )
            prev = digest
        cursor.execute(
            "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [rows[-1][1], prev]
        )


def run_audit(*args: str) -> tuple[int, str]:
    """Run `credfile audit …`: (exit status, what it printed, the error last)."""
    out = io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def audit_cli() -> Callable[..., tuple[int, str]]:
    return run_audit
