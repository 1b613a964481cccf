"""A backup of a running instance, restored into an empty one, gives back the same rows, the
same documents and an audit trail that verifies; what was destroyed since stays destroyed;
a damaged, cut-off, foreign or other-key backup is refused with nothing changed."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.backups.archive import BackupRefused
from credfile.backups.models import Backup
from credfile.backups.selectors import last_backup
from credfile.backups.services import backup_create, backup_restore
from credfile.core.crypto import create_key_file
from credfile.customers.models import Customer
from credfile.documents.models import Document
from credfile.retention.destruction import deletion_request_record, destruction_approve
from credfile.retention.models import DestructionItem
from tests.conftest import Personas
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

SRC = Path(__file__).resolve().parents[2] / "src"


@dataclass
class Target:
    """An empty instance of its own: a CREDFILE_HOME and an empty database."""

    home: Path
    url: str
    env: dict[str, str]

    def restore(self, backup: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "credfile", "restore", str(backup), *extra],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with contextlib.closing(sqlite3.connect(self.home / "credfile.sqlite3")) as db:
                return list(db.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.url) as db:
            return list(db.execute(sql).fetchall())  # type: ignore[arg-type]

    def stored(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.home))
            for store in ("documents", "archive")
            for p in (self.home / store).rglob("*")
            if p.is_file()
        )


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    home = tmp_path / "restored"
    home.mkdir()
    created = ""
    if connection.vendor == "postgresql":
        import psycopg

        created = f"test_cf_backup_dst_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{created}"')
        url = _pg_url(created)
    else:
        url = f"sqlite:///{home / 'credfile.sqlite3'}"
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CREDFILE_HOME": str(home),
        "DATABASE_URL": url,
        "CREDFILE_KEY_FILE": str(settings.CREDFILE_KEY_FILE),
        "CREDFILE_DESTRUCTION_JOURNAL_DIR": str(settings.CREDFILE_DESTRUCTION_JOURNAL_DIR),
        "CREDFILE_LANGUAGE": "en",
    }
    for name in (
        "CREDFILE_DOCUMENT_S3_BUCKET",
        "CREDFILE_ARCHIVE_S3_BUCKET",
        "CREDFILE_BACKUP_KEY_FILE",
    ):
        env.pop(name, None)
    yield Target(home=home, url=url, env=env)
    if created:
        import psycopg

        with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def _filed(personas: Personas, name: str) -> Customer:
    customer: Customer = CustomerFactory(
        name=name, department=personas.sales, account_manager=personas.account_manager
    )
    return customer


def _report(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr + done.stdout
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


WRITER = """
import os, sys, time, django
django.setup()
from django.db import transaction
from credfile.accounts.models import Department
from credfile.audit.services import audit_record
stop, n = sys.argv[1], 0
while not os.path.exists(stop):
    with transaction.atomic():
        department = Department.objects.create(code=f"LOAD{n}", name=f"负载{n}")
        audit_record(actor=None, action="create", obj=department, after={"n": n})
    n += 1
    if n == 3:
        open(stop + ".started", "w").close()
print(n)
"""


def _source_env(tmp_path: Path) -> dict[str, str]:
    """The test's instance as another process sees it: on SQLite a file copy of the test
    database (the in-memory one is this process's alone), on PostgreSQL the test database."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "source.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(copy)) as db:
            connection.connection.backup(db)
            db.execute("PRAGMA journal_mode=WAL")
        url = f"sqlite:///{copy}"
    else:
        url = _pg_url(str(connection.settings_dict["NAME"]))
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "credfile.settings",
        "CREDFILE_HOME": str(tmp_path / "source-home"),
        "DATABASE_URL": url,
        "CREDFILE_KEY_FILE": str(settings.CREDFILE_KEY_FILE),
        "CREDFILE_DOCUMENT_DIR": settings.STORAGES["documents"]["OPTIONS"]["location"],
        "CREDFILE_ARCHIVE_DIR": settings.STORAGES["archive"]["OPTIONS"]["location"],
        "CREDFILE_LANGUAGE": "en",
    }


