"""Time the ratings against an existing, loaded database, beside plain SQL.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_ratings.py [--runs 3] [--rate-all]

Timed, each --runs times: the factor inputs of every file (`ratings.facts.rating_inputs` over
batches of 2,000 files: statements and their ratios, payment behaviour, industry risk,
assessed inputs), with the scoring on the default card, writing nothing; beside one plain
SQL statement computing the statement ratios of each organisation's latest annual statement
(with the previous one for averages and growth) and each customer's amount-weighted and
largest days beyond terms over the last year. With --rate-all, `credfile rate --all` itself
once (it writes a rating per file). A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.choices import Role  # noqa: E402
from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.ratings.cards import score  # noqa: E402
from credfile.ratings.facts import rating_inputs  # noqa: E402
from credfile.ratings.services import BATCH, cards_in_use, rate_all  # noqa: E402


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def plain_inputs(as_of: datetime.date) -> int:
    """The statement ratios and payment behaviour of every customer in one statement."""
    dbt = _days("p.received_on", "i.due_date")
    real = "1.0 *"  # decimal division on both databases
    sql = f"""
    WITH s AS (
      SELECT customer_id, period_end, total_assets, total_liabilities, equity, revenue,
             current_assets, current_liabilities, inventory, accounts_receivable,
             interest_expense, profit_before_tax, net_profit, cost_of_sales, cash_from_sales,
             ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY period_end DESC) AS rn,
             LEAD(equity) OVER (PARTITION BY customer_id ORDER BY period_end DESC) AS equity0,
             LEAD(accounts_receivable) OVER (PARTITION BY customer_id ORDER BY period_end DESC)
               AS ar0,
             LEAD(inventory) OVER (PARTITION BY customer_id ORDER BY period_end DESC) AS inv0,
             LEAD(revenue) OVER (PARTITION BY customer_id ORDER BY period_end DESC) AS rev0
      FROM financials_financialstatement
      WHERE period_type = 'annual' AND period_end <= %s
    ),
    ratios AS (
      SELECT customer_id,
        {real} total_liabilities / NULLIF(total_assets, 0) AS debt_ratio,
        {real} current_assets / NULLIF(current_liabilities, 0) AS current_ratio,
        {real} (current_assets - inventory) / NULLIF(current_liabilities, 0) AS quick_ratio,
        {real} (profit_before_tax + interest_expense) / NULLIF(interest_expense, 0) AS cover,
        {real} net_profit / NULLIF(revenue, 0) AS net_margin,
        {real} net_profit / NULLIF((equity + COALESCE(equity0, equity)) / 2, 0) AS roe,
        {real} revenue / NULLIF((accounts_receivable + COALESCE(ar0, accounts_receivable)) / 2, 0)
          AS receivable_turnover,
        {real} cost_of_sales / NULLIF((inventory + COALESCE(inv0, inventory)) / 2, 0)
          AS inventory_turnover,
        {real} cash_from_sales / NULLIF(revenue, 0) AS cash_content,
        {real} revenue / NULLIF(rev0, 0) - 1 AS revenue_growth
      FROM s WHERE rn = 1
    ),
    paid AS (
      SELECT i.customer_id,
        SUM(a.amount * {dbt}) / SUM(a.amount) AS weighted_dbt,
        MAX({dbt}) AS max_dbt
      FROM transactions_paymentallocation a
      JOIN transactions_payment p ON p.id = a.payment_id
      JOIN transactions_invoice i ON i.id = a.invoice_id
      WHERE p.received_on > %s AND p.received_on <= %s
      GROUP BY i.customer_id
    )
    SELECT COUNT(*), COUNT(r.debt_ratio), COUNT(p.max_dbt)
    FROM customers_customer c
    LEFT JOIN ratios r ON r.customer_id = c.id
    LEFT JOIN paid p ON p.customer_id = c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, as_of - datetime.timedelta(days=365), as_of])
        return int(cursor.fetchone()[0])


def engine_inputs(as_of: datetime.date) -> int:
    cards = {kind: v.card for kind, v in cards_in_use().items()}
    last, done = 0, 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return done
        last = batch[-1].pk
        inputs = rating_inputs(batch, as_of=as_of)
        for customer in batch:
            score(cards[customer.kind], inputs[customer.pk])
        done += len(batch)


def timed(label: str, run: Any, runs: int) -> None:
    times = []
    with CaptureQueriesContext(connection) as queries:
        for _n in range(runs):
            start = time.perf_counter()
            rows = run()
            times.append(time.perf_counter() - start)
    print(
        f"{label:<46} median {statistics.median(times):8.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}; rows {rows}; "
        f"queries per run {len(queries) // runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate-all", action="store_true")
    args = parser.parse_args()
    as_of = timezone.localdate()
    print(f"{connection.vendor}, {Customer.objects.count():,} customers, as of {as_of}")
    timed("plain SQL: statement ratios + days beyond terms", lambda: plain_inputs(as_of), args.runs)
    timed("rating inputs + scoring, every file", lambda: engine_inputs(as_of), args.runs)
    if args.rate_all:
        actor = User.objects.filter(role=Role.CREDIT_MANAGER, is_active=True).first()
        assert actor is not None, "the demo's credit manager"
        start = time.perf_counter()
        result = rate_all(actor=actor, as_of=as_of)
        elapsed = time.perf_counter() - start
        print(
            f"{'credfile rate --all (writes)':<46} {elapsed:8.2f} s  "
            f"(rated {result.rated:,}, {result.rated / elapsed:,.0f} files/s; "
            f"skipped without consent {result.no_consent:,})"
        )


if __name__ == "__main__":
    main()
