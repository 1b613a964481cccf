"""Financial ratios for the credit report: the full ratio set of the latest statement
(see financials.analysis and docs/financials.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from credfile.customers.models import Customer
from credfile.financials.analysis import DEFINITIONS, Figure, analyse, figure_text
from credfile.financials.models import FinancialStatement


@dataclass
class Ratios:
    """The figures of one statement; None where a figure cannot be computed."""

    period_end: datetime.date
    currency: str
    current_ratio: Decimal | None
    quick_ratio: Decimal | None
    cash_ratio: Decimal | None
    working_capital: Decimal | None
    debt_ratio: Decimal | None
    interest_cover: Decimal | None
    tangible_net_worth: Decimal | None
    net_margin: Decimal | None
    return_on_equity: Decimal | None
    receivable_turnover: Decimal | None
    receivable_days: Decimal | None
    inventory_turnover: Decimal | None
    inventory_days: Decimal | None
    cash_content_of_sales: Decimal | None
    revenue_growth: Decimal | None
    net_profit_growth: Decimal | None
    total_assets_growth: Decimal | None
    equity_growth: Decimal | None
    # Why a figure is missing, by its name (translated when read).
    reasons: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[tuple[Any, str, Any]]:
        """Each figure as the report shows it: label, text ("—" without a value), reason."""
        return [
            (
                d.label,
                figure_text(Figure(getattr(self, d.key)), d.kind, self.currency),
                self.reasons.get(d.key, ""),
            )
            for d in DEFINITIONS
        ]


def latest_ratios(customer: Customer) -> Ratios | None:
    statements = list(FinancialStatement.objects.filter(customer=customer))
    if not statements:
        return None
    latest = max(statements, key=lambda s: (s.period_end, s.pk))
    # Averages and growth need the previous period of the latest statement's own type.
    column = next(
        c
        for c in analyse([s for s in statements if s.period_type == latest.period_type])
        if c.statement.pk == latest.pk
    )
    return Ratios(
        period_end=latest.period_end,
        currency=latest.currency,
        **{key: figure.value for key, figure in column.figures.items()},
        reasons={key: f.reason for key, f in column.figures.items() if f.missing},
    )
