"""Where a restore keeps what it brings back until every check has passed, so that a restore
that fails half-way (a full disk, a damaged document, a count or checksum that does not
match, an audit chain that does not verify, a destruction that cannot be re-applied, a
killed process) leaves the instance as it was: empty (docs/backup.md, "Restore").

- SQLite: the database is a file in a staging folder beside the instance's; the checks
  and the re-applied destructions run on it (Django's connection points there meanwhile),
  and it is renamed into place only at the end.
- PostgreSQL: `pg_restore --single-transaction` into the empty database; on failure every
  object it created (tables, views, sequences, functions, types, extensions) is dropped.
- Local document stores: the documents go into a staging folder beside each store and
  the folder is moved in at the end (one rename when the store is empty).
- Other stores (S3 through django-storages): the documents are written into the store and
  those written are deleted on failure.

A marker file in the instance's home names the staging folders (and, on PostgreSQL, what
the database held before) until the restore has finished either way: the next
`credfile restore` clears what a killed one left."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, connections
from django.utils.translation import gettext as _

MARKER = ".credfile-restore-unfinished.json"


# Document stores ------------------------------------------------------------------------


class StagedStores:
    """The document stores as a restore writes them: local ones redirected into staging
    folders, others written in place and remembered."""

    def __init__(self, stores: dict[str, Storage], tag: str) -> None:
        self.final = stores
        self.stores: dict[str, Storage] = {}
        self.local: dict[str, tuple[Path, Path]] = {}  # store: (staging folder, location)
        self.written: dict[str, list[str]] = {}  # store: names written into a remote store
        self.moved: list[tuple[Path, Path]] = []  # (from, to) of the moves made at commit
        for name, storage in stores.items():
            if isinstance(storage, FileSystemStorage):
                location = Path(storage.location)
                staged = location.parent / f".{location.name}.{tag}"
                self.local[name] = (staged, location)
                self.stores[name] = FileSystemStorage(
                    location=str(staged),
                    base_url=None,
                    file_permissions_mode=storage.file_permissions_mode,
                    directory_permissions_mode=storage.directory_permissions_mode,
                )
            else:
                self.stores[name] = storage
                self.written[name] = []

    @property
    def folders(self) -> list[str]:
        return [str(staged) for staged, _location in self.local.values()]

    def staged_path(self, store: str) -> Path | None:
        """The staging folder of a local store (None for a remote one)."""
        return self.local[store][0] if store in self.local else None

    def create(self) -> None:
        for staged, _location in self.local.values():
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.mkdir(mode=0o700)

    @contextlib.contextmanager
    def redirected(self) -> Iterator[None]:
        """storages["documents"] and ["archive"] are the staged ones meanwhile: what the
        re-applied destructions remove goes from there."""
        before = {name: storages[name] for name in self.stores}
        cache: dict[str, Storage] = storages._storages  # type: ignore[attr-defined]
        try:
            cache.update(self.stores)
            yield
        finally:
            cache.update(before)

    def commit(self) -> None:
        """Move every staged folder in; a move that fails puts back those made."""
        for staged, location in self.local.values():
            self.moved += _move_in(staged, location)

    def _undo_moves(self) -> list[str]:
        left: list[str] = []
        for source, destination in reversed(self.moved):
            try:
                source.parent.mkdir(parents=True, exist_ok=True)
                os.replace(destination, source)
            except OSError:
                left.append(str(destination))
        self.moved = []
        return left

    def rollback(self) -> list[str]:
        """Remove what was written; returns what could not be."""
        left = self._undo_moves()
        for staged, _location in self.local.values():
            shutil.rmtree(staged, ignore_errors=True)
            if staged.exists():
                left.append(str(staged))
        for name, written in self.written.items():
            storage = self.final[name]
            for stored in written:
                try:
                    if storage.exists(stored):
                        storage.delete(stored)
                except Exception:  # named in the message instead
                    left.append(f"{name}/{stored}")
        return left


def _move_in(staged: Path, location: Path) -> list[tuple[Path, Path]]:
    """The staged folder becomes the store: one rename when the store is missing or an
    empty folder (not a mount point), else entry by entry. Returns the moves made."""
    if not location.exists() or (not any(location.iterdir()) and not location.is_mount()):
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, location)
            return [(staged, location)]
        except OSError:
            if not location.exists():
                raise
    moves: list[tuple[Path, Path]] = []
    try:
        for entry in sorted(staged.iterdir()):
            os.replace(entry, location / entry.name)
            moves.append((entry, location / entry.name))
    except OSError:
        for source, destination in reversed(moves):
            os.replace(destination, source)
        raise
    return moves


# SQLite ----------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_pointed_at(staged: Path) -> Iterator[None]:
    """Django's connection uses the staged database file meanwhile."""
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    connections.close_all()
    settings_dict["NAME"] = str(staged)
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = name


