"""Time the receivables engine against an existing, loaded database, beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_receivables.py [--runs 7]

The database comes from the environment like the application's (CREDFILE_HOME or
DATABASE_URL) and must hold demo data with invoices. Timed, each --runs times after one
warm-up, the median: the portfolio ageing (every file, per currency), the ageing of the
department with the most invoices, one page of the portfolio page's rows (per file, sorted
by overdue amount) and the whole portfolio page as the credit manager gets it, and the
ageing and the full figures of the file with the most invoices (ageing, 账龄, DSO, CEI, days
beyond terms, payment index). Each case is timed beside one hand-written SQL statement
giving the same numbers, and a difference in the numbers is flagged. This is a measuring
tool, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count, Max, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.transactions.models import Invoice  # noqa: E402
from credfile.transactions.receivables import (  # noqa: E402
    BEHAVIOUR_DAYS,
    DEFAULT_PERIOD_DAYS,
    PAYMENT_INDEX_ANCHORS,
    ageing_buckets,
    ageing_report,
    portfolio_totals,
    receivable_figures,
)

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _days(later: str, earlier: str) -> str:
    """Whole days between two date columns, in this database's SQL."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def _open_as_of(day_param: str = "%s") -> str:
    return f"""i.amount - COALESCE((
                SELECT SUM(a.amount) FROM transactions_paymentallocation a
                JOIN transactions_payment p ON p.id = a.payment_id
                WHERE a.invoice_id = i.id AND p.received_on <= {day_param}), 0)"""


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
            SELECT i.currency, i.due_date, {_open_as_of()} AS open
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


def plain_portfolio_rows(as_of: datetime.date, currency: str, limit: int) -> list[Any]:
    """The portfolio page's rows: per file in one currency, largest overdue amount first."""
    sql = f"""
        SELECT customer_id, SUM(open), SUM(CASE WHEN due_date < %s THEN open ELSE 0 END) AS late
        FROM (
            SELECT i.customer_id, i.due_date, {_open_as_of()} AS open
            FROM transactions_invoice i
            WHERE i.currency = %s AND i.issue_date <= %s
              AND (i.fully_paid_on IS NULL OR i.fully_paid_on > %s)
        ) AS o GROUP BY customer_id HAVING SUM(open) > 0
        ORDER BY late DESC, customer_id LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, as_of, currency, as_of, as_of, limit])
        return [(row[0], _money(row[1]), _money(row[2])) for row in cursor.fetchall()]


def engine_portfolio_rows(as_of: datetime.date, currency: str, limit: int) -> list[Any]:
    rows = ageing_report(
        scope=Q(), as_of=as_of, by="customer", currency=currency, order="overdue", limit=limit
    )
    return [(r.group["customer_id"], r.total, r.overdue) for r in rows]


def _index_sql(dbt: str) -> str:
    """The payment index of a number of days beyond terms: the anchors, interpolated."""
    anchors = PAYMENT_INDEX_ANCHORS
    whens = [f"WHEN {dbt} <= {anchors[0][0]} THEN {anchors[0][1]}"]
    for (d0, p0), (d1, p1) in itertools.pairwise(anchors):
        whens.append(f"WHEN {dbt} <= {d1} THEN {p0} + ({p1} - {p0}) * ({dbt} - {d0}) / {d1 - d0}.0")
    return f"CASE {' '.join(whens)} ELSE {anchors[-1][1]} END"


def plain_file_figures(as_of: datetime.date, customer: int) -> list[Any]:
    """One file's total open, AR at the period start, sales in the period, and the
    amount-weighted days beyond terms and payment index of the year's payments, per currency."""
    start = as_of - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    since = as_of - datetime.timedelta(days=BEHAVIOUR_DAYS)
    dbt = _days("p.received_on", "i.due_date")
    sql = f"""
        WITH ar AS (
            SELECT i.currency,
                   SUM({_open_as_of()}) AS total,
                   SUM(CASE WHEN i.issue_date <= %s THEN {_open_as_of()} END) AS ar_begin,
                   SUM(CASE WHEN i.issue_date > %s THEN i.amount END) AS sales
            FROM transactions_invoice i
            WHERE i.customer_id = %s AND i.issue_date <= %s
              AND (i.fully_paid_on IS NULL OR i.fully_paid_on > %s)
            GROUP BY i.currency
        ), paid AS (
            SELECT i.currency, SUM(a.amount) AS amount,
                   SUM(a.amount * {dbt}) / SUM(a.amount) AS dbt,
                   SUM(a.amount * {_index_sql(dbt)}) / SUM(a.amount) AS idx
            FROM transactions_paymentallocation a
            JOIN transactions_payment p ON p.id = a.payment_id
            JOIN transactions_invoice i ON i.id = a.invoice_id
            WHERE i.customer_id = %s AND p.received_on > %s AND p.received_on <= %s
            GROUP BY i.currency
        ), currencies AS (SELECT currency FROM ar UNION SELECT currency FROM paid)
        SELECT c.currency, ar.total, ar.ar_begin, ar.sales, paid.dbt, paid.idx
        FROM currencies c LEFT JOIN ar ON ar.currency = c.currency
        LEFT JOIN paid ON paid.currency = c.currency ORDER BY c.currency"""
    params = [as_of, start, start, start, customer, as_of, start, customer, since, as_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    def tenth(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(TENTH)

    return [(c, _money(t), _money(b), _money(s), tenth(d), tenth(x)) for c, t, b, s, d, x in rows]


def engine_file_figures(as_of: datetime.date, customer: int) -> list[Any]:
    figures = receivable_figures(scope=Q(customer_id=customer), as_of=as_of)
    return [
        (f.currency, f.total, f.ar_begin, f.sales, f.weighted_dbt, f.index)
        for f in sorted(figures, key=lambda f: f.currency)
    ]


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
    name: str,
    runs: int,
    engine: Callable[[], Any],
    plain: Callable[[], Any] | None,
    *,
    compare: bool = True,
) -> None:
    times, queries, result = timed(runs, engine)
    line = f"{name:<48} {statistics.median(times):>9.1f} ms {queries:>3} q"
    if plain is not None:
        plain_times, _q, expected = timed(runs, plain)
        same = "same numbers" if result == expected else "DIFFERENT NUMBERS"
        ratio = statistics.median(times) / max(statistics.median(plain_times), 0.001)
        line += f"   plain SQL {statistics.median(plain_times):>9.1f} ms  ×{ratio:.2f}"
        line += f"  {same}" if compare else ""
    print(line, flush=True)


def page(client: Client, url: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")

    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
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
        .order_by("-n", "customer__department_id")
        .first()
    )
    assert department is not None
    dept = department["customer__department_id"]
    file = (
        Invoice.objects.values("customer_id")
        .annotate(n=Count("id"), last=Max("id"))
        .order_by("-n", "customer_id")
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
        lambda: engine_portfolio_rows(as_of, "CNY", 51),
        lambda: plain_portfolio_rows(as_of, "CNY", 51),
    )
    credit = Client()
    credit.force_login(User.objects.get(username="credit"))
    # The page: the totals and the rows above, with the filter form, rendered.
    report(
        "portfolio page /receivables/ (credit manager)",
        runs,
        page(credit, reverse("receivables:portfolio") + "?currency=CNY"),
        lambda: (plain_ageing(as_of, "", []), plain_portfolio_rows(as_of, "CNY", 51)),
        compare=False,
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
        lambda: engine_file_figures(as_of, customer),
        lambda: plain_file_figures(as_of, customer),
    )


if __name__ == "__main__":
    main()
