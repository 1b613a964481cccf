"""Time each role's home page against an existing, loaded database, beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_home.py [--runs 5]

(or with DATABASE_URL=postgres://… for PostgreSQL). The database must hold demo data
(`credfile demo --customers 100000 --seed 1`). For each demo account — `manager` (account
manager, SALES1), `head` (department head, SALES1), `credit` (credit manager), `executive`
and `auditor` — timed each --runs times after one warm-up, the median: the whole page `/`
signed in through Django's test client, and the panels' figures alone (`home.panels.build`),
each beside hand-written SQL statements giving the same figures (counts, the ageing per
department, industry and currency, the grade × value counts, the audit chain's head and the
latest reveals). Where both give the receivables totals or the grade counts, a difference is
flagged. A measuring tool, not a test: it exits non-zero only when a page does not answer 200.
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
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)
os.environ.setdefault("CREDFILE_LANGUAGE", "en")
# The demo's executive and auditor sign in here without a second factor.
os.environ["CREDFILE_OTP_REQUIRED_ROLES"] = ""

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.core.permissions import home_panels  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.home import panels  # noqa: E402
from credfile.limits.expiring import EXPIRING_WITHIN_DAYS  # noqa: E402
from credfile.limits.facts import counted_kinds  # noqa: E402
from credfile.reviews.selectors import DUE_WINDOW_DAYS  # noqa: E402
from credfile.transactions.receivables import ageing_buckets  # noqa: E402

ROLES = ("manager", "head", "credit", "executive", "auditor")


def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _money(value: Any) -> Decimal:
    return Decimal(str(value) if isinstance(value, float) else value or 0).quantize(Decimal("0.01"))


def plain_ageing(group: str, where: str, params: list[Any], today: datetime.date) -> Any:
    """Open amounts per group and currency by bucket of days past due, as of today."""
    buckets = ageing_buckets()
    sums, sum_params = [], []
    for bucket in buckets:
        conditions = []
        if bucket.low is not None:
            conditions.append("o.due <= %s")
            sum_params.append(today - datetime.timedelta(days=bucket.low))
        if bucket.high is not None:
            conditions.append("o.due >= %s")
            sum_params.append(today - datetime.timedelta(days=bucket.high))
        sums.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN o.open END)")
    sql = f"""
        SELECT o.g, o.currency, {", ".join(sums)}, SUM(o.open)
        FROM (
            SELECT {group} AS g, i.currency, i.due_date AS due,
                   i.amount - COALESCE((
                       SELECT SUM(a.amount) FROM transactions_paymentallocation a
                       JOIN transactions_payment p ON p.id = a.payment_id
                       WHERE a.invoice_id = i.id AND p.received_on <= %s), 0) AS open
            FROM transactions_invoice i
            JOIN customers_customer c ON c.id = i.customer_id
            WHERE i.issue_date <= %s AND (i.fully_paid_on IS NULL OR i.fully_paid_on > %s)
            {where}
        ) o
        GROUP BY o.g, o.currency HAVING SUM(o.open) > 0"""
    found = rows(sql, [*sum_params, today, today, today, *params])
    return {(g, currency): [_money(v) for v in values] for g, currency, *values in found}


def plain_totals(figures: dict[tuple[Any, str], list[Decimal]]) -> dict[str, list[Decimal]]:
    totals: dict[str, list[Decimal]] = {}
    for (_g, currency), values in figures.items():
        row = totals.setdefault(currency, [Decimal(0)] * len(values))
        totals[currency] = [a + b for a, b in zip(row, values, strict=True)]
    return dict(sorted(totals.items()))


def plain_figures(user: User) -> dict[str, Any]:
    """The figures of the user's panels, each in hand-written SQL."""
    today = timezone.localdate()
    now = timezone.now()
    found: dict[str, Any] = {}
    keys = home_panels(user)
    dept = "AND c.department_id = %s" if user.department_id else ""
    dept_params: list[Any] = [user.department_id] if user.department_id else []
    own = dept + (" AND c.account_manager_id = %s" if user.role == "account_manager" else "")
    own_params = dept_params + ([user.pk] if user.role == "account_manager" else [])
    if "followups" in keys:
        found["followups"] = rows(
            f"""SELECT COUNT(*), SUM(CASE WHEN l.next_action_on <= %s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN l.invoice_id IS NULL OR l.next_action_on IS NULL
                           THEN 1 ELSE 0 END)
                FROM transactions_invoice i JOIN customers_customer c ON c.id = i.customer_id
                LEFT JOIN (SELECT invoice_id, next_action_on, ROW_NUMBER() OVER (
                        PARTITION BY invoice_id ORDER BY action_date DESC, id DESC) AS n
                    FROM followup_collectionaction) l ON l.invoice_id = i.id AND l.n = 1
                WHERE i.fully_paid_on IS NULL AND i.due_date < %s {own}""",
            [today, today, *own_params],
        )
        found["followup_amounts"] = rows(
            f"""SELECT i.currency, SUM(i.amount - i.amount_paid) FROM transactions_invoice i
                JOIN customers_customer c ON c.id = i.customer_id
                WHERE i.fully_paid_on IS NULL AND i.due_date < %s {own} GROUP BY i.currency""",
            [today, *own_params],
        )
    if "reviews" in keys:
        scope = (
            "AND s.account_manager_id = %s AND c.account_manager_id = %s"
            if user.role == "account_manager"
            else "AND s.department_id = %s"
            if user.department_id
            else ""
        )
        params = [user.pk, user.pk] if user.role == "account_manager" else dept_params
        found["reviews"] = rows(
            f"""SELECT SUM(CASE WHEN s.next_review_on < %s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN s.next_review_on >= %s AND s.next_review_on <= %s
                           THEN 1 ELSE 0 END)
                FROM reviews_reviewschedule s JOIN customers_customer c ON c.id = s.customer_id
                WHERE 1 = 1 {dept} {scope}""",
            [today, today, today + datetime.timedelta(days=DUE_WINDOW_DAYS), *dept_params, *params],
        )
    if "complaints" in keys:
        found["complaints"] = rows(
            f"""SELECT COUNT(*), SUM(CASE WHEN k.due_at < %s THEN 1 ELSE 0 END)
                FROM complaints_complaint k JOIN customers_customer c ON c.id = k.customer_id
                WHERE k.status IN ('new', 'acknowledged', 'in_progress') {own}""",
            [now, *own_params],
        )
    if "my_changes" in keys:
        found["my_changes"] = rows(
            "SELECT COUNT(*) FROM changes_changerequest WHERE maker_id = %s AND status = 'pending'",
            [user.pk],
        )
    if "approvals" in keys:
        found["approvals"] = rows(
            f"""SELECT COUNT(*) FROM changes_changerequest r
                JOIN customers_customer c ON c.id = r.customer_id
                WHERE r.status = 'pending' AND r.maker_id <> %s {dept}""",
            [user.pk, *dept_params],
        )
    if "usage_applications" in keys:
        found["usage"] = rows(
            "SELECT COUNT(*) FROM access_usageapplication WHERE status = 'pending'"
            " AND applicant_id <> %s",
            [user.pk],
        )
    if {"receivables", "by_department"} & set(keys):
        by_department = plain_ageing("c.department_id", dept, dept_params, today)
        found["totals"] = plain_totals(by_department)
        found["orders"] = rows(
            f"""SELECT c.department_id, o.currency, SUM(o.amount) FROM limits_openorder o
                JOIN customers_customer c ON c.id = o.customer_id
                WHERE o.is_open AND o.kind IN ({", ".join(["%s"] * len(counted_kinds()))})
                {dept} GROUP BY c.department_id, o.currency""",
            [*counted_kinds(), *dept_params],
        )
    if "by_industry" in keys:
        found["by_industry"] = plain_ageing("c.industry", dept, dept_params, today)
    if {"grades", "value_matrix"} & set(keys):
        found["grades"] = rows(
            f"""SELECT r.grade, r.value_grade, COUNT(*) FROM ratings_rating r
                JOIN customers_customer c ON c.id = r.customer_id
                WHERE r.is_current {dept} GROUP BY r.grade, r.value_grade""",
            dept_params,
        )
    if "watch_list" in keys:
        found["watch"] = rows(
            f"""SELECT COUNT(*) FROM risk_watchentry w
                JOIN customers_customer c ON c.id = w.customer_id
                WHERE w.status = 'active' {dept}""",
            dept_params,
        )
    if "limits_expiring" in keys:
        found["expiring"] = rows(
            f"""SELECT COUNT(*) FROM limits_creditlimit l
                JOIN customers_customer c ON c.id = l.customer_id
                WHERE l.status = 'active' AND l.valid_until <= %s {dept}""",
            [today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS), *dept_params],
        )
    if "credit_work" in keys:
        found["waiting"] = rows(
            "SELECT (SELECT COUNT(*) FROM ratings_rating WHERE status = 'proposed'),"
            " (SELECT COUNT(*) FROM limits_limitrequest WHERE status = 'pending')",
            [],
        )
    if "audit_chain" in keys:
        found["head"] = rows("SELECT seq, hash FROM audit_audithead WHERE id = 1", [])
        found["inspection"] = rows(
            "SELECT id, chain_ok FROM inspections_inspection WHERE finished_at IS NOT NULL"
            " ORDER BY started_at DESC LIMIT 1",
            [],
        )
    if "reveals" in keys:
        found["reveals"] = rows(
            "SELECT seq, actor_label, object_repr, occurred_at FROM audit_auditevent"
            " WHERE action = 'reveal' ORDER BY seq DESC LIMIT 10",
            [],
        )
    return found


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


