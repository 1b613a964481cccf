"""What a rating reads from the files: each factor's input, with its data date and source,
for many customers at once.

A fixed number of queries for any number of customers: their statements, their personal
financial information, the receivables engine's payment behaviour grouped by customer, the
industry-risk table, their complaints, and the assessed inputs of their ratings in force.
The ratios come from `credfile.financials.analysis`, the payment index from
`credfile.transactions.receivables` and the complaint counts from
`credfile.complaints.services`, so a rating uses the figures the file shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, Sum
from django.utils import timezone

from credfile.complaints.services import complaint_figures
from credfile.customers.choices import CustomerKind
from credfile.customers.models import Customer
from credfile.financials.analysis import latest_figures
from credfile.financials.choices import PeriodType
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.ratings.cards import Input
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import IndustryRisk, Rating
from credfile.transactions.models import Invoice
from credfile.transactions.receivables import payment_behaviour

# The statement figure each input reads (financials.analysis keys).
_STATEMENT_INPUTS = {
    "debt_ratio": "debt_ratio",
    "current_ratio": "current_ratio",
    "quick_ratio": "quick_ratio",
    "interest_cover": "interest_cover",
    "net_margin": "net_margin",
    "roe": "return_on_equity",
    "receivable_turnover": "receivable_turnover",
    "inventory_turnover": "inventory_turnover",
    "cash_content_of_sales": "cash_content_of_sales",
    "revenue_growth": "revenue_growth",
}
ASSESSED = tuple(key for key, kind in INPUTS.items() if kind.assessed)
YEAR_DAYS = Decimal("365.25")


def _years(since: datetime.date, as_of: datetime.date) -> Decimal:
    return (Decimal((as_of - since).days) / YEAR_DAYS).quantize(Decimal("0.01"))


def rating_inputs(
    customers: Iterable[Customer],
    *,
    as_of: datetime.date,
    assessed: Mapping[int, Mapping[str, str]] | None = None,
) -> dict[int, dict[str, Input]]:
    """{customer id: {input key: Input}} for every input the file can give. Assessed inputs
    come from `assessed` where given, else from the customer's rating in force."""
    people = list(customers)
    ids = [c.pk for c in people]
    found: dict[int, dict[str, Input]] = {c.pk: {} for c in people}
    organisations = [c for c in people if c.kind == CustomerKind.ORGANIZATION]
    individuals = [c for c in people if c.kind == CustomerKind.INDIVIDUAL]
    _statement_inputs(organisations, as_of, found)
    _personal_inputs(individuals, as_of, found)
    _payment_inputs(ids, as_of, found)
    _industry_inputs(organisations, as_of, found)
    for customer in people:
        inputs = found[customer.pk]
        if customer.established_on and customer.established_on <= as_of:
            inputs["years_in_business"] = Input(
                _years(customer.established_on, as_of),
                customer.established_on,
                "establishment",
            )
        opened = customer.created_at.date()
        inputs["relationship_years"] = Input(
            _years(opened, as_of) if opened <= as_of else Decimal(0), opened, "opened"
        )
    value_inputs(people, as_of=as_of, found=found)
    complaint_inputs(ids, as_of=as_of, found=found)
    _assessed_inputs(ids, found, assessed or {})
    return found