def test_a_backup_taken_while_another_process_writes_restores_into_an_empty_instance(
    personas: Personas, target: Target, tmp_path: Path
) -> None:
    for n in range(3):
        customer = _filed(personas, f"备份测试公司{n}")
        samples.attach(customer, data=samples.PDF + bytes([n]) * 50, name=f"c{n}.pdf")
    env = _source_env(tmp_path)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        for _tick in range(600):
            if Path(f"{stop}.started").exists() or writer.poll() is not None:
                break
            threading.Event().wait(0.1)
        backup = subprocess.run(
            [sys.executable, "-m", "credfile", "backup", str(tmp_path / "b.cfbak")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        stop.touch()
        out, _err = writer.communicate(timeout=60)
    assert backup.returncode == 0, backup.stderr
    assert "Backup written" in backup.stdout and "documents: 3 files" in backup.stdout
    written = int(out.strip())

    report = _report(target.restore(tmp_path / "b.cfbak", "--json"))

    assert report["ok"] and report["chain_ok"] and report["count_mismatches"] == []
    assert report["documents"] == 3 and report["document_mismatches"] == []
    counts = report["counts"]
    # The writer went on before, during and after the snapshot.
    assert 3 <= counts["accounts_department"] - 2 < written
    for table, count in counts.items():
        assert target.query(f'SELECT COUNT(*) FROM "{table}"') == [(count,)], table
    (head,) = target.query("SELECT seq FROM audit_audithead")
    assert head[0] == target.query("SELECT MAX(seq) FROM audit_auditevent")[0][0]
    names = sorted(f"documents/{d.stored_name}" for d in Document.objects.all())
    assert target.stored() == names
    for document in Document.objects.all():
        restored = (target.home / "documents" / document.stored_name).read_bytes()
        with document_bytes(document) as original:
            assert restored == original


@contextlib.contextmanager
def document_bytes(document: Document) -> Iterator[bytes]:
    from credfile.documents.services import storage_for

    with storage_for(document).open(document.stored_name, "rb") as handle:
        yield handle.read()


def test_a_file_destroyed_after_the_backup_is_not_brought_back(
    personas: Personas, target: Target, tmp_path: Path
) -> None:
    kept = _filed(personas, "保留的公司")
    doomed = _filed(personas, "删除申请的公司")
    samples.attach(doomed, data=samples.PDF + b"doomed", name="d.pdf")
    samples.attach(kept, data=samples.PDF + b"kept", name="k.pdf")
    doomed_name = Document.objects.get(customer=doomed).stored_name
    backup_create(path=tmp_path / "before.cfbak")
    request = deletion_request_record(
        actor=personas.department_head, customer=doomed, basis="书面申请 R-9"
    )
    item = DestructionItem.objects.get(request=request)
    (certificate,) = destruction_approve(
        actor=personas.department_head, listing=item.destruction_list
    ).certificates

    report = _report(target.restore(tmp_path / "before.cfbak", "--json"))

    assert report["reapplied"] == [certificate.pk] and report["chain_ok"] and report["ok"]
    assert target.query(f"SELECT COUNT(*) FROM customers_customer WHERE id = {doomed.pk}") == [(0,)]
    assert target.query(f"SELECT COUNT(*) FROM customers_customer WHERE id = {kept.pk}") == [(1,)]
    assert f"documents/{doomed_name}" not in target.stored()
    assert len(target.stored()) == 1
    # The restored instance holds a certificate again, naming the original in its event.
    (event,) = target.query("SELECT after FROM audit_auditevent WHERE action = 'destroy'")
    after = event[0] if isinstance(event[0], dict) else json.loads(event[0])
    assert after["reapplies"] == certificate.pk and after["customer_id"] == doomed.pk


def test_a_restore_refuses_an_instance_that_is_not_empty(
    personas: Personas, target: Target, tmp_path: Path
) -> None:
    _filed(personas, "某公司")
    backup_create(path=tmp_path / "b.cfbak")
    _report(target.restore(tmp_path / "b.cfbak", "--json"))
    before = target.query("SELECT COUNT(*) FROM audit_auditevent")

    again = target.restore(tmp_path / "b.cfbak")

    assert again.returncode == 1
    assert "Refused, nothing was changed" in again.stderr and "empty instance" in again.stderr
    assert target.query("SELECT COUNT(*) FROM audit_auditevent") == before


def _damaged(tmp_path: Path, how: str) -> Path:
    good = tmp_path / "good.cfbak"
    if not good.exists():
        backup_create(path=good)
    data = bytearray(good.read_bytes())
    if how == "flipped":
        data[len(data) // 2] ^= 0x01
    elif how == "truncated":
        data = data[: len(data) - 1000]
    elif how == "foreign":
        data = bytearray(b"PK\x03\x04 a zip file, not a backup" + bytes(200))
    bad = tmp_path / f"{how}.cfbak"
    bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("flipped", "The backup is damaged: its checksum does not match."),
        ("truncated", "The backup is cut off: its last part is missing."),
        ("foreign", "This is not a credfile backup."),
    ],
)
def test_a_damaged_cut_off_or_foreign_file_is_refused_and_nothing_changes(
    personas: Personas, tmp_path: Path, how: str, message: str
) -> None:
    customer = _filed(personas, "不动的公司")
    samples.attach(customer)
    bad = _damaged(tmp_path, how)
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(BackupRefused) as refused:
        backup_restore(path=bad)
    assert str(refused.value) == message
    assert AuditEvent.objects.count() == events and Customer.objects.count() == 1
    assert Document.objects.count() == 1


def test_a_damaged_backup_is_refused_by_the_command_before_the_empty_instance_is_touched(
    personas: Personas, target: Target, tmp_path: Path
) -> None:
    _filed(personas, "某公司")
    done = target.restore(_damaged(tmp_path, "flipped"))
    assert done.returncode == 1
    assert "Refused, nothing was changed: The backup is damaged" in done.stderr
    assert not (target.home / "credfile.sqlite3").exists() or target.url.startswith("postgres")
    assert target.stored() == []
    if target.url.startswith("postgres"):
        assert target.query("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_backup_made_with_another_key_is_refused(
    personas: Personas, tmp_path: Path, settings: Any
) -> None:
    _filed(personas, "某公司")
    settings.CREDFILE_BACKUP_KEY_FILE = tmp_path / "backup.key"
    create_key_file(settings.CREDFILE_BACKUP_KEY_FILE)
    backup_create(path=tmp_path / "b.cfbak")
    settings.CREDFILE_BACKUP_KEY_FILE = tmp_path / "other.key"
    create_key_file(settings.CREDFILE_BACKUP_KEY_FILE)
    with translation.override("en"), pytest.raises(BackupRefused, match="made with another key"):
        backup_restore(path=tmp_path / "b.cfbak")
    assert Customer.objects.count() == 1


def test_a_backup_never_replaces_a_file_and_a_failed_run_is_recorded(
    personas: Personas, tmp_path: Path
) -> None:
    existing = tmp_path / "taken.cfbak"
    existing.write_bytes(b"keep me")
    with translation.override("en"), pytest.raises(FileExistsError):
        backup_create(path=existing)
    assert existing.read_bytes() == b"keep me"
    failed = Backup.objects.get()
    assert not failed.ok and "exists already" in failed.error
    assert last_backup() is None and last_backup(ok=False) == failed


def test_a_forged_line_in_the_destruction_journal_stops_the_restore_before_it_writes(
    personas: Personas, target: Target, tmp_path: Path
) -> None:
    from credfile.retention.journal import journal_path

    doomed = _filed(personas, "删除申请的公司")
    backup_create(path=tmp_path / "before.cfbak")
    request = deletion_request_record(
        actor=personas.department_head, customer=doomed, basis="书面申请 R-10"
    )
    item = DestructionItem.objects.get(request=request)
    destruction_approve(actor=personas.department_head, listing=item.destruction_list)
    line = json.loads(journal_path().read_text())
    line["facts"]["object_id"] += 1  # another record than the one destroyed
    journal_path().write_text(json.dumps(line) + "\n")

    done = target.restore(tmp_path / "before.cfbak")

    assert done.returncode == 1
    assert "The destruction journal is not this instance's" in done.stderr
    assert "the signature does not match" in done.stderr
    assert target.stored() == [] and not (target.home / "credfile.sqlite3").exists()


def test_the_database_copy_never_lies_in_the_clear_in_the_backup_directory(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credfile.backups import services

    out = tmp_path / "backups"
    seen: list[tuple[Path, int]] = []
    snapshot = services.database_snapshot

    def watched(target: Path) -> Any:
        seen.append((target, target.parent.stat().st_mode & 0o777))
        return snapshot(target)

    monkeypatch.setattr(services, "database_snapshot", watched)
    old_umask = os.umask(0o022)  # an operator's shell
    try:
        backup_create(path=out / "b.cfbak")
    finally:
        os.umask(old_umask)
    ((copy, folder_mode),) = seen
    # Made in a private folder of the instance, not where the backups are copied from …
    assert out not in copy.parents and folder_mode == 0o700
    # … which is gone afterwards, leaving the sealed file only, readable by its owner only.
    assert not copy.parent.exists()
    assert [p.name for p in out.iterdir()] == ["b.cfbak"]
    assert (out / "b.cfbak").stat().st_mode & 0o777 == 0o600