def compare(user: User, built: list[panels.Panel], plain: dict[str, Any]) -> str:
    """Where both give them: the receivables totals and the grade counts, equal or not."""
    by_key = {panel.key: panel for panel in built}
    notes = []
    if "receivables" in by_key and "totals" in plain:
        engine = {
            currency: list(amounts.values())
            for currency, amounts in sorted(by_key["receivables"].data["totals"].items())
        }
        notes.append("totals equal" if engine == plain["totals"] else "TOTALS DIFFER")
    if "grades" in by_key and "grades" in plain:
        counts: dict[str, int] = {}
        for grade, _value, n in plain["grades"]:
            counts[grade] = counts.get(grade, 0) + n
        engine_counts = {g: n for g, n in by_key["grades"].data["rows"] if n}
        notes.append("grades equal" if engine_counts == counts else "GRADES DIFFER")
    return ", ".join(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    customers = Customer.objects.count()
    if not customers:
        sys.exit("no customers: load demo data first (credfile demo)")
    settings.DEBUG = False
    print(f"{connection.vendor}, {customers:,} customers, median of {options.runs} runs")
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        who = f"{username} ({user.get_role_display()})"

        def page(client: Client = client, username: str = username) -> None:
            response = client.get("/")
            if response.status_code != 200:
                sys.exit(f"/ answered {response.status_code} for {username}")

        def figures(user: User = user) -> list[panels.Panel]:
            return panels.build(user, home_panels(user))

        def plain(user: User = user) -> dict[str, Any]:
            return plain_figures(user)

        page_times, page_queries, _r = timed(options.runs, page)
        build_times, build_queries, built = timed(options.runs, figures)
        plain_times, plain_queries, found = timed(options.runs, plain)
        print(
            f"{who:<36} page {statistics.median(page_times):>8.1f} ms {page_queries:>3} q"
            f"   panels {statistics.median(build_times):>8.1f} ms {build_queries:>3} q"
            f"   plain SQL {statistics.median(plain_times):>8.1f} ms {plain_queries:>3} q"
            f"   {compare(user, built, found)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
