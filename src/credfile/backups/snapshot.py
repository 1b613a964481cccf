"""A consistent copy of the database while it keeps serving, and the facts the manifest
takes from the same snapshot: rows per table, the audit chain's head, the newest
destruction certificate.

SQLite: the online backup API in one step (in WAL mode a reader, so writers go on).
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; `pg_dump --snapshot` dumps
exactly that snapshot while the same transaction counts the rows.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from credfile.audit.models import AuditHead
from credfile.retention.models import DestructionCertificate


class SnapshotFailed(Exception):
    """The database could not be copied (a missing or too old pg_dump, a failed dump)."""


@dataclass
class Snapshot:
    vendor: str
    path: Path
    counts: dict[str, int]
    chain_seq: int
    chain_hash: str
    newest_certificate: int | None


def _facts_sql() -> tuple[str, str]:
    head = AuditHead._meta.db_table
    certificates = DestructionCertificate._meta.db_table
    return (
        f'SELECT seq, hash FROM "{head}" WHERE id = 1',
        f'SELECT MAX(id) FROM "{certificates}"',
    )


def _count_sql(tables: list[str]) -> str:
    return " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables)


def sqlite_path() -> str:
    return str(connection.settings_dict["NAME"])


def _in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def _snapshot_sqlite(target: Path) -> Snapshot:
    name = sqlite_path()
    if _in_memory(name):
        # An in-memory database (the test suite's) as this connection sees it; the backup
        # API would wait forever on a transaction this same connection holds.
        connection.ensure_connection()
        target.write_bytes(connection.connection.serialize())
    destination = sqlite3.connect(target)
    # The copy is a new file of our own, thrown away if anything fails and fsync'd as part
    # of the backup file: no rollback journal and no syncs while the pages are written.
    destination.execute("PRAGMA journal_mode=OFF")
    destination.execute("PRAGMA synchronous=OFF")
    try:
        if not _in_memory(name):
            source = sqlite3.connect(name, timeout=20)
            try:
                # One step (pages=-1): one read transaction, so a writer meanwhile neither
                # waits nor makes the copy start over.
                source.backup(destination)
            finally:
                source.close()
        tables = [
            row[0]
            for row in destination.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: int(n) for t, n in destination.execute(_count_sql(tables))}
        head_sql, certificate_sql = _facts_sql()
        head = destination.execute(head_sql).fetchone()
        newest = destination.execute(certificate_sql).fetchone()[0]
    finally:
        destination.close()
    return Snapshot(
        vendor="sqlite",
        path=target,
        counts=counts,
        chain_seq=int(head[0]) if head else 0,
        chain_hash=str(head[1]) if head else "",
        newest_certificate=int(newest) if newest is not None else None,
    )


def pg_environment() -> dict[str, str]:
    """libpq's variables for the database credfile uses, for pg_dump and pg_restore."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version when installed (Debian keeps
    each in /usr/lib/postgresql/N/bin), else the one on the PATH if not older."""
    connection.ensure_connection()
    server = int(connection.cursor().connection.info.server_version) // 10000
    candidates = [f"/usr/lib/postgresql/{server}/bin/{name}", shutil.which(name) or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            output = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=True
            ).stdout
            match = re.search(r"(\d+)(?:\.\d+)?", output)
            if match and int(match.group(1)) >= server:
                return candidate
    raise SnapshotFailed(
        _(
            "%(tool)s of PostgreSQL %(version)s or newer is needed (the server's version); "
            "install postgresql-client-%(version)s."
        )
        % {"tool": name, "version": server}
    )


def _snapshot_postgres(target: Path) -> Snapshot:
    import psycopg

    tool = pg_tool("pg_dump")
    env = pg_environment()
    settings = connection.settings_dict
    params: dict[str, Any] = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
    }
    with (
        psycopg.connect(**{k: v for k, v in params.items() if v}) as conn,
        conn.transaction(),
    ):
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        done = subprocess.run(
            [
                tool,
                "--format=custom",
                f"--snapshot={snapshot_id}",
                "--no-password",
                "-f",
                str(target),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SnapshotFailed(done.stderr.strip())
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
        ]
        counts = {str(t): int(n) for t, n in conn.execute(_count_sql(tables))}
        head_sql, certificate_sql = _facts_sql()
        head = conn.execute(head_sql).fetchone()
        newest = conn.execute(certificate_sql).fetchone()[0]  # type: ignore[index]
    return Snapshot(
        vendor="postgresql",
        path=target,
        counts=counts,
        chain_seq=int(head[0]) if head else 0,
        chain_hash=str(head[1]) if head else "",
        newest_certificate=int(newest) if newest is not None else None,
    )


def database_snapshot(target: Path) -> Snapshot:
    if connection.vendor == "sqlite":
        return _snapshot_sqlite(target)
    if connection.vendor == "postgresql":
        return _snapshot_postgres(target)
    raise SnapshotFailed(f"no backup for {connection.vendor}")


def database_counts(tables: list[str]) -> dict[str, int]:
    """Rows per table now, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(tables))
        return {str(t): int(n) for t, n in cursor.fetchall()}


def database_tables() -> list[str]:
    return sorted(connection.introspection.table_names())
