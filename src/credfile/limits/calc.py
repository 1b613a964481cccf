"""The recommended credit limit, step by step (docs/limits.md): a pure function of its inputs.

need = monthly credit sales × (terms + average days delinquent) / 30 + open orders;
cap = min(p_TNW × tangible net worth, p_rev × annual revenue) by grade;
recommended = min(need, cap) + insured or guaranteed amount, rounded down to a step.
Each step is kept as a row (label, formula, value) so the file shows how the figure came.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

ZERO = Decimal("0")
CENT = Decimal("0.01")
# Share of tangible net worth, share of annual revenue; grades below B get no open credit.
GRADE_SHARES: dict[str, tuple[Decimal, Decimal]] = {
    "AAA": (Decimal("0.20"), Decimal("0.08")),
    "AA": (Decimal("0.15"), Decimal("0.06")),
    "A": (Decimal("0.12"), Decimal("0.05")),
    "BBB": (Decimal("0.10"), Decimal("0.04")),
    "BB": (Decimal("0.06"), Decimal("0.025")),
    "B": (Decimal("0.03"), Decimal("0.01")),
}
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")


@dataclass(frozen=True)
class LimitInputs:
    currency: str
    monthly_sales: Decimal
    terms_days: int
    days_delinquent: Decimal
    open_orders: Decimal
    tangible_net_worth: Decimal | None
    revenue: Decimal | None
    grade: str
    secured: Decimal = ZERO
    as_of: datetime.date | None = None
    review_months: int = 12
    rounding: Decimal = Decimal("1000")
    # Where the figures come from, shown beside the steps (statement period, currency …).
    notes: tuple[str, ...] = ()


@dataclass
class Recommendation:
    currency: str
    need: Decimal
    cap: Decimal
    amount: Decimal
    review_on: datetime.date | None
    steps: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def basis(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "need": str(self.need),
            "cap": str(self.cap),
            "amount": str(self.amount),
            "review_on": self.review_on.isoformat() if self.review_on else None,
            "steps": self.steps,
            "notes": self.notes,
        }


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(value: Decimal) -> str:
    return f"{value:,.2f}"


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def grade_shares(grade: str) -> tuple[Decimal, Decimal]:
    """(p_TNW, p_rev) of a grade: zero for CCC and below, and for a file without a grade."""
    return GRADE_SHARES.get(grade, (ZERO, ZERO))


def recommend(i: LimitInputs) -> Recommendation:
    """The recommended limit and every step of it."""
    steps: list[dict[str, str]] = []

    def step(label: str, formula: str, value: Decimal | str) -> None:
        steps.append(
            {
                "label": label,
                "formula": formula,
                "value": _text(value) if isinstance(value, Decimal) else value,
            }
        )

    days = Decimal(i.terms_days) + max(i.days_delinquent, ZERO)
    cycle = _money(i.monthly_sales * days / Decimal(30))
    need = cycle + i.open_orders
    step(_("Monthly credit sales"), _("invoiced in the last 12 months ÷ 12"), i.monthly_sales)
    step(
        _("Days to collect"),
        _("terms %(terms)s + average days delinquent %(add)s")
        % {"terms": i.terms_days, "add": f"{max(i.days_delinquent, ZERO):f}"},
        f"{days:f}",
    )
    step(
        _("Receivables in one cycle"),
        _("%(sales)s × %(days)s ÷ 30") % {"sales": _text(i.monthly_sales), "days": f"{days:f}"},
        cycle,
    )
    step(_("Open orders"), _("orders and shipments not yet invoiced"), i.open_orders)
    step(
        _("Need"),
        _("%(cycle)s + %(orders)s") % {"cycle": _text(cycle), "orders": _text(i.open_orders)},
        need,
    )
    p_tnw, p_rev = grade_shares(i.grade)
    grade = i.grade or _("none")
    if p_tnw == 0:
        cap = ZERO
        step(
            _("Cap"),
            _("grade %(grade)s: cash or secured only") % {"grade": grade},
            cap,
        )
    else:
        tnw = max(i.tangible_net_worth or ZERO, ZERO)
        revenue = max(i.revenue or ZERO, ZERO)
        by_tnw = _money(p_tnw * tnw)
        by_revenue = _money(p_rev * revenue)
        step(
            _("Cap by tangible net worth"),
            _("grade %(grade)s: %(share)s × %(tnw)s")
            % {"grade": grade, "share": _percent(p_tnw), "tnw": _text(tnw)},
            by_tnw,
        )
        step(
            _("Cap by revenue"),
            _("grade %(grade)s: %(share)s × %(revenue)s")
            % {"grade": grade, "share": _percent(p_rev), "revenue": _text(revenue)},
            by_revenue,
        )
        cap = min(by_tnw, by_revenue)
        step(
            _("Cap"),
            _("min(%(a)s, %(b)s)") % {"a": _text(by_tnw), "b": _text(by_revenue)},
            cap,
        )
    unsecured = min(need, cap)
    step(
        _("Unsecured limit"),
        _("min(need %(need)s, cap %(cap)s)") % {"need": _text(need), "cap": _text(cap)},
        unsecured,
    )
    step(_("Insured or guaranteed"), _("credit insurance, guarantees, collateral"), i.secured)
    total = unsecured + i.secured
    # Rounded down: a limit is a ceiling, and rounding up would lend past the cap.
    rounded = (total / i.rounding).to_integral_value(rounding=ROUND_DOWN) * i.rounding
    rounded = _money(rounded)
    step(
        _("Recommended limit"),
        _("%(total)s rounded down to %(step)s")
        % {"total": _text(total), "step": _text(i.rounding)},
        rounded,
    )
    review_on = _add_months(i.as_of, i.review_months) if i.as_of else None
    if review_on:
        step(
            _("Review by"),
            _("%(months)s months after %(day)s") % {"months": i.review_months, "day": i.as_of},
            review_on.isoformat(),
        )
    return Recommendation(
        currency=i.currency,
        need=need,
        cap=cap,
        amount=rounded,
        review_on=review_on,
        steps=steps,
        notes=list(i.notes),
    )