def sqlite_prepare(staged: Path) -> None:
    """The checked database file made ready to move: its write-ahead log folded in, on
    disk."""
    with contextlib.closing(sqlite3.connect(staged)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in (Path(f"{staged}-wal"), Path(f"{staged}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    with open(staged, "rb+") as handle:
        os.fsync(handle.fileno())


def sqlite_move_in(staged: Path, final: Path) -> None:
    """The checked database file into place: the last step of a restore."""
    for leftover in (final, Path(f"{final}-wal"), Path(f"{final}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()  # empty: the restore found no table in it
    os.replace(staged, final)


# PostgreSQL ------------------------------------------------------------------------------

_NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
_PG_OBJECTS = {
    "view": "SELECT quote_ident(viewname) FROM pg_views WHERE schemaname = current_schema()",
    "table": "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()",
    "sequence": (
        "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = current_schema()"
    ),
    "function": (
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() AND p.prokind = 'f' "
        f"AND {_NOT_EXTENSION.format(oid='p.oid')}"
    ),
    "type": (
        "SELECT quote_ident(t.typname) FROM pg_type t JOIN pg_namespace n "
        "ON n.oid = t.typnamespace WHERE n.nspname = current_schema() "
        f"AND t.typtype IN ('e', 'd') AND {_NOT_EXTENSION.format(oid='t.oid')}"
    ),
    "extension": "SELECT quote_ident(extname) FROM pg_extension WHERE extname <> 'plpgsql'",
}


def pg_objects() -> dict[str, list[str]]:
    """What the database holds that a restore could create, by kind."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for kind, sql in _PG_OBJECTS.items():
            cursor.execute(sql)
            found[kind] = sorted(str(row[0]) for row in cursor.fetchall())
    return found


def pg_drop_created(before: dict[str, list[str]]) -> None:
    """Drop, in one transaction, every object not there before the restore."""
    connections.close_all()
    now = pg_objects()
    statements = [
        f"DROP {kind.upper()} IF EXISTS {name} CASCADE"
        for kind in _PG_OBJECTS
        for name in now[kind]
        if name not in set(before.get(kind, []))
    ]
    if not statements:
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            for statement in statements:
                cursor.execute(statement)
        except Exception:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
    connections.close_all()


# The marker ------------------------------------------------------------------------------


def marker_path(home: Path) -> Path:
    return home / MARKER


def marker_write(home: Path, facts: dict[str, Any]) -> None:
    path = marker_path(home)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(facts, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def marker_remove(home: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        marker_path(home).unlink()


def clear_unfinished(home: Path) -> str | None:
    """Remove what a restore killed before it finished left (named by its marker); returns
    a sentence saying so, or None when there was none."""
    path = marker_path(home)
    if not path.exists():
        return None
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        facts = {}
    for folder in facts.get("staging", []):
        shutil.rmtree(folder, ignore_errors=True)
    if (
        connection.vendor == "postgresql"
        and facts.get("vendor") == "postgresql"
        and facts.get("database") == connection.settings_dict["NAME"]
        and "before" in facts
    ):
        pg_drop_created(facts["before"])
    marker_remove(home)
    return _("A restore that did not finish (started %(at)s) was cleared away first.") % {
        "at": facts.get("started_at", "?")
    }
