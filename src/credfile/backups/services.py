"""Backing up a running instance into one encrypted file, and restoring it into an empty one
(docs/backup.md)."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import credfile
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.audit.verification import chain_check
from credfile.backups import staging
from credfile.backups.archive import (
    BackupRefused,
    DecryptingReader,
    EncryptingWriter,
    backup_key_ring,
    backup_open,
)
from credfile.backups.models import Backup
from credfile.backups.snapshot import (
    SnapshotFailed,
    database_counts,
    database_snapshot,
    pg_environment,
    pg_tool,
    sqlite_path,
)
from credfile.documents.services import archive_storage, document_storage
from credfile.retention.journal import (
    JournalEntry,
    JournalError,
    journal_check,
    journal_position,
    journal_read,
)

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
STORES = ("documents", "archive")
Progress = Callable[[str], None]


def _stores() -> dict[str, Storage]:
    return {"documents": document_storage(), "archive": archive_storage()}


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of a store, through the storage API (local or S3 alike)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # a local store not created yet holds nothing
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from stored_names(storage, f"{folder}/{directory}" if folder else directory)


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    reader = _Hashing(handle)
    tar.addfile(info, reader)
    if reader.size != size:
        raise OSError(f"{name} changed while it was copied")
    return {"sha256": reader.sha.hexdigest(), "size": size}


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{size} B"
        value /= 1024
    return f"{size} B"


@dataclass
class BackupResult:
    record: Backup
    manifest: dict[str, Any]


def backup_target(path: Path, now: datetime.datetime) -> Path:
    """A directory gets a new file named by the time; a file name is taken as given."""
    if path.is_dir():
        return path / f"credfile-{now.strftime('%Y%m%dT%H%M%S%fZ')}.cfbak"
    return path


def backup_create(
    *, path: Path, progress: Progress | None = None, scheduled: bool = False
) -> BackupResult:
    """Write one backup file of the database, both document stores and a manifest, sealed
    with the backup key; record the run (a failed one too) in Backup and the audit trail."""
    say = progress or (lambda _message: None)
    started = timezone.now()
    target = backup_target(path, started.astimezone(datetime.UTC))
    try:
        manifest, sha, size = _write_backup(target, started, say)
    except Exception as exc:
        Backup.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            path=str(target),
            ok=False,
            error=str(exc)[:2000] or type(exc).__name__,
            scheduled=scheduled,
        )
        raise
    with transaction.atomic():
        record = Backup.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            path=str(target),
            size=size,
            sha256=sha,
            ok=True,
            scheduled=scheduled,
        )
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            obj=record,
            after={
                "path": str(target),
                "size": size,
                "sha256": sha,
                "key": manifest["key"],
                "audit_seq": manifest["audit"]["seq"],
                "journal_synced": manifest["journal"]["synced"],
            },
        )
    return BackupResult(record=record, manifest=manifest)


def _write_backup(
    target: Path, started: datetime.datetime, say: Progress
) -> tuple[dict[str, Any], str, int]:
    if target.exists():
        raise FileExistsError(
            _("%(path)s exists already: a backup never replaces a file.") % {"path": target}
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    ring, source = backup_key_ring()
    partial = target.with_name(target.name + ".partial")
    # First the journal made whole from the certificates (a destruction whose line was
    # never written would else be missed by a restore of an older backup); then where it
    # stands, read before the snapshot: a destruction journaled later is either in the
    # snapshot or re-applied at restore, never missed.
    synced = _journal_sync(say)
    journal_entries, journal_mac = journal_position()
    # The database copy is in the clear until it is sealed into the backup: it is made in a
    # private folder (0700) of the instance, never in the backup directory, which is copied
    # off the machine (rsync, object storage) and might take it along mid-run.
    private = Path(tempfile.mkdtemp(prefix=".credfile-backup-", dir=_instance_dir()))
    database = private / "database.partial"
    try:
        say(_("Copying the database …"))
        snapshot = database_snapshot(database)
        member = (
            "database/credfile.sqlite3"
            if snapshot.vendor == "sqlite"
            else "database/credfile.pgdump"
        )
        members: dict[str, dict[str, Any]] = {}
        counts = {"documents": 0, "archive": 0}
        # 0600 whatever the umask (an operator's shell has 022): it is every record.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a .partial left by a killed run keeps its old mode otherwise
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, ring=ring, source=source, created_at=started.isoformat())
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                with database.open("rb") as handle:
                    members[member] = _add(tar, member, handle, database.stat().st_size)
                say(
                    _("Database: %(size)s, %(tables)s tables")
                    % {"size": _human(members[member]["size"]), "tables": len(snapshot.counts)}
                )
                for store, storage in _stores().items():
                    for name in stored_names(storage):
                        try:
                            size = storage.size(name)
                            stored = storage.open(name, "rb")
                        except FileNotFoundError:
                            continue  # destroyed since the snapshot: the restore agrees
                        with stored:
                            members[f"{store}/{name}"] = _add(tar, f"{store}/{name}", stored, size)
                        counts[store] += 1
                    say(_("%(store)s: %(count)s files") % {"store": store, "count": counts[store]})
                manifest = {
                    "format": "credfile-backup-manifest-1",
                    "credfile": credfile.__version__,
                    "created_at": started.isoformat(),
                    "database": {
                        "vendor": snapshot.vendor,
                        "member": member,
                        "counts": snapshot.counts,
                    },
                    "audit": {"seq": snapshot.chain_seq, "hash": snapshot.chain_hash},
                    "newest_certificate": snapshot.newest_certificate,
                    "journal": {
                        "entries": journal_entries,
                        "last_mac": journal_mac,
                        **synced,
                    },
                    "key": writer.key_id,
                    "key_source": source,
                    "files": counts,
                    "members": members,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                tar.addfile(info, _Hashing(_BytesReader(data)))  # type: ignore[arg-type]
            sha = writer.close()
            out.flush()
            os.fsync(out.fileno())
        size = partial.stat().st_size
        os.replace(partial, target)
        say(
            _("Backup written: %(path)s, %(size)s, SHA-256 %(sha)s")
            % {"path": target, "size": _human(size), "sha": sha}
        )
        return manifest, sha, size
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        shutil.rmtree(private, ignore_errors=True)


def _instance_dir() -> Path:
    """The instance's own directory, where a restore stages too: beside the SQLite file, or
    CREDFILE_HOME."""
    home = (
        Path(sqlite_path()).parent
        if connection.vendor == "sqlite"
        else Path(settings.CREDFILE_HOME)
    )
    home.mkdir(parents=True, exist_ok=True)
    return home


def _journal_sync(say: Progress) -> dict[str, Any]:
    """`credfile archive journal --sync` before the backup; what it did, for the manifest.
    A journal that cannot be used is recorded and logged, and the backup goes on."""
    try:
        state = journal_check(sync=True)
    except (JournalError, OSError) as exc:
        log.error("destruction journal not synced before the backup: %s", exc)
        say(_("The destruction journal could not be synced: %(error)s") % {"error": exc})
        return {"synced": [], "sync_error": str(exc)}
    if state.appended:
        say(
            _("Destruction journal: %(n)d missing certificates appended.")
            % {"n": len(state.appended)}
        )
    return {"synced": state.appended}


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk


# Restore ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    documents: int = 0
    count_mismatches: list[str] = field(default_factory=list)
    document_mismatches: list[str] = field(default_factory=list)
    reapplied: list[int] = field(default_factory=list)
    reapply_failed: list[str] = field(default_factory=list)
    chain_ok: bool = False
    chain_problems: list[str] = field(default_factory=list)
    chain_checked: int = 0
    # True when a check failed and everything restored was removed again: the instance
    # is as empty as before.
    rolled_back: bool = False

    @property
    def ok(self) -> bool:
        return (
            self.chain_ok
            and not self.count_mismatches
            and not self.document_mismatches
            and not self.reapply_failed
            and not self.rolled_back
        )


class RestoreFailed(Exception):
    """A restore that failed after it began: what it wrote is gone again (`rolled_back`
    names anything that could not be removed)."""

    def __init__(self, error: BaseException, left: list[str]) -> None:
        self.error = error
        self.left = left
        if left:
            message = _(
                "%(error)s. What was restored could not all be removed: %(left)s; "
                "remove it before restoring again."
            ) % {"error": _error_text(error), "left": ", ".join(left)}
        else:
            message = _("%(error)s. Nothing was kept: the instance is empty, as it was before.") % {
                "error": _error_text(error)
            }
        super().__init__(message)


def _error_text(error: BaseException) -> str:
    text = str(error).rstrip(".") or type(error).__name__
    return text


def instance_contents() -> list[str]:
    """What the instance holds already: tables in its database, files in its stores."""
    found: list[str] = []
    if connection.vendor == "sqlite":
        name = sqlite_path()
        if Path(name).exists() and Path(name).stat().st_size:
            with contextlib.closing(sqlite3.connect(name)) as db:
                tables = db.execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                ).fetchone()[0]
            if tables:
                found.append(
                    _("the database %(name)s has %(n)s tables") % {"name": name, "n": tables}
                )
    else:
        tables = connection.introspection.table_names()
        if tables:
            found.append(
                _("the database %(name)s has %(n)s tables")
                % {"name": connection.settings_dict["NAME"], "n": len(tables)}
            )
    for store, storage in _stores().items():
        if next(stored_names(storage), None) is not None:
            found.append(_("the %(store)s store holds files") % {"store": store})
    return found


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupRefused(_("The backup is damaged: it names a file outside its folders."))
    return path


def _journal_after(manifest: dict[str, Any], journal: Path | None) -> list[JournalEntry]:
    position = manifest.get("journal") or {"entries": 0, "last_mac": ""}
    try:
        entries = journal_read(path=journal)
    except JournalError as exc:
        raise BackupRefused(
            _("The destruction journal is not this instance's: %(error)s") % {"error": exc}
        ) from None
    count = int(position["entries"])
    if count and (len(entries) < count or entries[count - 1].mac != position["last_mac"]):
        raise BackupRefused(
            _(
                "The destruction journal does not go back to this backup (it held %(count)s "
                "entries then): name the journal of the instance the backup comes from "
                "with --journal."
            )
            % {"count": count}
        )
    return entries[count:]


def backup_restore(
    *,
    path: Path,
    journal: Path | None = None,
    without_journal: bool = False,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore a backup into this instance, which must be empty: every check that can be
    made before is made before anything is written (BackupRefused). What is restored is
    staged (credfile.backups.staging) and kept only when every check after has passed
    too; otherwise it is removed again: a report with `rolled_back`, or RestoreFailed."""
    say = progress or (lambda _message: None)
    ring, _source = backup_key_ring()
    say(_("Checking %(path)s …") % {"path": path})
    opened = backup_open(path, ring)
    home = _instance_dir()
    cleared = staging.clear_unfinished(home)
    if cleared:
        say(cleared)
    contents = instance_contents()
    if contents:
        raise BackupRefused(
            _("A backup is restored into an empty instance only, and this one is not: %(what)s.")
            % {"what": "; ".join(contents)}
        )
    folder = Path(tempfile.mkdtemp(prefix=".credfile-restore-", dir=home))
    staged = staging.StagedStores(_stores(), tag=folder.name.lstrip("."))
    facts: dict[str, Any] = {
        "started_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "staging": [str(folder), *staged.folders],
    }
    if connection.vendor == "postgresql":
        facts["before"] = staging.pg_objects()
    staging.marker_write(home, facts)
    try:
        report = _restore_staged(path, opened, folder, staged, journal, without_journal, say)
    except BaseException as exc:
        left = _roll_back(staged, facts)
        shutil.rmtree(folder, ignore_errors=True)
        if not left:
            staging.marker_remove(home)
        if isinstance(exc, BackupRefused) and not left:
            raise
        if isinstance(exc, Exception):
            raise RestoreFailed(exc, left) from exc
        raise
    shutil.rmtree(folder, ignore_errors=True)
    if report.rolled_back:
        left = _roll_back(staged, facts)
        if left:
            raise RestoreFailed(
                Exception(_("The restored instance does not match the backup")), left
            )
    staging.marker_remove(home)
    return report


