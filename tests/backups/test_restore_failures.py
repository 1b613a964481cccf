"""A restore that fails after it began leaves the instance as it was, empty: a full disk, a
damaged document, a count or a checksum found wrong at the end, an audit chain that does not
verify or cannot be read, a destruction that cannot be re-applied, a failure while moving
into place. A killed restore leaves what the next one clears. Each failure is injected into
a `credfile restore` process of its own (the restore runs before the instance has tables)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from credfile.backups.services import backup_create
from credfile.retention.destruction import deletion_request_record, destruction_approve
from credfile.retention.models import DestructionItem
from tests.backups.test_backup import Target, _filed, _report
from tests.conftest import Personas
from tests.documents import samples

pytestmark = pytest.mark.django_db(transaction=True)

# Runs `credfile restore BACKUP` with one failure injected (argv[2]); on exit prints what the
# in-memory stores hold when they stand in for remote ones (argv[3] == "memory").
DRIVER = r"""
import errno, io, json, os, signal, sys, tarfile
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
django.setup()
from django.core.files.storage import InMemoryStorage, storages
from django.core.management import execute_from_command_line
from credfile.audit.verification import ChainCheck
from credfile.backups import services, staging
from credfile.retention import destruction

backup, point, stores = sys.argv[1], sys.argv[2], sys.argv[3]
memory = {}
if stores == "memory":
    for name in ("documents", "archive"):
        memory[name] = storages._storages[name] = InMemoryStorage()
calls = {"n": 0}

def nth(n):
    calls["n"] += 1
    return calls["n"] == n

if point == "disk-full":
    write = services._LocalWriter.write
    def failing_write(self, stored, source, sha):
        if nth(2):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, stored, source, sha)
    services._LocalWriter.write = failing_write
    save = InMemoryStorage._save
    def failing_save(self, name, content):
        if nth(2):
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(self, name, content)
    InMemoryStorage._save = failing_save
elif point == "database":
    restore_database = services._restore_database
    def failing_database(dump):
        restore_database(dump)
        raise OSError(errno.ENOSPC, "No space left on device")
    services._restore_database = failing_database
elif point == "bad-document":
    extractfile = tarfile.TarFile.extractfile
    def damaged(self, member):
        handle = extractfile(self, member)
        if member.name.startswith("documents/") and nth(1):
            data = bytearray(handle.read())
            data[-1] ^= 1
            return io.BytesIO(bytes(data))
        return handle
    tarfile.TarFile.extractfile = damaged
elif point == "late-checksum":
    stored_sha256 = services._stored_sha256
    def wrong(staged, store, stored):
        return "0" * 64 if nth(1) else stored_sha256(staged, store, stored)
    services._stored_sha256 = wrong
elif point == "counts":
    counts = services.database_counts
    def fewer(tables):
        found = counts(tables)
        found["customers_customer"] -= 1
        return found
    services.database_counts = fewer
elif point == "chain-error":
    def unreadable():
        raise RuntimeError("the audit trail could not be read")
    services.chain_check = unreadable
elif point == "chain-broken":
    services.chain_check = lambda: ChainCheck(
        ok=False, checked=3, last_seq=3, last_hash="", seconds=0.0,
        problems=["Event 2: its hash does not match"],
    )
elif point == "reapply":
    def refused(facts):
        raise ValueError("the approver is not in this instance")
    destruction.destruction_reapply = refused
elif point == "move-in":
    move_in = staging._move_in
    def failing_move(staged, location):
        if nth(2):
            raise OSError(errno.EIO, "Input/output error")
        return move_in(staged, location)
    staging._move_in = failing_move
elif point == "kill":
    services.chain_check = lambda: os.kill(os.getpid(), signal.SIGKILL)

def report():
    if memory:
        print("MEMORY " + json.dumps({
            name: sorted(services.stored_names(storage)) for name, storage in memory.items()
        }))

try:
    execute_from_command_line(["credfile", "restore", backup])
except SystemExit:
    report()
    raise
