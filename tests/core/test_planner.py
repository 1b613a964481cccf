"""Planner statistics are refreshed after bulk loads on PostgreSQL, and left alone on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from credfile.core.planner import refresh_statistics
from credfile.customers.models import Customer
from credfile.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics of PostgreSQL")
def test_a_demo_load_leaves_the_planner_knowing_the_rows_it_wrote() -> None:
    load_demo(customers=12, seed=3, parallel=False)
    # −1 is "never analysed"; ANALYZE counts the rows this transaction wrote.
    assert _estimated_rows(Customer._meta.db_table) == Customer.objects.count()
    assert _estimated_rows("transactions_invoice") > 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_keeps_planning_without_statistics() -> None:
    assert refresh_statistics(Customer) is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None
