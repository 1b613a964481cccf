"""The receivables engine: ageing and payment behaviour over any set of files (see docs: domain).

Every report is computed in the database, a fixed number of queries whatever the number of
invoices, and always per currency: amounts in different currencies are never added.

"Open as of a date" is the invoice amount less the allocations of payments received on or
before that date, so a report for a past date is what the ledger showed on that day.

Invoices paid in full on or before the day are left out before the open amount is summed:
nothing of them is open then. That holds because `Invoice.fully_paid_on` is the latest pay
date of the payments that settle the invoice (`invoice_settlement_refresh`, which every
writer of allocations calls), whatever order they were entered or corrected in.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Round, TruncMonth
from django.utils.translation import gettext_lazy as _

from credfile.core.permissions import Action, Section, customer_scope
from credfile.transactions.models import Invoice, Payment, PaymentAllocation

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MONEY = DecimalField(max_digits=18, decimal_places=2)
# The period of DSO, best possible DSO and CEI, and the window of payment behaviour.
DEFAULT_PERIOD_DAYS = 90
BEHAVIOUR_DAYS = 365
# Days beyond terms → payment index anchors (interpolated linearly, clamped at the ends).
PAYMENT_INDEX_ANCHORS: tuple[tuple[int, int], ...] = (
    (-30, 100),
    (-20, 90),
    (0, 80),
    (15, 70),
    (22, 60),
    (30, 50),
    (60, 40),
    (90, 30),
    (120, 20),
)

# Report grouping → (the key column, the columns that name the group).
GROUPINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customer": ("customer_id", ("customer__code", "customer__name")),
    "department": ("customer__department_id", ("customer__department__name",)),
    "manager": ("customer__account_manager_id", ("customer__account_manager__username",)),
    "industry": ("customer__industry", ("customer__industry",)),
}
GROUPING_LABELS = {
    "customer": _("customer"),
    "department": _("department"),
    "manager": _("account manager"),
    "industry": _("industry"),
}


def payment_index(days_beyond_terms: float) -> float:
    """The payment index (1–100) of one payment's days beyond terms."""
    anchors = PAYMENT_INDEX_ANCHORS
    if days_beyond_terms <= anchors[0][0]:
        return float(anchors[0][1])
    for (d0, p0), (d1, p1) in itertools.pairwise(anchors):
        if days_beyond_terms <= d1:
            return p0 + (p1 - p0) * (days_beyond_terms - d0) / (d1 - d0)
    return float(anchors[-1][1])


def payment_band(index: float | None) -> str:
    """Risk band of a payment index: 80–100 low, 50–79 medium, below 50 high."""
    if index is None:
        return "none"
    return "low" if index >= 80 else "medium" if index >= 50 else "high"


@dataclass(frozen=True)
class Bucket:
    """Days past due from `low` to `high` (inclusive; None = open-ended)."""

    key: str
    label: str
    low: int | None
    high: int | None


def ageing_buckets(bounds: Sequence[int] | None = None) -> tuple[Bucket, ...]:
    """Current (≤ 0 days past due), then one bucket per configured bound, then the rest."""
    bounds = list(bounds if bounds is not None else settings.CREDFILE_AGEING_BUCKETS)
    buckets = [Bucket("current", str(_("current")), None, 0)]
    low = 1
    for high in bounds:
        buckets.append(Bucket(f"d{low}_{high}", f"{low}–{high}", low, high))
        low = high + 1
    buckets.append(Bucket(f"d{bounds[-1]}_plus", f"{bounds[-1]}+", low, None))
    return tuple(buckets)


