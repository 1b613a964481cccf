"""A rating as the file page shows it: the factor table, the points chart, the history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from credfile.ratings.inputs import (
    CHOICE,
    COUNT,
    DAYS,
    HOURS,
    INDEX,
    INPUTS,
    MONEY,
    PERCENT,
    RATIO,
    YEARS,
)
from credfile.ratings.models import Rating


def value_text(key: str, value: Any) -> str:
    """An input's value in its unit: 50.0 %, 2.00, 10 days, 14.6 years, a choice's label."""
    if value is None or value == "":
        return "—"
    kind = INPUTS.get(key)
    if kind is None:
        return str(value)
    if kind.unit == CHOICE:
        label = kind.choices.get(str(value))
        return str(label) if label is not None else str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if kind.unit == PERCENT:
        return f"{number * 100:,.1f} %"
    if kind.unit == RATIO:
        return f"{number:,.2f}"
    if kind.unit == DAYS:
        return _("%(days)s days") % {"days": f"{number:,.0f}"}
    if kind.unit == YEARS:
        return _("%(years)s years") % {"years": f"{number:,.1f}"}
    if kind.unit == INDEX:
        return f"{number:,.1f}"
    if kind.unit == MONEY:
        return f"{number:,.2f} CNY"
    if kind.unit == COUNT:
        return f"{number:,.0f}"
    if kind.unit == HOURS:
        return _("%(hours)s h") % {"hours": f"{number:,.1f}"}
    return str(value)


def bin_text(key: str, text: str) -> str:
    """A categorical bin by its label; a numeric one as stored ("[1.5, 2)"), percentages in
    percent."""
    kind = INPUTS.get(key)
    if kind is not None and kind.unit == CHOICE:
        label = kind.choices.get(text)
        return str(label) if label is not None else text
    if kind is not None and kind.unit == PERCENT:
        return _percent_bin(text)
    return text


def _percent_bin(text: str) -> str:
    """[0.4, 0.55) → [40 %, 55 %)"""

    def percent(match: re.Match[str]) -> str:
        value = f"{Decimal(match.group(0)) * 100:f}"
        return (value.rstrip("0").rstrip(".") if "." in value else value) + " %"

    return _NUMBER.sub(percent, text)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def source_text(source: str, as_of: str) -> str:
    """Where an input came from, in the reader's language (the basis keeps a key)."""
    texts = {
        "statement": lambda: _("statement %(date)s") % {"date": as_of},
        "personal": lambda: _("personal financial information %(date)s") % {"date": as_of},
        "payments": lambda: _("payments in the 12 months to %(date)s") % {"date": as_of},
        "establishment": lambda: _("establishment date %(date)s") % {"date": as_of},
        "opened": lambda: _("file opened %(date)s") % {"date": as_of},
        "industry_table": lambda: _("industry-risk table from %(date)s") % {"date": as_of},
        "assessed": lambda: _("assessed"),
        "file": lambda: _("the credit file"),
        "complaints": lambda: _("the file's complaints as at %(date)s") % {"date": as_of},
        "invoices": lambda: _("invoices to %(date)s") % {"date": as_of},
        "assessed_before": lambda: _("assessed, as in the rating in force"),
    }
    text = texts.get(source)
    return text() if text is not None else source


@dataclass(frozen=True)
class FactorRow:
    key: str
    label: str
    value: str
    as_of: str
    source: str
    bin: str
    points: Decimal
    max_points: Decimal
    missing: bool

    @property
    def percent(self) -> int:
        return int(self.points * 100 / self.max_points) if self.max_points else 0


def factor_rows(rating: Rating) -> list[FactorRow]:
    rows = []
    for f in rating.basis.get("factors", []):
        kind = INPUTS.get(f["key"])
        rows.append(
            FactorRow(
                key=f["key"],
                label=f["label"] or (str(kind.label) if kind else f["key"]),
                value=value_text(f["key"], f["value"]),
                as_of=f["as_of"] or "",
                source=source_text(f["source"], f["as_of"] or ""),
                bin=bin_text(f["key"], f["bin"]),
                points=Decimal(f["points"]),
                max_points=Decimal(f["max_points"]),
                missing=bool(f["missing"]),
            )
        )
    return rows


