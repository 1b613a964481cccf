"""Ratios and growth rates of an organisation's financial statements (see docs/financials.md
and the domain reference).

Every figure is computed from one statement and, for averages and growth, from the statement
of the immediately preceding period of the same type and currency. A figure that cannot be
computed (a line not recorded, a zero denominator, no comparable previous period) is `None`
with the reason, never an error: the page shows "—" and the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.financials.choices import PeriodType
from credfile.financials.models import FinancialStatement

RATIO_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
# Length of each kind of period, for "the previous period" and for turnover days
# (the 360-day year of the domain reference, split evenly).
PERIOD_MONTHS = {
    PeriodType.ANNUAL: 12,
    PeriodType.HALF_YEAR: 6,
    PeriodType.QUARTER: 3,
    PeriodType.MONTH: 1,
}
PERIOD_DAYS = {kind: Decimal(30 * months) for kind, months in PERIOD_MONTHS.items()}

# How a figure is shown: a plain ratio (1.60), a percentage (60.0 %), days or money.
RATIO, PERCENT, DAYS, MONEY = "ratio", "percent", "days", "money"


@dataclass(frozen=True)
class Figure:
    """One computed figure: its value, or why there is none; `note` qualifies a value."""

    value: Decimal | None
    reason: Any = ""  # translated text (lazy) when value is None
    note: Any = ""  # e.g. computed on the closing balance for want of an opening one

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Definition:
    key: str
    label: Any
    kind: str
    compute: Callable[[Inputs], Figure]


@dataclass
class Inputs:
    """A statement and the one of the previous comparable period, if any."""

    statement: FinancialStatement
    previous: FinancialStatement | None
    # Why there is no comparable previous statement (e.g. it is in another currency).
    no_previous: Any = ""


LINE_LABELS: dict[str, Any] = {
    "cash": _("Cash and equivalents"),
    "accounts_receivable": _("Accounts receivable"),
    "inventory": _("Inventory"),
    "current_assets": _("Current assets"),
    "intangible_assets": _("Intangible assets"),
    "total_assets": _("Total assets"),
    "current_liabilities": _("Current liabilities"),
    "total_liabilities": _("Total liabilities"),
    "equity": _("Owners' equity"),
    "revenue": _("Operating revenue"),
    "cost_of_sales": _("Cost of sales"),
    "interest_expense": _("Interest expense"),
    "profit_before_tax": _("Profit before tax"),
    "net_profit": _("Net profit"),
    "cash_from_sales": _("Cash received from sales"),
}


def _not_recorded(line: str) -> Figure:
    return Figure(None, _("%(line)s not recorded") % {"line": LINE_LABELS[line]})


def _zero(line: str) -> Figure:
    return Figure(None, _("%(line)s is zero") % {"line": LINE_LABELS[line]})


def _line(s: FinancialStatement, name: str) -> Decimal | None:
    value: Decimal | None = getattr(s, name)
    return value


def _ratio(a: Decimal, b: Decimal) -> Decimal:
    return (a / b).quantize(RATIO_PLACES)


def _divide(s: FinancialStatement, top: str, bottom: str) -> Figure:
    a, b = _line(s, top), _line(s, bottom)
    if a is None:
        return _not_recorded(top)
    if b is None:
        return _not_recorded(bottom)
    if b == 0:
        return _zero(bottom)
    return Figure(_ratio(a, b))


def _difference(s: FinancialStatement, first: str, second: str) -> Figure:
    a, b = _line(s, first), _line(s, second)
    if a is None:
        return _not_recorded(first)
    if b is None:
        return _not_recorded(second)
    return Figure((a - b).quantize(CENT))


def _average(inputs: Inputs, name: str) -> tuple[Decimal | None, Any]:
    """The average of opening and closing balance; the closing balance (with a note) when
    there is no opening one."""
    closing = _line(inputs.statement, name)
    if closing is None:
        return None, ""
    opening = _line(inputs.previous, name) if inputs.previous is not None else None
    if opening is None:
        return closing, _("on the closing balance: no opening balance")
    return (opening + closing) / 2, ""


def _over_average(inputs: Inputs, top: str, bottom: str) -> Figure:
    a = _line(inputs.statement, top)
    if a is None:
        return _not_recorded(top)
    average, note = _average(inputs, bottom)
    if average is None:
        return _not_recorded(bottom)
    if average == 0:
        return _zero(bottom)
    return Figure(_ratio(a, average), note=note)


def _days(turnover: Figure, inputs: Inputs) -> Figure:
    if turnover.value is None:
        return turnover
    if turnover.value == 0:
        return Figure(None, _("turnover is zero"))
    days = PERIOD_DAYS[PeriodType(inputs.statement.period_type)]
    return Figure((days / turnover.value).quantize(Decimal("0.1")), note=turnover.note)


def quick_ratio(i: Inputs) -> Figure:
    s = i.statement
    if s.current_assets is None:
        return _not_recorded("current_assets")
    if s.inventory is None:
        return _not_recorded("inventory")
    if s.current_liabilities is None:
        return _not_recorded("current_liabilities")
    if s.current_liabilities == 0:
        return _zero("current_liabilities")
    return Figure(_ratio(s.current_assets - s.inventory, s.current_liabilities))


def interest_cover(i: Inputs) -> Figure:
    s = i.statement
    if s.interest_expense is None:
        return _not_recorded("interest_expense")
    if s.interest_expense == 0:
        return Figure(None, _("no interest expense"))
    if s.profit_before_tax is None:
        return _not_recorded("profit_before_tax")
    return Figure(_ratio(s.profit_before_tax + s.interest_expense, s.interest_expense))


def receivable_turnover(i: Inputs) -> Figure:
    return _over_average(i, "revenue", "accounts_receivable")


def inventory_turnover(i: Inputs) -> Figure:
    return _over_average(i, "cost_of_sales", "inventory")


def _growth(name: str) -> Callable[[Inputs], Figure]:
    def compute(i: Inputs) -> Figure:
        current = _line(i.statement, name)
        if current is None:
            return _not_recorded(name)
        if i.previous is None:
            return Figure(None, i.no_previous)
        before = _line(i.previous, name)
        if before is None:
            return Figure(
                None,
                _("%(line)s not recorded for the previous period") % {"line": LINE_LABELS[name]},
            )
        if before == 0:
            return Figure(
                None, _("%(line)s is zero in the previous period") % {"line": LINE_LABELS[name]}
            )
        # Against the size of the previous value, so a smaller loss is growth.
        return Figure(_ratio(current - before, abs(before)))

    return compute


@dataclass(frozen=True)
class Group:
    title: Any
    definitions: tuple[Definition, ...]


GROUPS: tuple[Group, ...] = (
    Group(
        _("Liquidity"),
        (
            Definition(
                "current_ratio",
                _("Current ratio"),
                RATIO,
                lambda i: _divide(i.statement, "current_assets", "current_liabilities"),
            ),
            Definition("quick_ratio", _("Quick ratio"), RATIO, quick_ratio),
            Definition(
                "cash_ratio",
                _("Cash ratio"),
                RATIO,
                lambda i: _divide(i.statement, "cash", "current_liabilities"),
            ),
            Definition(
                "working_capital",
                _("Working capital"),
                MONEY,
                lambda i: _difference(i.statement, "current_assets", "current_liabilities"),
            ),
        ),
    ),
    Group(
        _("Leverage"),
        (
            Definition(
                "debt_ratio",
                _("Debt ratio"),
                PERCENT,
                lambda i: _divide(i.statement, "total_liabilities", "total_assets"),
            ),
            Definition("interest_cover", _("Interest cover"), RATIO, interest_cover),
            Definition(
                "tangible_net_worth",
                _("Tangible net worth"),
                MONEY,
                lambda i: _difference(i.statement, "equity", "intangible_assets"),
            ),
        ),
    ),
    Group(
        _("Profitability"),
        (
            Definition(
                "net_margin",
                _("Net margin"),
                PERCENT,
                lambda i: _divide(i.statement, "net_profit", "revenue"),
            ),
            Definition(
                "return_on_equity",
                _("Return on equity"),
                PERCENT,
                lambda i: _over_average(i, "net_profit", "equity"),
            ),
        ),
    ),
    Group(
        _("Efficiency"),
        (
            Definition("receivable_turnover", _("Receivable turnover"), RATIO, receivable_turnover),
            Definition(
                "receivable_days",
                _("Receivable turnover days"),
                DAYS,
                lambda i: _days(receivable_turnover(i), i),
            ),
            Definition("inventory_turnover", _("Inventory turnover"), RATIO, inventory_turnover),
            Definition(
                "inventory_days",
                _("Inventory turnover days"),
                DAYS,
                lambda i: _days(inventory_turnover(i), i),
            ),
            Definition(
                "cash_content_of_sales",
                _("Cash content of sales"),
                PERCENT,
                lambda i: _divide(i.statement, "cash_from_sales", "revenue"),
            ),
        ),
    ),
    Group(
        _("Growth over the previous period"),
        (
            Definition("revenue_growth", _("Revenue growth"), PERCENT, _growth("revenue")),
            Definition("net_profit_growth", _("Net profit growth"), PERCENT, _growth("net_profit")),
            Definition(
                "total_assets_growth", _("Total assets growth"), PERCENT, _growth("total_assets")
            ),
            Definition("equity_growth", _("Equity growth"), PERCENT, _growth("equity")),
        ),
    ),
)
DEFINITIONS: tuple[Definition, ...] = tuple(d for g in GROUPS for d in g.definitions)
KEYS: tuple[str, ...] = tuple(d.key for d in DEFINITIONS)


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month


def previous_of(
    statement: FinancialStatement, earlier: Iterable[FinancialStatement]
) -> tuple[FinancialStatement | None, Any]:
    """The statement of the period just before `statement` (same type, same currency), or
    None with the reason. Statements of another type are never compared."""
    kind = PeriodType(statement.period_type)
    wanted = _month_index(statement.period_end) - PERIOD_MONTHS[kind]
    for other in earlier:
        if other.period_type != statement.period_type:
            continue
        if _month_index(other.period_end) != wanted:
            continue
        if other.currency != statement.currency:
            return None, _("the previous period is in %(currency)s: not compared") % {
                "currency": other.currency
            }
        return other, ""
    return None, _("no statement for the previous period")


@dataclass
class Column:
    """One statement with all its figures."""

    statement: FinancialStatement
    figures: dict[str, Figure]


def analyse(statements: Sequence[FinancialStatement]) -> list[Column]:
    """Figures of each statement (any order in, oldest first out)."""
    ordered = sorted(statements, key=lambda s: (s.period_end, s.pk or 0))
    columns = []
    for statement in ordered:
        previous, why = previous_of(statement, ordered)
        inputs = Inputs(statement, previous, why)
        columns.append(Column(statement, {d.key: d.compute(inputs) for d in DEFINITIONS}))
    return columns


def latest_figures(statements: Sequence[FinancialStatement], keys: Collection[str]) -> Column:
    """Only the figures `keys` of the latest of `statements` (a reader that rates many
    files needs a few figures of one statement, not the whole analysis)."""
    ordered = sorted(statements, key=lambda s: (s.period_end, s.pk or 0))
    statement = ordered[-1]
    previous, why = previous_of(statement, ordered)
    inputs = Inputs(statement, previous, why)
    return Column(statement, {d.key: d.compute(inputs) for d in DEFINITIONS if d.key in keys})


@dataclass
class Cell:
    """A figure as shown: its text ("—" without a value), and the reason or note."""

    text: str
    reason: Any
    note: Any


@dataclass
class Row:
    label: Any
    kind: str
    cells: list[Cell]


@dataclass
class TrendGroup:
    title: Any
    rows: list[Row]


@dataclass
class Trend:
    """The figures of one kind of period over time, for the trend table and chart."""

    period_type: str
    label: Any
    columns: list[Column]
    groups: list[TrendGroup] = field(default_factory=list)


def _cell(column: Column, definition: Definition) -> Cell:
    figure = column.figures[definition.key]
    text = figure_text(figure, definition.kind, column.statement.currency)
    return Cell(text, figure.reason if figure.missing else "", figure.note)


def trends(statements: Sequence[FinancialStatement], *, periods: int = 8) -> list[Trend]:
    """One trend per kind of period recorded (annual first), its last `periods` columns."""
    columns = analyse(statements)
    result = []
    for kind in PERIOD_MONTHS:
        kept = [c for c in columns if c.statement.period_type == kind][-periods:]
        if not kept:
            continue
        groups = [
            TrendGroup(
                g.title,
                [Row(d.label, d.kind, [_cell(c, d) for c in kept]) for d in g.definitions],
            )
            for g in GROUPS
        ]
        result.append(Trend(kind.value, kind.label, kept, groups))
    return result


def customer_trends(customer: Any, *, periods: int = 8) -> list[Trend]:
    return trends(list(FinancialStatement.objects.filter(customer=customer)), periods=periods)


def figure_text(figure: Figure, kind: str, currency: str = "") -> str:
    """A figure as the page shows it: 1.60, 60.0 %, 45.0, 1,234.00 CNY, or — ."""
    if figure.value is None:
        return "—"
    if kind == PERCENT:
        return f"{figure.value * 100:,.1f} %"
    if kind == DAYS:
        return f"{figure.value:,.1f}"
    if kind == MONEY:
        text = f"{figure.value:,.2f}"
        return f"{text} {currency}" if currency else text
    return f"{figure.value:,.2f}"


def as_data(figure: Figure) -> dict[str, str | None]:
    """A figure for the API: the exact value as a decimal string, or null with the reason."""
    return {
        "value": None if figure.value is None else str(figure.value),
        "reason": str(figure.reason) if figure.value is None else None,
        "note": str(figure.note) or None,
    }
