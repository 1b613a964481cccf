"""Time the receivables engine against an existing, loaded database, beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_receivables.py [--runs 5]

The database comes from the environment like the application's (CREDFILE_HOME or
DATABASE_URL) and must hold demo data with invoices. Timed, each --runs times after one
warm-up: the portfolio ageing (every file, per currency), the ageing of the department with
the most invoices, one page of the portfolio page's rows (per file, sorted by overdue
amount), and the full figures of the file with the most invoices (ageing, 账龄, DSO, CEI,
days beyond terms, payment index). Each engine case is timed beside one hand-written SQL
statement giving the same ageing numbers, and a difference in the numbers is flagged. This
is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count, Max, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from credfile.transactions.models import Invoice  # noqa: E402
from credfile.transactions.receivables import (  # noqa: E402
    ageing_buckets,
    ageing_report,
    portfolio_totals,
    receivable_figures,
)


def plain_ageing(as_of: datetime.date, where: str, params: list[Any]) -> dict[str, list[Any]]:
    """The ageing per currency in one statement: open as of the date from the allocations of
    payments received by then, bucketed by due date."""
    buckets = ageing_buckets()
    cases, case_params = [], []
    for b in buckets:
        conditions = []
        if b.low is not None:
            conditions.append("due_date <= %s")
            case_params.append(as_of - datetime.timedelta(days=b.low))
        if b.high is not None:
            conditions.append("due_date >= %s")
            case_params.append(as_of - datetime.timedelta(days=b.high))
        cases.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN open ELSE 0 END)")
    sql = f"""
        SELECT currency, {", ".join(cases)}, SUM(open) FROM (
            SELECT i.currency, i.due_date, i.amount - COALESCE((
                SELECT SUM(a.amount) FROM transactions_paymentallocation a
                JOIN transactions_payment p ON p.id = a.payment_id
                WHERE a.invoice_id = i.id AND p.received_on <= %s), 0) AS open
            FROM transactions_invoice i JOIN customers_customer c ON c.id = i.customer_id
            WHERE i.issue_date <= %s AND (i.fully_paid_on IS NULL OR i.fully_paid_on > %s)
              {where}
        ) AS o GROUP BY currency ORDER BY currency"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, as_of, as_of, as_of, *params])
        rows = cursor.fetchall()
    return {
        row[0]: [Decimal(str(v or 0)).quantize(Decimal("0.01")) for v in row[1:]]
        for row in rows
        if row[-1]
    }


def engine_ageing(as_of: datetime.date, scope: Q) -> dict[str, list[Any]]:
    totals = portfolio_totals(ageing_report(scope=scope, as_of=as_of))
    return {currency: list(amounts.values()) for currency, amounts in totals.items()}


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
    name: str, runs: int, engine: Callable[[], Any], plain: Callable[[], Any] | None
) -> None:
    times, queries, result = timed(runs, engine)
    line = f"{name:<44} {statistics.median(times):>9.1f} ms {queries:>3} q"
    if plain is not None:
        plain_times, _q, expected = timed(runs, plain)
        same = "same numbers" if result == expected else "DIFFERENT NUMBERS"
        ratio = statistics.median(times) / max(statistics.median(plain_times), 0.001)
        line += f"   plain SQL {statistics.median(plain_times):>9.1f} ms  ×{ratio:.2f}  {same}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)")
    options = parser.parse_args()
    as_of = datetime.date.fromisoformat(options.as_of) if options.as_of else datetime.date.today()
    invoices = Invoice.objects.count()
    if not invoices:
        sys.exit("no invoices: load demo data first (credfile demo)")
    print(f"{connection.vendor}, {invoices:,} invoices, as of {as_of}")
    department = (
        Invoice.objects.values("customer__department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert department is not None
    dept = department["customer__department_id"]
    file = (
        Invoice.objects.values("customer_id").annotate(n=Count("id"), last=Max("id")).order_by("-n")
    ).first()
    assert file is not None
    customer = file["customer_id"]
    runs = options.runs
    report(
        "portfolio ageing (every file)",
        runs,
        lambda: engine_ageing(as_of, Q()),
        lambda: plain_ageing(as_of, "", []),
    )
    report(
        f"department {dept} ageing ({department['n']:,} invoices)",
        runs,
        lambda: engine_ageing(as_of, Q(customer__department_id=dept)),
        lambda: plain_ageing(as_of, "AND c.department_id = %s", [dept]),
    )
    report(
        "portfolio page rows (by file, overdue first)",
        runs,
        lambda: ageing_report(
            scope=Q(), as_of=as_of, by="customer", currency="CNY", order="overdue", limit=51
        ),
        None,
    )
    report(
        f"one file's ageing ({file['n']} invoices)",
        runs,
        lambda: engine_ageing(as_of, Q(customer_id=customer)),
        lambda: plain_ageing(as_of, "AND i.customer_id = %s", [customer]),
    )
    report(
        "one file's full figures (DSO, CEI, index …)",
        runs,
        lambda: receivable_figures(scope=Q(customer_id=customer), as_of=as_of),
        None,
    )


if __name__ == "__main__":
    main()
