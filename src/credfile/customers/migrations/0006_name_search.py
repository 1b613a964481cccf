"""An index for finding a customer by part of its name, on each database its own way.

PostgreSQL: a pg_trgm GIN index on name_key, which serves `name_key LIKE '%…%'` itself for a
part of three characters or more, and a GIN index of each name's one- and two-character
pieces for a shorter part (a surname, a two-character trade name), which trigrams cannot find.
SQLite: an FTS5 table with the trigram tokenizer over name_key (external content: it holds
only the index), kept in step by triggers, so every write path — services, bulk loads, raw
SQL — updates it in the same transaction as the row (customers/name_index.py).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The same statements repair the triggers after a later table rebuild (customers.apps).
from credfile.customers.name_index import CREATE_TABLE, NAME_FTS, REBUILD, TRIGGERS

TABLE = "customers_customer"
SQLITE_FORWARD = [CREATE_TABLE, *TRIGGERS.values(), REBUILD]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {NAME_FTS}",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX customer_name_key_trgm ON {TABLE} USING gin (name_key gin_trgm_ops)",
    # customers.selectors._has_name_gram: the distinct one- and two-character pieces of a key.
    """CREATE FUNCTION credfile_customer_name_grams(key text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(key, i, n)), '{}')
        FROM generate_series(1, char_length(key)) AS i, (VALUES (1), (2)) AS width(n)
        WHERE i + n - 1 <= char_length(key)
    $$""",
    f"CREATE INDEX customer_name_key_grams ON {TABLE} "
    "USING gin (credfile_customer_name_grams(name_key))",
]
# The extension stays: other objects may use it.
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS customer_name_key_grams",
    "DROP FUNCTION IF EXISTS credfile_customer_name_grams(text)",
    "DROP INDEX IF EXISTS customer_name_key_trgm",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _require_trigram()
        statements = sqlite
    elif vendor == "postgresql":
        statements = postgres
    else:  # another database searches by a plain scan
        return
    for statement in statements:
        schema_editor.execute(statement)


def _require_trigram() -> None:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        raise RuntimeError(
            f"credfile needs SQLite 3.34 or newer (FTS5 trigram tokenizer) for name search; "
            f"this Python has SQLite {sqlite3.sqlite_version}."
        )


def forward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, SQLITE_FORWARD, POSTGRES_FORWARD)


def backward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, SQLITE_BACKWARD, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_contact_verified_by"),
    ]

    operations = [migrations.RunPython(forward, backward)]