def _roll_back(staged: staging.StagedStores, facts: dict[str, Any]) -> list[str]:
    left = staged.rollback()
    if "before" in facts:
        try:
            staging.pg_drop_created(facts["before"])
        except Exception as exc:  # named in the message instead
            left.append(
                _("the tables restored into %(db)s (%(error)s)")
                % {"db": facts["database"], "error": exc}
            )
    return left


def _restore_staged(
    path: Path,
    opened: Any,
    folder: Path,
    staged: staging.StagedStores,
    journal: Path | None,
    without_journal: bool,
    say: Progress,
) -> RestoreReport:
    staged.create()
    manifest, written = _extract(path, opened, folder, staged, say)
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupRefused(
            _("This is a backup of a %(vendor)s database; this instance uses %(here)s.")
            % {"vendor": manifest["database"]["vendor"], "here": connection.vendor}
        )
    pending = [] if without_journal else _journal_after(manifest, journal)
    say(_("The backup is whole: every checksum matches. Restoring …"))
    report = RestoreReport(manifest=manifest)
    dump = folder / manifest["database"]["member"]
    sqlite = connection.vendor == "sqlite"
    final = Path(sqlite_path()) if sqlite else None
    with (
        staging.sqlite_pointed_at(dump) if sqlite else contextlib.nullcontext(),
        staged.redirected(),
    ):
        _restore_database(dump)
        report.documents = written + _restore_documents(path, opened, manifest, staged)
        say(_("Restored %(n)s documents.") % {"n": report.documents})
        _verify(report, staged, say)
        if not (report.count_mismatches or report.document_mismatches):
            _reapply(report, pending, say)
            check = chain_check()
            report.chain_ok, report.chain_problems, report.chain_checked = (
                check.ok,
                check.problems,
                check.checked,
            )
    if not report.ok:
        report.rolled_back = True
        return report
    # The end: the documents moved in, then the database (SQLite: one rename).
    if final is not None:
        staging.sqlite_prepare(dump)
    staged.commit()
    if final is not None:
        staging.sqlite_move_in(dump, final)
    return report