report()
"""
NOTHING_KEPT = "Nothing was kept: the instance is empty, as it was before."
ROLLED_BACK = "nothing was kept: the instance is empty, as it was before."


def _inject(
    target: Target, backup: Path, point: str, stores: str = "local"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, str(backup), point, stores],
        env=target.env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _tables(target: Target) -> int:
    if target.url.startswith("sqlite"):
        database = target.home / "credfile.sqlite3"
        if not database.exists():
            return 0
        return int(target.query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")[0][0])
    found = target.query(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'S')"
    )
    functions = target.query(
        "SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public'"
    )
    return int(found[0][0]) + int(functions[0][0])


def _untouched(target: Target) -> None:
    """The instance as it was: no table, no stored file, nothing of the restore left."""
    assert _tables(target) == 0
    assert target.stored() == []
    left = sorted(
        p.name
        for p in target.home.iterdir()
        if p.name.startswith((".", "credfile.sqlite3", "documents", "archive"))
    )
    assert left == [] or set(left) <= {"documents", "archive"}, left


@pytest.fixture
def backup(personas: Personas, tmp_path: Path) -> Path:
    """Three files with a document each, backed up; then one of them destroyed, so the
    restore has a destruction to re-apply."""
    customers = [_filed(personas, f"回滚测试公司{n}") for n in range(3)]
    for n, customer in enumerate(customers):
        samples.attach(customer, data=samples.PDF + bytes([n]) * 40, name=f"r{n}.pdf")
    path = tmp_path / "b.cfbak"
    backup_create(path=path)
    request = deletion_request_record(
        actor=personas.department_head, customer=customers[0], basis="书面申请 R-11"
    )
    item = DestructionItem.objects.get(request=request)
    destruction_approve(actor=personas.department_head, listing=item.destruction_list)
    return path


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ("disk-full", "The restore failed: [Errno 28] No space left on device. " + NOTHING_KEPT),
        ("database", "The restore failed: [Errno 28] No space left on device. " + NOTHING_KEPT),
        ("bad-document", "Refused, nothing was changed: The backup's contents do not match"),
        ("late-checksum", "Document differs: documents/"),
        ("counts", "Row count differs: customers_customer"),
        ("chain-error", "failed: the audit trail could not be read. " + NOTHING_KEPT),
        ("chain-broken", "Event 2: its hash does not match"),
        ("reapply", "Destruction not re-applied: "),
        ("move-in", "The restore failed: [Errno 5] Input/output error. " + NOTHING_KEPT),
    ],
)
def test_a_restore_that_fails_after_it_began_leaves_the_instance_empty(
    target: Target,
    backup: Path,
    point: str,
    message: str,
) -> None:
    done = _inject(target, backup, point)

    assert done.returncode == 1, done.stdout + done.stderr
    assert message in done.stdout + done.stderr
    if point in ("late-checksum", "counts", "chain-broken", "reapply"):
        assert ROLLED_BACK in done.stderr
    _untouched(target)
    # And the same backup restores into it afterwards.
    report = _report(target.restore(backup, "--json"))
    assert report["ok"] and report["documents"] == 3 and len(report["reapplied"]) == 1
    assert len(target.stored()) == 2


def test_a_killed_restore_is_cleared_by_the_next_one(
    target: Target,
    backup: Path,
) -> None:
    done = _inject(target, backup, "kill")

    assert done.returncode == -9
    # SQLite: the database and the documents were still in their staging folders.
    assert target.stored() == []
    if target.url.startswith("sqlite"):
        assert _tables(target) == 0
    again = target.restore(backup)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "A restore that did not finish" in again.stdout and "was cleared away" in again.stdout
    assert "Restore complete" in again.stdout
    assert sorted(p.name for p in target.home.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("point", ["disk-full", "chain-error", "late-checksum"])
def test_a_failed_restore_removes_what_it_wrote_into_a_remote_store(
    target: Target,
    backup: Path,
    point: str,
) -> None:
    done = _inject(target, backup, point, stores="memory")

    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("MEMORY ")]
    assert json.loads(line.removeprefix("MEMORY ")) == {"documents": [], "archive": []}
    assert _tables(target) == 0


def test_a_restore_into_a_remote_store_writes_the_documents_there(
    target: Target,
    backup: Path,
) -> None:
    done = _inject(target, backup, "none", stores="memory")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Restore complete" in done.stdout
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("MEMORY ")]
    stored = json.loads(line.removeprefix("MEMORY "))
    assert len(stored["documents"]) == 2 and stored["archive"] == []
