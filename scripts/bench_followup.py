"""Time the overdue list against an existing, loaded database, beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_followup.py [--runs 7]

(or with DATABASE_URL=postgres://… for PostgreSQL). The database must hold demo data with
collection actions (`credfile demo`). Timed, each --runs times after one warm-up, the
median: the first page of `/overdue/` and of `GET /api/v1/overdue-invoices/` for the demo
department head (`head`, SALES1) and the credit manager (`credit`, every file), signed in
through Django's test client, and the selector's query for that page alone. Each is beside
one hand-written SQL statement giving the same page (the open overdue invoices in scope, the
latest action and the latest promise of each, ordered by the next-action date, those
without one last); a difference in the page's invoices is flagged. A measuring tool, not a
test: it exits non-zero only when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)
os.environ.setdefault("CREDFILE_LANGUAGE", "en")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.followup.models import CollectionAction  # noqa: E402
from credfile.followup.selectors import (  # noqa: E402
    NO_NEXT_ACTION,
    OverdueFilters,
    overdue_invoices,
    promise_tolerance,
)


def plain_page(department: int | None, size: int) -> list[int]:
    """The page's invoices in one statement: the latest action and the latest promise of each
    open overdue invoice by a window over the actions, ordered by the next-action date."""
    today = timezone.localdate()
    where = "AND c.department_id = %s" if department is not None else ""
    sql = f"""
        WITH latest AS (
            SELECT invoice_id, kind, action_date, next_action_on,
                   ROW_NUMBER() OVER (PARTITION BY invoice_id
                                      ORDER BY action_date DESC, id DESC) AS n
            FROM followup_collectionaction
        ), promise AS (
            SELECT invoice_id, promised_on, open_at_promise - promised_amount AS kept_at,
                   ROW_NUMBER() OVER (PARTITION BY invoice_id
                                      ORDER BY action_date DESC, id DESC) AS n
            FROM followup_collectionaction WHERE kind = 'promise'
        )
        SELECT i.id, i.number, i.due_date, i.amount - i.amount_paid, i.currency,
               c.code, c.name, d.name, u.username, l.kind, l.action_date, l.next_action_on,
               p.promised_on,
               CASE WHEN p.promised_on < %s AND i.amount > i.amount_paid + p.kept_at + %s
                    THEN 1 ELSE 0 END AS broken
        FROM transactions_invoice i
        JOIN customers_customer c ON c.id = i.customer_id
        LEFT JOIN accounts_department d ON d.id = c.department_id
        LEFT JOIN accounts_user u ON u.id = c.account_manager_id
        LEFT JOIN latest l ON l.invoice_id = i.id AND l.n = 1
        LEFT JOIN promise p ON p.invoice_id = i.id AND p.n = 1
        WHERE i.fully_paid_on IS NULL AND i.due_date < %s {where}
        ORDER BY COALESCE(l.next_action_on, %s), i.id
        LIMIT %s"""
    params: list[Any] = [today, promise_tolerance(), today]
    params += [department] if department is not None else []
    params += [NO_NEXT_ACTION, size + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()][:size]


def selector_page(user: User, size: int) -> list[int]:
    rows = overdue_invoices(user=user, filters=OverdueFilters()).order_by("next_key", "pk")
    return [invoice.pk for invoice in rows[: size + 1]][:size]


def timed(runs: int, call: Callable[[], Any]) -> tuple[list[float], int, Any]:
    result = call()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        call()
    count = len(queries.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    reset_queries()
    return times, count, result


def report(
    name: str,
    runs: int,
    engine: Callable[[], Any],
    plain: Callable[[], Any],
    *,
    compare: bool = True,
) -> None:
    times, queries, result = timed(runs, engine)
    plain_times, _q, expected = timed(runs, plain)
    ratio = statistics.median(times) / max(statistics.median(plain_times), 0.001)
    line = f"{name:<48} {statistics.median(times):>9.1f} ms {queries:>3} q"
    line += f"   plain SQL {statistics.median(plain_times):>9.1f} ms  ×{ratio:.2f}"
    if compare:
        line += "  same page" if result == expected else "  DIFFERENT PAGE"
    print(line, flush=True)


def get(client: Client, url: str) -> Callable[[], None]:
    def call() -> None:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    actions = CollectionAction.objects.count()
    if not actions:
        sys.exit("no collection actions: load demo data first (credfile demo)")
    size = int(settings.CREDFILE_PAGE_SIZE)
    print(f"{connection.vendor}, {actions:,} collection actions, page size {size}")
    for username in ("head", "credit"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        department = user.department_id if username == "head" else None
        who = f"{username} ({user.get_role_display()})"

        def plain(department: int | None = department) -> list[int]:
            return plain_page(department, size)

        def selector(user: User = user) -> list[int]:
            return selector_page(user, size)

        report(f"{who}: selector, first page", options.runs, selector, plain)
        report(
            f"{who}: /overdue/ first page",
            options.runs,
            get(client, reverse("followup:overdue")),
            plain,
            compare=False,
        )
        report(
            f"{who}: API overdue-invoices first page",
            options.runs,
            get(client, "/api/v1/overdue-invoices/"),
            plain,
            compare=False,
        )


if __name__ == "__main__":
    main()