def statutory_buckets() -> tuple[Bucket, ...]:
    """账龄 by invoice date, in whole years: within 1 year, 1–2, 2–3, over 3."""
    return (
        Bucket("y0_1", str(_("within 1 year")), 0, 1),
        Bucket("y1_2", str(_("1–2 years")), 1, 2),
        Bucket("y2_3", str(_("2–3 years")), 2, 3),
        Bucket("y3_plus", str(_("over 3 years")), 3, None),
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


class DaysBetween(Func):
    """Whole days from the second date to the first, on both supported databases."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )


def _paid_by(day: datetime.date) -> RawSQL:
    """What payments received on or before `day` settled of the outer invoice.

    The correlated subquery written out once, rather than built as a Subquery: a report
    sums the open amount under every bucket, and the ORM resolves and compiles a Subquery
    anew for each, which cost ten times the query itself for one file. The outer query is
    always over the invoice table under its own name (`_invoices`).
    """
    quote = connection.ops.quote_name
    invoice = quote(Invoice._meta.db_table)
    sql = (
        f"SELECT COALESCE(SUM(a.{quote('amount')}), 0)"
        f" FROM {quote(PaymentAllocation._meta.db_table)} a"
        f" INNER JOIN {quote(Payment._meta.db_table)} p"
        f" ON a.{quote('payment_id')} = p.{quote('id')}"
        f" WHERE a.{quote('invoice_id')} = {invoice}.{quote('id')}"
        f" AND p.{quote('received_on')} <= %s"
    )
    return RawSQL(sql, (day,), output_field=MONEY)


def receivables_scope(user: Any) -> Q:
    """The invoices `user` may count in an ageing over many files: the role's view of the
    transactions section, without grants (a grant lends one file to look at, for a purpose,
    not to be summed into reports)."""
    return customer_scope(
        user, Action.VIEW, section=Section.TRANSACTIONS, prefix="customer__", grants=False
    )


@dataclass
class Figures:
    """The receivables of one group in one currency as of a date."""

    currency: str
    group: dict[str, Any] = field(default_factory=dict)
    ageing: dict[str, Decimal] = field(default_factory=dict)
    statutory: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    overdue: Decimal = ZERO
    ar_begin: Decimal = ZERO
    sales: Decimal = ZERO
    dso: Decimal | None = None
    best_dso: Decimal | None = None
    average_days_delinquent: Decimal | None = None
    cei: Decimal | None = None
    paid_amount: Decimal = ZERO
    weighted_dbt: Decimal | None = None
    max_dbt: int | None = None
    index: Decimal | None = None
    band: str = "none"


def _ratio(numerator: Decimal, denominator: Decimal, factor: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator * factor).quantize(TENTH)


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats: their shortest repr is the amount.
    return Decimal(str(value) if isinstance(value, float) else value or 0).quantize(CENT)


def _invoices(scope: Q, extra: Q | None) -> Any:
    invoices = Invoice.objects.filter(scope)
    return invoices.filter(extra) if extra is not None else invoices


def ageing_report(
    *,
    scope: Q,
    as_of: datetime.date,
    by: str | None = None,
    filters: Q | None = None,
    buckets: Sequence[Bucket] | None = None,
    currency: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Figures]:
    """Ageing of what was open on `as_of`, per group (if `by`) and currency: one query.

    `order` ("overdue" or "total", largest first) sorts in the database, and `limit` and
    `offset` take one page of the groups.
    """
    buckets = tuple(buckets or ageing_buckets())
    sums: list[tuple[str, str, list[Any]]] = [
        (f"b_{b.key}", *_due_window(b, as_of, "open_end")) for b in buckets
    ]
    sums.append(("total", "SUM(open_end)", []))
    sums.append(("past_due", "COALESCE(SUM(CASE WHEN o_due < %s THEN open_end END), 0)", [as_of]))
    invoices = _invoices(scope, filters).filter(issue_date__lte=as_of)
    if currency:
        invoices = invoices.filter(currency=currency)
    invoices = invoices.filter(Q(fully_paid_on__isnull=True) | Q(fully_paid_on__gt=as_of))
    first = ("past_due DESC",) if order == "overdue" else ("total DESC",) if order else ()
    rows = _open_sums(
        invoices,
        by=by,
        open_on={"open_end": as_of},
        sums=sums,
        having="SUM(open_end) > 0",
        first=first,
        limit=limit,
        offset=offset,
    )
    result = []
    for row in rows:
        figures = Figures(currency=row["currency"], group=_group_of(row, by))
        figures.ageing = {b.key: _money(row[f"b_{b.key}"]) for b in buckets}
        figures.total = _money(row["total"])
        figures.overdue = figures.total - figures.ageing[buckets[0].key]
        result.append(figures)
    return result


def _due_window(bucket: Bucket, as_of: datetime.date, column: str) -> tuple[str, list[Any]]:
    """The sum of `column` over a bucket of days past due: days past due = as_of − due date,
    so a bucket is a window of due dates."""
    conditions, params = [], []
    if bucket.low is not None:
        conditions.append("o_due <= %s")
        params.append(as_of - datetime.timedelta(days=bucket.low))
    if bucket.high is not None:
        conditions.append("o_due >= %s")
        params.append(as_of - datetime.timedelta(days=bucket.high))
    return f"SUM(CASE WHEN {' AND '.join(conditions)} THEN {column} END)", params


def _open_sums(
    invoices: Any,
    *,
    by: str | None,
    open_on: dict[str, datetime.date],
    sums: Sequence[tuple[str, str, list[Any]]],
    having: str = "",
    first: Sequence[str] = (),
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Sums over `invoices` per group and currency, each invoice's open amounts computed once.

    The ORM builds the inner query (scope, joins for the group's names, and per invoice its
    open amount on each day of `open_on`); the sums (alias, SQL over the inner columns
    o_due, o_issued, o_amount and the open amounts, parameters) run over it as a derived
    table. Summed by the ORM, the open amount's subquery would be evaluated again under
    every bucket, and built again for each by the ORM, which cost more than the query for
    a small scope.
    """
    columns = _group_columns(by)
    groups = {f"g{position}": F(column) for position, column in enumerate(columns)}
    inner = invoices.annotate(
        **groups,
        o_currency=F("currency"),
        o_due=F("due_date"),
        o_issued=F("issue_date"),
        o_amount=F("amount"),
        **{name: F("amount") - _paid_by(day) for name, day in open_on.items()},
    ).values(*groups, "o_currency", "o_due", "o_issued", "o_amount", *open_on)
    try:
        inner_sql, inner_params = inner.order_by().query.sql_with_params()
    except EmptyResultSet:
        return []  # a scope of no files (a role that reaches none): nothing to sum
    # Else the planner pulls the derived table up into the sums and runs the open amount's
    # subquery under each of them again (SQLite takes no OFFSET without a LIMIT).
    inner_sql += " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    keys = [*groups, "o_currency"]
    select = ", ".join([*keys, *(f"{sql} AS {alias}" for alias, sql, _p in sums)])
    sql = f"SELECT {select} FROM ({inner_sql}) o GROUP BY {', '.join(keys)}"
    params: list[Any] = [p for _a, _s, sum_params in sums for p in sum_params]
    params += list(inner_params)
    if having:
        sql += f" HAVING {having}"
    sql += f" ORDER BY {', '.join([*first, *keys])}"
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [*columns, "currency", *(alias for alias, _s, _p in sums)]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _group_columns(by: str | None) -> tuple[str, ...]:
    if by is None:
        return ()
    key, names = GROUPINGS[by]
    return (key, *names)


def _group_of(row: dict[str, Any], by: str | None) -> dict[str, Any]:
    return {column: row[column] for column in _group_columns(by)}


def _group_key(figures: Figures) -> tuple[Any, ...]:
    return (*figures.group.values(), figures.currency)


def receivable_figures(
    *,
    scope: Q,
    as_of: datetime.date,
    by: str | None = None,
    filters: Q | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
) -> list[Figures]:
    """Ageing, 账龄, DSO, best possible DSO, average days delinquent, CEI and how the last
    year's payments kept their terms, per group and currency: two queries.

    DSO = AR at `as_of` / credit sales in the `period_days` before × days; best possible
    DSO uses the AR not yet due; CEI = (AR begin + sales − AR end) / (AR begin + sales −
    current AR end) × 100. Days beyond terms are those of each payment received in the year
    before `as_of` against the due date of the invoice it settled, weighted by the amount.
    """
    buckets = ageing_buckets()
    statutory = statutory_buckets()
    start = as_of - datetime.timedelta(days=period_days)
    sums: list[tuple[str, str, list[Any]]] = [
        (f"b_{b.key}", *_due_window(b, as_of, "open_end")) for b in buckets
    ]
    for bucket in statutory:
        # Ages from the invoice date: "within 1 year" is issued after as_of less one year.
        conditions, params = [], []
        if bucket.low:
            conditions.append("o_issued <= %s")
            params.append(_years_before(as_of, bucket.low))
        if bucket.high is not None:
            conditions.append("o_issued > %s")
            params.append(_years_before(as_of, bucket.high))
        sql = f"SUM(CASE WHEN {' AND '.join(conditions)} THEN open_end END)"
        sums.append((f"s_{bucket.key}", sql, params))
    sums.append(("total", "SUM(open_end)", []))
    sums.append(("ar_begin", "SUM(CASE WHEN o_issued <= %s THEN open_begin END)", [start]))
    sums.append(("sales", "SUM(CASE WHEN o_issued > %s THEN o_amount END)", [start]))
    invoices = (
        _invoices(scope, filters)
        .filter(issue_date__lte=as_of)
        .filter(Q(fully_paid_on__isnull=True) | Q(fully_paid_on__gt=start))
    )
    rows = _open_sums(invoices, by=by, open_on={"open_end": as_of, "open_begin": start}, sums=sums)
    days = Decimal(period_days)
    found: dict[tuple[Any, ...], Figures] = {}
    for row in rows:
        figures = Figures(currency=row["currency"], group=_group_of(row, by))
        figures.ageing = {b.key: _money(row[f"b_{b.key}"]) for b in buckets}
        figures.statutory = {b.key: _money(row[f"s_{b.key}"]) for b in statutory}
        figures.total = _money(row["total"])
        current = figures.ageing["current"]
        figures.overdue = figures.total - current
        figures.ar_begin = _money(row["ar_begin"])
        figures.sales = _money(row["sales"])
        figures.dso = _ratio(figures.total, figures.sales, days)
        figures.best_dso = _ratio(current, figures.sales, days)
        if figures.dso is not None and figures.best_dso is not None:
            figures.average_days_delinquent = figures.dso - figures.best_dso
        collectible = figures.ar_begin + figures.sales
        figures.cei = _ratio(collectible - figures.total, collectible - current, Decimal(100))
        found[_group_key(figures)] = figures
    _add_behaviour(found, scope=scope, as_of=as_of, by=by, filters=filters)
    for figures in found.values():
        # A currency paid in during the year with nothing open or sold in the period has
        # no ageing row: every bucket holds nothing, not "unknown".
        if not figures.ageing:
            figures.ageing = {b.key: ZERO.quantize(CENT) for b in buckets}
            figures.statutory = {b.key: ZERO.quantize(CENT) for b in statutory}
    return [f for f in found.values() if f.total or f.sales or f.ar_begin or f.paid_amount]


def payment_behaviour(
    *, scope: Q, as_of: datetime.date, by: str | None = None, filters: Q | None = None
) -> list[Figures]:
    """How the last year's payments kept their terms (amount paid, days beyond terms, the
    payment index), per group and currency, without the ageing: one query. The same
    figures `receivable_figures` gives, for a reader (the ratings) that needs no more."""
    found: dict[tuple[Any, ...], Figures] = {}
    _add_behaviour(found, scope=scope, as_of=as_of, by=by, filters=filters)
    return [f for f in found.values() if f.paid_amount]


def file_figures(customer_id: int, *, as_of: datetime.date) -> list[Figures]:
    """The figures of one file, per currency: what its transactions section and its credit
    report (page and API) show, so both give the same numbers."""
    return receivable_figures(scope=Q(customer_id=customer_id), as_of=as_of)


def behaviour_document(figures: Iterable[Figures]) -> dict[str, Any]:
    """Payment behaviour and ageing per currency as the API gives them: amounts and figures as
    decimal strings."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    rows = sorted(figures, key=lambda f: f.currency)
    return {
        "payment_behaviour": {
            f.currency: {
                "payment_index": text(f.index),
                "risk_band": f.band,
                "paid_amount": str(f.paid_amount),
                "weighted_days_beyond_terms": text(f.weighted_dbt),
                "max_days_beyond_terms": f.max_dbt,
            }
            for f in rows
        },
        "ageing": {
            f.currency: {key: str(amount) for key, amount in f.ageing.items()} for f in rows
        },
    }


def _add_behaviour(
    found: dict[tuple[Any, ...], Figures],
    *,
    scope: Q,
    as_of: datetime.date,
    by: str | None,
    filters: Q | None,
) -> None:
    """Days beyond terms and the payment index of the year's payments: one query, grouped by
    whole days beyond terms, so the interpolation runs over a few hundred rows at most."""
    prefix = "invoice__"
    columns = tuple(prefix + c for c in _group_columns(by))
    allocations = PaymentAllocation.objects.filter(
        payment__received_on__gt=as_of - datetime.timedelta(days=BEHAVIOUR_DAYS),
        payment__received_on__lte=as_of,
        invoice__in=_invoices(scope, filters).values("pk"),
    )
    rows = (
        allocations.annotate(dbt=DaysBetween(F("payment__received_on"), F("invoice__due_date")))
        .values(*columns, "invoice__currency", "dbt")
        .annotate(paid=Sum("amount"))
        .order_by()
    )
    sums: dict[tuple[Any, ...], list[tuple[int, Decimal]]] = {}
    names: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        group = {c.removeprefix(prefix): row[c] for c in columns}
        key = (*group.values(), row["invoice__currency"])
        names[key] = group
        sums.setdefault(key, []).append((int(row["dbt"]), Decimal(row["paid"])))
    for key, paid in sums.items():
        figures = found.get(key)
        if figures is None:
            figures = found[key] = Figures(currency=key[-1], group=names[key])
        _behaviour(figures, paid)


def _behaviour(figures: Figures, paid: Iterable[tuple[int, Decimal]]) -> None:
    items = list(paid)
    total = sum((amount for _d, amount in items), ZERO)
    if not total:
        return
    figures.paid_amount = total.quantize(CENT)
    figures.weighted_dbt = (sum(Decimal(d) * a for d, a in items) / total).quantize(TENTH)
    figures.max_dbt = max(d for d, _a in items)
    index = sum(Decimal(str(payment_index(d))) * a for d, a in items) / total
    figures.index = index.quantize(TENTH)
    figures.band = payment_band(float(index))


def portfolio_totals(figures: Iterable[Figures]) -> dict[str, dict[str, Decimal]]:
    """Ageing per currency: the JSON shape of the command line and the API."""
    result: dict[str, dict[str, Decimal]] = {}
    for item in sorted(figures, key=lambda f: f.currency):
        row = result.setdefault(item.currency, {})
        for key, amount in item.ageing.items():
            row[key] = row.get(key, ZERO) + amount
        row["total"] = row.get("total", ZERO) + item.total
    return result


def invoice_days_late() -> Any:
    """Days beyond terms of a paid invoice as the figures count them: each payment's pay date
    less the due date, weighted by the amount it settled (one decimal), for the outer
    invoice once paid in full."""
    weighted = (
        PaymentAllocation.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(
            days=Sum(
                F("amount") * DaysBetween(F("payment__received_on"), F("invoice__due_date")),
                output_field=MONEY,
            )
            / Sum("amount", output_field=MONEY)
        )
        .values("days")
    )
    return Case(
        When(
            fully_paid_on__isnull=False,
            then=Round(Subquery(weighted, output_field=MONEY), 1, output_field=MONEY),
        ),
        default=None,
        output_field=MONEY,
    )


def group_identity(figures: Figures, by: str) -> tuple[Any, str]:
    """(id, name) of a report row's group, as the command line and the API show it."""
    key, names = GROUPINGS[by]
    label = " ".join(str(figures.group[n]) for n in names if figures.group.get(n))
    return figures.group.get(key), label


def ageing_document(
    figures: Iterable[Figures], *, as_of: datetime.date, by: str | None = None
) -> dict[str, Any]:
    """The ageing as the command line and the API give it: amounts as decimal strings, per
    currency, for the portfolio or per group."""

    def currencies(rows: Iterable[Figures]) -> dict[str, dict[str, str]]:
        return {
            currency: {key: str(amount) for key, amount in row.items()}
            for currency, row in portfolio_totals(rows).items()
        }

    rows = list(figures)
    document: dict[str, Any] = {"as_of": as_of.isoformat()}
    if by is None:
        document["currencies"] = currencies(rows)
        return document
    groups: dict[Any, tuple[str, list[Figures]]] = {}
    for row in rows:
        ident, name = group_identity(row, by)
        groups.setdefault(ident, (name, []))[1].append(row)
    document["by"] = by
    document["groups"] = [
        {"id": ident, "name": name, "currencies": currencies(members)}
        for ident, (name, members) in groups.items()
    ]
    return document


def month_ends(as_of: datetime.date, months: int) -> list[datetime.date]:
    """The last `months` month ends up to `as_of` (which stands for its own month), oldest first."""
    ends = [as_of]
    while len(ends) < months:
        ends.append(ends[-1].replace(day=1) - datetime.timedelta(days=1))
    return ends[::-1]


@dataclass
class MonthPoint:
    """One month of a file's history: the ageing at its end and the payment index of the
    payments received in it."""

    end: datetime.date
    current: Decimal = ZERO
    overdue: Decimal = ZERO
    index: Decimal | None = None
    paid: Decimal = ZERO


def receivables_history(
    *, scope: Q, as_of: datetime.date, months: int = 24
) -> dict[str, list[MonthPoint]]:
    """Per currency, the ageing at each of the last `months` month ends and each month's
    payment index: one ageing query per month and one for the payments, whatever the number
    of invoices."""
    ends = month_ends(as_of, months)
    history: dict[str, dict[datetime.date, MonthPoint]] = {}
    for end in ends:
        for row in ageing_report(scope=scope, as_of=end):
            point = history.setdefault(row.currency, {}).setdefault(end, MonthPoint(end))
            point.current = row.ageing["current"]
            point.overdue = row.overdue
    first = ends[0].replace(day=1)
    allocations = PaymentAllocation.objects.filter(
        payment__received_on__gte=first,
        payment__received_on__lte=as_of,
        invoice__in=Invoice.objects.filter(scope).values("pk"),
    )
    rows = (
        allocations.annotate(
            month=TruncMonth("payment__received_on"),
            dbt=DaysBetween(F("payment__received_on"), F("invoice__due_date")),
        )
        .values("invoice__currency", "month", "dbt")
        .annotate(paid=Sum("amount"))
        .order_by()
    )
    paid: dict[tuple[str, datetime.date], list[tuple[int, Decimal]]] = {}
    for payment_row in rows:
        month = payment_row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        paid.setdefault((payment_row["invoice__currency"], month), []).append(
            (int(payment_row["dbt"]), Decimal(payment_row["paid"]))
        )
    end_of = {end.replace(day=1): end for end in ends}
    for (currency, month), items in paid.items():
        month_end = end_of.get(month)
        if month_end is None:
            continue
        point = history.setdefault(currency, {}).setdefault(month_end, MonthPoint(month_end))
        figures = Figures(currency=currency)
        _behaviour(figures, items)
        point.index, point.paid = figures.index, figures.paid_amount
    return {
        currency: [points.get(end, MonthPoint(end)) for end in ends]
        for currency, points in sorted(history.items())
    }
