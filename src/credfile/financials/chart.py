"""A server-drawn line chart of a trend's percentages (inline SVG: no script, readable by a
screen reader through its title and description, printed as it is shown)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from credfile.financials.analysis import DEFINITIONS, Trend, figure_text

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 44, 16, 40
# Percentages on one scale, so one axis reads them all; colours distinguishable in grey too.
SERIES = (
    ("debt_ratio", "#0d6efd", ""),
    ("net_margin", "#198754", "6 3"),
    ("return_on_equity", "#dc3545", "2 3"),
)


@dataclass
class Point:
    x: float
    y: float
    text: str


@dataclass
class Series:
    label: Any
    colour: str
    dash: str
    segments: list[str]  # "x,y x,y …" per run of consecutive values
    points: list[Point]


@dataclass
class Tick:
    y: float
    text: str


@dataclass
class Label:
    x: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: float
    bottom: float
    title: str
    description: str
    series: list[Series]
    ticks: list[Tick]
    labels: list[Label]


def _nice_step(span: Decimal) -> Decimal:
    for step in (Decimal("0.05"), Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.5")):
        if span / step <= 6:
            return step
    step = Decimal(1)
    while span / step > 6:
        step *= 2
    return step


def trend_chart(trend: Trend) -> Chart | None:
    """The chart of a trend, or None when fewer than two periods have a value to draw."""
    labels = {d.key: d.label for d in DEFINITIONS}
    columns = trend.columns
    values = {key: [c.figures[key].value for c in columns] for key, _colour, _dash in SERIES}
    present = [v for series in values.values() for v in series if v is not None]
    if len(columns) < 2 or not present:
        return None
    low, high = min(Decimal(0), *present), max(Decimal(0), *present)
    step = _nice_step(high - low or Decimal(1))
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if high == low:
        high = low + step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return LEFT + plot_w * index / (len(columns) - 1)

    def y_of(value: Decimal) -> float:
        return TOP + float((high - value) / (high - low)) * plot_h

    series = []
    for key, colour, dash in SERIES:
        segments: list[list[str]] = []
        points = []
        run: list[str] = []
        for index, value in enumerate(values[key]):
            if value is None:
                if run:
                    segments.append(run)
                run = []
                continue
            x, y = x_of(index), y_of(value)
            run.append(f"{x:.1f},{y:.1f}")
            points.append(Point(x, y, figure_text(columns[index].figures[key], "percent")))
        if run:
            segments.append(run)
        series.append(Series(labels[key], colour, dash, [" ".join(r) for r in segments], points))
    ticks = []
    tick = low
    while tick <= high:
        ticks.append(Tick(y_of(tick), f"{tick * 100:,.0f} %"))
        tick += step
    period_labels = [
        Label(x_of(i), c.statement.period_end.isoformat()) for i, c in enumerate(columns)
    ]
    names = ", ".join(str(labels[key]) for key, _colour, _dash in SERIES)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
        title=_("%(period)s ratios over time") % {"period": trend.label},
        description=_("%(ratios)s from %(first)s to %(last)s; the values are in the table.")
        % {
            "ratios": names,
            "first": columns[0].statement.period_end.isoformat(),
            "last": columns[-1].statement.period_end.isoformat(),
        },
        series=series,
        ticks=ticks,
        labels=period_labels,
    )