def _reapply(report: RestoreReport, pending: list[JournalEntry], say: Progress) -> None:
    from credfile.retention.destruction import destruction_reapply

    for entry in pending:
        try:
            certificate = destruction_reapply(entry.facts)
        except Exception as exc:  # reported, and the restore fails: nothing may come back
            report.reapply_failed.append(f"{entry.certificate_id}: {exc}")
            continue
        if certificate is not None:
            report.reapplied.append(entry.certificate_id)
    if pending:
        say(
            _("Destructions since the backup re-applied: %(n)s of %(all)s")
            % {"n": len(report.reapplied), "all": len(pending)}
        )


class _LocalWriter:
    """Writes documents straight into a staged local store, with the store's modes."""

    def __init__(self, root: Path, storage: Storage) -> None:
        self.root = root
        self.file_mode = getattr(storage, "file_permissions_mode", None)
        self.directory_mode = getattr(storage, "directory_permissions_mode", None)
        self._made: set[Path] = {root}

    def _folder(self, folder: Path) -> None:
        if folder in self._made:
            return
        self._folder(folder.parent)
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
            if self.directory_mode is not None:
                os.chmod(folder, self.directory_mode)
        self._made.add(folder)

    def write(self, stored: str, source: IO[bytes], sha: Any) -> None:
        destination = self.root / stored
        self._folder(destination.parent)
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as out:
            while block := source.read(1 << 20):
                sha.update(block)
                out.write(block)
        if self.file_mode is not None:
            os.chmod(destination, self.file_mode)


