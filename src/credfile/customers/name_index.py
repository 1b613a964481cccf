"""The SQLite name index: an FTS5 trigram table over customers' name_key, kept by triggers.

Migration 0004 creates it; `ensure_name_index` (after every `migrate`) puts the triggers back
if they are gone. SQLite alters a column by rebuilding the table, which drops the table's
triggers: a later migration that alters a customer field would otherwise leave the index
silently behind every write that follows.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

NAME_FTS = "customers_customer_name_fts"
TABLE = "customers_customer"

CREATE_TABLE = f"""CREATE VIRTUAL TABLE {NAME_FTS} USING fts5(
    name_key, content='{TABLE}', content_rowid='id', tokenize='trigram')"""
TRIGGERS = {
    f"{NAME_FTS}_insert": f"""CREATE TRIGGER {NAME_FTS}_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {NAME_FTS}(rowid, name_key) VALUES (new.id, new.name_key);
    END""",
    f"{NAME_FTS}_delete": f"""CREATE TRIGGER {NAME_FTS}_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    END""",
    f"{NAME_FTS}_update": f"""CREATE TRIGGER {NAME_FTS}_update AFTER UPDATE OF name_key ON {TABLE}
    WHEN old.name_key IS NOT new.name_key BEGIN
        INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, name_key) VALUES ('delete', old.id, old.name_key);
        INSERT INTO {NAME_FTS}(rowid, name_key) VALUES (new.id, new.name_key);
    END""",
}
REBUILD = f"INSERT INTO {NAME_FTS}({NAME_FTS}) VALUES ('rebuild')"


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
        )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in TRIGGERS if name not in present]


def ensure_name_index(*, using: str = "default", **kwargs: Any) -> None:
    """Recreate lost triggers and rebuild the index from the table (SQLite, once migrated)."""
    connection = connections[using]
    if connection.vendor != "sqlite" or NAME_FTS not in connection.introspection.table_names():
        return
    missing = missing_triggers(connection)
    if not missing:
        return
    with connection.cursor() as cursor:
        for name in missing:
            cursor.execute(TRIGGERS[name])
        # Rows written while a trigger was missing are not in the index: read them all again.
        cursor.execute(REBUILD)
