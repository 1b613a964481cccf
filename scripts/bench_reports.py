"""Time the portfolio summary's queries and the PDF reports against a loaded database,
beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_reports.py [--runs 3]

The database comes from the environment like the application's and must hold demo data
(`credfile demo`; its users `credit` and `head`). Timed, each --runs times after one warm-up,
the median: each of the summary's four grouped queries (files per department, grades in
force per department, ageing per department and currency, open orders per department and
currency) beside one hand-written SQL statement giving the same numbers (a difference is
flagged); the whole summary; the portfolio PDF as the credit manager and a department head
get it (queries, layout, font subset); one file's PDF. A measuring tool, not a test.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.customers.selectors import customer_get  # noqa: E402
from credfile.limits.facts import counted_kinds  # noqa: E402
from credfile.reports.portfolio import (  # noqa: E402
    ageing_per_department,
    files_per_department,
    grades_per_department,
    orders_per_department,
    portfolio_summary,
)
from credfile.reports.services import file_report_pdf, portfolio_report_pdf  # noqa: E402
from credfile.transactions.receivables import ageing_buckets  # noqa: E402

CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


CPU: dict[str, float] = {}


def timed(runs: int, work: Callable[[], Any]) -> tuple[list[float], int, Any]:
    """Wall-clock times (ms) of `runs` runs after a warm-up; the median CPU time of this
    process goes to CPU["last"] (on a busy machine the wall clock also counts waiting)."""
    work()  # warm-up: caches, the font's first parse
    times, cpu, result, queries = [], [], None, 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = work()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries = len(captured)
    CPU["last"] = statistics.median(cpu)
    return times, queries, result


def report(
    name: str, runs: int, engine: Callable[[], Any], plain: Callable[[], Any] | None
) -> None:
    times, queries, result = timed(runs, engine)
    line = (
        f"{name:<52} {statistics.median(times):>9.1f} ms (cpu {CPU['last']:>7.1f}) {queries:>3} q"
    )
    if plain is not None:
        plain_times, _q, expected = timed(runs, plain)
        same = "same numbers" if result == expected else "DIFFERENT NUMBERS"
        ratio = statistics.median(times) / max(statistics.median(plain_times), 0.001)
        line += f"   plain SQL {statistics.median(plain_times):>9.1f} ms  ×{ratio:.2f}  {same}"
    print(line, flush=True)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- the engine's figures, in the plain statements' shape ------------------------------------


def engine_files(user: User, as_of: datetime.date) -> Any:
    return sorted(
        (r["department_id"], r["files"], r["individuals"], r["organisations"])
        for r in files_per_department(user)
    )


def engine_grades(user: User, as_of: datetime.date) -> Any:
    return sorted(
        (r["customer__department_id"], r["grade"], r["n"]) for r in grades_per_department(user)
    )


def engine_ageing(user: User, as_of: datetime.date) -> Any:
    buckets = ageing_buckets()
    return sorted(
        (
            f.group["customer__department_id"],
            f.currency,
            *(f.ageing[b.key] for b in buckets),
            f.total,
        )
        for f in ageing_per_department(user, as_of)
    )


def engine_orders(user: User, as_of: datetime.date) -> Any:
    return sorted(
        (r["customer__department_id"], r["currency"], _money(r["total"]))
        for r in orders_per_department(user)
        if r["total"]
    )


# --- plain SQL ------------------------------------------------------------------------------


def _where(department: int | None, column: str = "c.department_id") -> tuple[str, list[Any]]:
    return ("AND " + column + " = %s", [department]) if department else ("", [])


def plain_files(department: int | None) -> Any:
    where, params = _where(department, "department_id")
    rows = _rows(
        f"""SELECT department_id, COUNT(*),
                   SUM(CASE WHEN kind = 'individual' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN kind = 'organization' THEN 1 ELSE 0 END)
            FROM customers_customer WHERE 1 = 1 {where} GROUP BY department_id""",
        params,
    )
    return sorted(tuple(int(v) for v in row) for row in rows)


def plain_grades(department: int | None) -> Any:
    where, params = _where(department)
    rows = _rows(
        f"""SELECT c.department_id, r.grade, COUNT(*) FROM ratings_rating r
            JOIN customers_customer c ON c.id = r.customer_id
            WHERE r.is_current {where} GROUP BY c.department_id, r.grade""",
        params,
    )
    return sorted((row[0], row[1], int(row[2])) for row in rows)


def plain_ageing(as_of: datetime.date, department: int | None) -> Any:
    cases, case_params = [], []
    for b in ageing_buckets():
        conditions = []
        if b.low is not None:
            conditions.append("due_date <= %s")
            case_params.append(as_of - datetime.timedelta(days=b.low))
        if b.high is not None:
            conditions.append("due_date >= %s")
            case_params.append(as_of - datetime.timedelta(days=b.high))
        cases.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN open ELSE 0 END)")
    where, params = _where(department)
    rows = _rows(
        f"""SELECT department_id, currency, {", ".join(cases)}, SUM(open) FROM (
                SELECT c.department_id, i.currency, i.due_date, i.amount - COALESCE((
                    SELECT SUM(a.amount) FROM transactions_paymentallocation a
                    JOIN transactions_payment p ON p.id = a.payment_id
                    WHERE a.invoice_id = i.id AND p.received_on <= %s), 0) AS open
                FROM transactions_invoice i JOIN customers_customer c ON c.id = i.customer_id
                WHERE i.issue_date <= %s AND (i.fully_paid_on IS NULL OR i.fully_paid_on > %s)
                  {where}
            ) AS o GROUP BY department_id, currency HAVING SUM(open) > 0""",
        [*case_params, as_of, as_of, as_of, *params],
    )
    return sorted((row[0], row[1], *(_money(v) for v in row[2:])) for row in rows)


def plain_orders(department: int | None) -> Any:
    where, params = _where(department)
    kinds = counted_kinds()
    marks = ", ".join(["%s"] * len(kinds))
    rows = _rows(
        f"""SELECT c.department_id, o.currency, SUM(o.amount) FROM limits_openorder o
            JOIN customers_customer c ON c.id = o.customer_id
            WHERE o.is_open AND o.kind IN ({marks}) {where}
            GROUP BY c.department_id, o.currency""",
        [*kinds, *params],
    )
    return sorted((row[0], row[1], _money(row[2])) for row in rows if row[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)")
    options = parser.parse_args()
    as_of = datetime.date.fromisoformat(options.as_of) if options.as_of else datetime.date.today()
    files = Customer.objects.count()
    if not files:
        sys.exit("no files: load demo data first (credfile demo)")
    credit = User.objects.get(username="credit")
    head = User.objects.get(username="head")
    print(f"{connection.vendor}, {files:,} files, as of {as_of}, median of {options.runs}")
    runs = options.runs
    for user, department in ((credit, None), (head, head.department_id)):
        who = f"{user.role} {user.username}"
        report(
            f"files per department ({who})",
            runs,
            lambda u=user: engine_files(u, as_of),
            lambda d=department: plain_files(d),
        )
        report(
            f"grades in force per department ({who})",
            runs,
            lambda u=user: engine_grades(u, as_of),
            lambda d=department: plain_grades(d),
        )
        report(
            f"ageing per department and currency ({who})",
            runs,
            lambda u=user: engine_ageing(u, as_of),
            lambda d=department: plain_ageing(as_of, d),
        )
        report(
            f"open orders per department and currency ({who})",
            runs,
            lambda u=user: engine_orders(u, as_of),
            lambda d=department: plain_orders(d),
        )
        report(
            f"the whole summary, four queries ({who})",
            runs,
            lambda u=user: portfolio_summary(user=u, as_of=as_of),
            None,
        )
        report(
            f"portfolio PDF ({who})",
            runs,
            lambda u=user: len(portfolio_report_pdf(actor=u, as_of=as_of).content),
            None,
        )
    customer = Customer.objects.filter(department_id=head.department_id).order_by("pk").first()
    assert customer is not None

    def file_pdf() -> int:
        found = customer_get(user=head, pk=customer.pk, trace=False)
        return len(file_report_pdf(actor=head, customer=found).content)

    report(f"one file's PDF ({customer.code}, {head.username})", runs, file_pdf, None)


if __name__ == "__main__":
    main()