def _extract(
    path: Path, opened: Any, folder: Path, staged: staging.StagedStores, say: Progress
) -> tuple[dict[str, Any], int]:
    """The first pass: decrypt and hash every member, the database into the staging folder
    and the documents of a local store into its staging folder; then hold them to the
    manifest. Returns it and how many documents were written."""
    seen: dict[str, dict[str, Any]] = {}
    manifest_data = b""
    writers = {
        store: _LocalWriter(root, staged.final[store])
        for store in staged.stores
        if (root := staged.staged_path(store)) is not None
    }
    written = 0
    with path.open("rb") as handle:
        reader = DecryptingReader(handle, opened)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    if not member.isfile():
                        raise BackupRefused(
                            _("The backup is damaged: it holds something other than files.")
                        )
                    name = str(_safe_member(member.name))
                    source = tar.extractfile(member)
                    assert source is not None
                    if name == MANIFEST:
                        manifest_data = source.read()
                        continue
                    sha = hashlib.sha256()
                    store, _sep, stored = name.partition("/")
                    if store == "database":
                        destination = folder / name
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        with destination.open("wb") as out:
                            while block := source.read(1 << 20):
                                sha.update(block)
                                out.write(block)
                    elif store in writers:
                        writers[store].write(stored, source, sha)
                        written += 1
                    else:
                        while block := source.read(1 << 20):
                            sha.update(block)
                    seen[name] = {"sha256": sha.hexdigest(), "size": member.size}
        except tarfile.TarError:
            raise BackupRefused(
                _("The backup is damaged: its contents are not readable.")
            ) from None
    try:
        manifest = json.loads(manifest_data)
        listed = manifest["members"]
    except (ValueError, KeyError, TypeError):
        raise BackupRefused(_("The backup has no readable manifest.")) from None
    if listed != seen:
        wrong = sorted(set(listed) ^ set(seen) | {n for n in listed if seen.get(n) != listed[n]})
        raise BackupRefused(
            _("The backup's contents do not match its manifest: %(names)s")
            % {"names": ", ".join(wrong[:5])}
        )
    return dict(manifest), written


