"""Financial ratios for the credit report: the usual balance-sheet and income ratios of
the latest statement (see docs: domain)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from credfile.customers.models import Customer
from credfile.financials.models import FinancialStatement


@dataclass
class Ratios:
    period_end: datetime.date
    currency: str
    debt_ratio: Decimal | None
    current_ratio: Decimal | None
    quick_ratio: Decimal | None
    net_margin: Decimal | None
    interest_cover: Decimal | None
    return_on_equity: Decimal | None


def _div(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None or b == 0:
        return None
    return (a / b).quantize(Decimal("0.0001"))


def latest_ratios(customer: Customer) -> Ratios | None:
    statement = FinancialStatement.objects.filter(customer=customer).order_by("-period_end").first()
    if statement is None:
        return None
    s = statement
    quick_assets = (
        s.current_assets - s.inventory
        if s.current_assets is not None and s.inventory is not None
        else None
    )
    cover = None
    if s.interest_expense and s.profit_before_tax is not None:
        cover = _div(s.profit_before_tax + s.interest_expense, s.interest_expense)
    return Ratios(
        period_end=s.period_end,
        currency=s.currency,
        debt_ratio=_div(s.total_liabilities, s.total_assets),
        current_ratio=_div(s.current_assets, s.current_liabilities),
        quick_ratio=_div(quick_assets, s.current_liabilities),
        net_margin=_div(s.net_profit, s.revenue),
        interest_cover=cover,
        return_on_equity=_div(s.net_profit, s.equity),
    )