def _statement_inputs(
    organisations: list[Customer], as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    """Two queries: every statement's period and profit (for the run of loss years), then
    only the latest two of the kind chosen, whose figures are analysed."""
    periods: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for pk, customer_id, period_type, net_profit in (
        FinancialStatement.objects.filter(
            customer_id__in=[c.pk for c in organisations], period_end__lte=as_of
        )
        .order_by("customer_id", "period_end", "pk")
        .values_list("pk", "customer_id", "period_type", "net_profit")
    ):
        periods[customer_id].append((pk, period_type, net_profit))
    chosen: dict[int, list[tuple[int, str, Decimal]]] = {}
    for customer_id, rows in periods.items():
        # The latest annual statement; turnovers and growth compare like with like.
        annual = [row for row in rows if row[1] == PeriodType.ANNUAL]
        chosen[customer_id] = annual or rows
    # The latest statement's figures need only the one before it (averages, growth).
    wanted = [pk for rows in chosen.values() for pk, _t, _p in rows[-2:]]
    by_customer: dict[int, list[FinancialStatement]] = defaultdict(list)
    for statement in FinancialStatement.objects.filter(pk__in=wanted):
        by_customer[statement.customer_id].append(statement)
    keys = set(_STATEMENT_INPUTS.values())
    source = "statement"
    for customer in organisations:
        inputs = found[customer.pk]
        statements = by_customer.get(customer.pk, [])
        inputs["has_statements"] = Input("yes" if statements else "no", None, "")
        if not statements:
            continue
        latest = latest_figures(statements, keys)
        day = latest.statement.period_end
        for key, figure_key in _STATEMENT_INPUTS.items():
            value = latest.figures[figure_key].value
            if value is not None:
                inputs[key] = Input(value, day, source)
        losses = 0
        for _pk, _type, net_profit in reversed(chosen[customer.pk]):
            if net_profit >= 0:
                break
            losses += 1
        inputs["loss_years"] = Input(Decimal(losses), day, source)


def _personal_inputs(
    individuals: list[Customer], as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    latest: dict[int, IndividualFinancial] = {}
    for record in IndividualFinancial.objects.filter(
        customer_id__in=[c.pk for c in individuals], as_of__lte=as_of
    ).order_by("customer_id", "as_of", "pk"):
        latest[record.customer_id] = record
    for customer_id, record in latest.items():
        inputs = found[customer_id]
        if record.currency != "CNY":
            # The card's income bins are in CNY; another currency is no income figure.
            continue
        source = "personal"
        income = record.annual_income
        if income is not None:
            inputs["annual_income"] = Input(income, record.as_of, source)
        if income and record.total_liabilities is not None:
            ratio = (record.total_liabilities / income).quantize(Decimal("0.0001"))
            inputs["debt_to_income"] = Input(ratio, record.as_of, source)


def _payment_inputs(
    ids: list[int], as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    """The year's payments: per currency in the engine; the rating takes the worst currency
    (lowest index, most days beyond terms), as a credit manager reading the file would."""
    source = "payments"
    index: dict[int, Decimal] = {}
    worst: dict[int, int] = {}
    for figures in payment_behaviour(scope=Q(customer_id__in=ids), as_of=as_of, by="customer"):
        customer_id = figures.group["customer_id"]
        if figures.index is not None:
            index[customer_id] = min(index.get(customer_id, figures.index), figures.index)
        if figures.max_dbt is not None:
            worst[customer_id] = max(worst.get(customer_id, figures.max_dbt), figures.max_dbt)
    for customer_id, value in index.items():
        found[customer_id]["payment_index"] = Input(value, as_of, source)
    for customer_id, days in worst.items():
        found[customer_id]["max_days_beyond_terms"] = Input(days, as_of, source)


def _industry_inputs(
    organisations: list[Customer], as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    levels: dict[str, IndustryRisk] = {}
    for risk in IndustryRisk.objects.filter(valid_from__lte=as_of).order_by(
        "industry", "valid_from"
    ):
        levels[risk.industry] = risk
    for customer in organisations:
        level = levels.get(customer.industry)
        if level is not None:
            found[customer.pk]["industry_risk"] = Input(
                level.level, level.valid_from, "industry_table"
            )


def _assessed_inputs(
    ids: list[int], found: dict[int, dict[str, Input]], given: Mapping[int, Mapping[str, str]]
) -> None:
    """What a credit manager assessed: as given now, else as in the rating in force (its
    basis keeps them under "assessed")."""
    earlier: dict[int, dict[str, str]] = dict(
        Rating.objects.filter(customer_id__in=ids, is_current=True).values_list(
            "customer_id", "basis__assessed"
        )
    )
    for customer_id in ids:
        now = given.get(customer_id) or {}
        before = earlier.get(customer_id) or {}
        for key in ASSESSED:
            if now.get(key):
                found[customer_id][key] = Input(now[key], None, "assessed")
            elif before.get(key):
                found[customer_id][key] = Input(before[key], None, "assessed_before")


def value_inputs(
    customers: list[Customer], *, as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    """Add the value card's inputs from the file: the profit contribution class, days since
    the last invoice, and the growth of invoiced sales over the year before (in the currency
    the customer bought most in, never summed across currencies). One query."""
    year = datetime.timedelta(days=365)
    rows = (
        Invoice.objects.filter(customer_id__in=[c.pk for c in customers], issue_date__lte=as_of)
        .values("customer_id", "currency")
        .annotate(
            last=Max("issue_date"),
            recent=Sum("amount", filter=Q(issue_date__gt=as_of - year)),
            before=Sum(
                "amount", filter=Q(issue_date__gt=as_of - 2 * year, issue_date__lte=as_of - year)
            ),
        )
        .order_by()
    )
    main: dict[int, dict[str, Any]] = {}
    last: dict[int, datetime.date] = {}
    for found_row in rows:
        row: dict[str, Any] = dict(found_row)
        customer_id = row["customer_id"]
        last[customer_id] = max(last.get(customer_id, row["last"]), row["last"])
        if (row["recent"] or 0) > (main.get(customer_id, {}).get("recent") or 0):
            main[customer_id] = row
    for customer in customers:
        inputs = found[customer.pk]
        if customer.profit_class:
            inputs["profit_contribution"] = Input(customer.profit_class, None, "file")
        if customer.pk in last:
            day = last[customer.pk]
            inputs["purchase_recency"] = Input((as_of - day).days, day, "invoices")
        sales = main.get(customer.pk)
        if sales and sales["before"]:
            growth = (sales["recent"] / sales["before"] - 1).quantize(Decimal("0.0001"))
            inputs["sales_growth"] = Input(growth, as_of, "invoices")


def complaint_inputs(
    ids: list[int], *, as_of: datetime.date, found: dict[int, dict[str, Input]]
) -> None:
    """Add the complaint inputs, as the file's complaints stood at the end of the rating
    date (`complaints.services.complaint_figures`, the figures the file page shows): the
    counts for every file (0 without complaints: a figure, not missing data), the median
    hours to resolution where a complaint was resolved in the 12 months. One query."""
    end = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    source = "complaints"
    for customer_id, figures in complaint_figures(ids, now=end).items():
        inputs = found[customer_id]
        inputs["complaints_12m"] = Input(figures.received_12m, as_of, source)
        inputs["open_complaints"] = Input(figures.open, as_of, source)
        inputs["overdue_complaints"] = Input(figures.overdue, as_of, source)
        if figures.median_response_hours is not None:
            hours = Decimal(str(figures.median_response_hours)).quantize(Decimal("0.1"))
            inputs["median_resolution_hours"] = Input(hours, as_of, source)