@dataclass(frozen=True)
class CapRow:
    label: str
    value: str
    max_grade: str


_CAP_LABELS = {
    "debt_ratio_80": lambda: _("Debt ratio above 80 %"),
    "debt_ratio_90": lambda: _("Debt ratio above 90 %"),
    "insolvent": lambda: _("Liabilities above assets"),
    "loss_this_year": lambda: _("A loss in the latest year"),
    "losses_two_years": lambda: _("Losses two years running"),
    "dishonest_debtor": lambda: _("Listed as a dishonest judgment debtor"),
    "no_statements": lambda: _("No financial statements"),
}


def cap_label(key: str, label: str = "") -> str:
    return label or (_CAP_LABELS[key]() if key in _CAP_LABELS else key)


def cap_rows(rating: Rating) -> list[CapRow]:
    rows = []
    for cap in rating.basis.get("caps", []):
        label = cap_label(cap["key"], cap["label"])
        rows.append(CapRow(label=label, value=cap["value"] or "", max_grade=cap["max_grade"]))
    return rows


@dataclass
class HistoryChart:
    width: int
    height: int
    points: list[tuple[float, float, Rating]]
    line: str
    grades: list[tuple[str, float]]


def history_chart(ratings: list[Rating], scale: list[str]) -> HistoryChart | None:
    """The grade of each approved rating over time, best grade on top."""
    shown = [r for r in ratings if r.status == "approved" and r.grade in scale]
    if len(shown) < 2:
        return None
    shown.sort(key=lambda r: (r.as_of, r.pk))
    width, height, left, top, plot = 640, 180, 48, 10, 150
    step_y = plot / max(len(scale) - 1, 1)
    span = (shown[-1].as_of - shown[0].as_of).days or 1
    points = []
    for rating in shown:
        x = left + (width - left - 10) * (rating.as_of - shown[0].as_of).days / span
        y = top + scale.index(rating.grade) * step_y
        points.append((round(x, 1), round(y, 1), rating))
    line = " ".join(f"{x},{y}" for x, y, _r in points)
    grades = [(g, round(top + i * step_y, 1)) for i, g in enumerate(scale)]
    return HistoryChart(width, height, points, line, grades)


# --- value × credit grade --------------------------------------------------------------------

_STRONG_CREDIT = {"AAA", "AA", "A"}
_FAIR_CREDIT = {"BBB", "BB"}


def credit_band(grade: str) -> str:
    if grade in _STRONG_CREDIT:
        return "strong"
    if grade in _FAIR_CREDIT:
        return "fair"
    return "weak"


def strategy(value_grade: str, credit_grade: str) -> str:
    """The credit strategy the value × credit grade matrix suggests."""
    valuable = value_grade in {"A", "B"}
    band = credit_band(credit_grade)
    texts = {
        (True, "strong"): lambda: _("Develop: a higher limit and favourable terms."),
        (True, "fair"): lambda: _("Grow with care: standard terms, watched closely."),
        (True, "weak"): lambda: _("Keep secured: guarantees, insurance or shorter terms."),
        (False, "strong"): lambda: _("Maintain: standard terms."),
        (False, "fair"): lambda: _("Limit: a lower limit and tighter terms."),
        (False, "weak"): lambda: _("Reduce: cash in advance, or end the credit."),
    }
    return texts[(valuable, band)]()


def value_rows(rating: Rating) -> list[FactorRow]:
    """The value rating's factors, as the credit factors are shown."""
    value = rating.basis.get("value")
    if not value:
        return []
    shadow = Rating(basis={"factors": value.get("factors", [])})
    return factor_rows(shadow)