def _restore_documents(
    path: Path, opened: Any, manifest: dict[str, Any], staged: staging.StagedStores
) -> int:
    """The second pass, for stores that are not local folders (S3): the documents straight
    from the decrypted stream into their stores, once the whole backup has been checked
    (a document is at most CREDFILE_DOCUMENT_MAX_BYTES, so one is read at a time)."""
    if not staged.written:
        return 0
    restored = 0
    with path.open("rb") as handle:
        reader = DecryptingReader(handle, opened)
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
            for member in tar:
                store, _sep, stored = member.name.partition("/")
                if store not in staged.written:
                    continue
                source = tar.extractfile(member)
                assert source is not None
                data = source.read()
                if hashlib.sha256(data).hexdigest() != manifest["members"][member.name]["sha256"]:
                    raise BackupRefused(_("The backup changed while it was restored."))
                saved = staged.stores[store].save(stored, ContentFile(data))
                staged.written[store].append(saved)
                if saved != stored:
                    raise OSError(f"{store} stored {stored} as {saved}")
                restored += 1
    return restored


def _restore_database(dump: Path) -> None:
    """SQLite: nothing to do, the staged file is the database the checks run on.
    PostgreSQL: pg_restore into the empty database in one transaction."""
    if connection.vendor == "sqlite":
        return
    tool = pg_tool("pg_restore")
    done = subprocess.run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "-d",
            str(connection.settings_dict["NAME"]),
            str(dump),
        ],
        env=pg_environment(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SnapshotFailed(done.stderr.strip())
    connections.close_all()


def _stored_sha256(staged: staging.StagedStores, store: str, stored: str) -> str:
    """A document's SHA-256 as read back from where it was restored."""
    sha = hashlib.sha256()
    root = staged.staged_path(store)
    handle: Any = (
        (root / stored).open("rb") if root is not None else staged.stores[store].open(stored, "rb")
    )
    with handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


def _verify(report: RestoreReport, staged: staging.StagedStores, say: Progress) -> None:
    manifest = report.manifest
    expected: dict[str, int] = manifest["database"]["counts"]
    found = database_counts(sorted(expected))
    report.tables, report.rows = len(found), sum(found.values())
    report.count_mismatches = [
        f"{t}: {found.get(t)} ≠ {n}" for t, n in sorted(expected.items()) if found.get(t) != n
    ]
    for name, facts in sorted(manifest["members"].items()):
        store, _sep, stored = name.partition("/")
        if store not in staged.stores:
            continue
        if _stored_sha256(staged, store, stored) != facts["sha256"]:
            report.document_mismatches.append(name)
    say(
        _(
            "Checked %(tables)s tables (%(rows)s rows) and %(documents)s documents "
            "against the manifest."
        )
        % {"tables": report.tables, "rows": report.rows, "documents": report.documents}
    )
