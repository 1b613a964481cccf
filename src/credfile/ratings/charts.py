"""The geometry of the fit report's charts, drawn by the template as inline SVG (attributes
and classes only: the content security policy allows no inline style and no script)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HistogramBar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # "good" or "bad"
    count: int
    share: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: float
    bars: list[HistogramBar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    goods: int
    bads: int


def histogram_chart(rows: list[dict[str, Any]]) -> Histogram:
    """Two bars a score range, goods and bads, each the share of its own class (so the two
    distributions compare whatever the bad rate)."""
    width, height, left, top, right_pad, bottom_pad = 640, 260, 48, 12, 12, 36
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    goods = sum(r["good"] for r in rows) or 1
    bads = sum(r["bad"] for r in rows) or 1
    shares = [(r["good"] / goods, r["bad"] / bads) for r in rows]
    top_share = max(max(g, b) for g, b in shares) or 1.0
    group = plot_w / max(len(rows), 1)
    bar = max((group - 2) / 2, 0.5)
    bars = []
    for i, (row, (good, bad)) in enumerate(zip(rows, shares, strict=True)):
        for j, (kind, share, count) in enumerate(
            (("good", good, row["good"]), ("bad", bad, row["bad"]))
        ):
            h = plot_h * share / top_share
            bars.append(
                HistogramBar(
                    x=round(left + i * group + 1 + j * bar, 2),
                    y=round(top + plot_h - h, 2),
                    width=round(bar, 2),
                    height=round(h, 2),
                    kind=kind,
                    count=count,
                    share=share,
                    lower=row["lower"],
                    upper=row["upper"],
                )
            )
    step = max(len(rows) // 4, 1)
    x_ticks = [
        Tick(round(left + i * group, 2), height - bottom_pad + 16, f"{rows[i]['lower']:.0f}")
        for i in range(0, len(rows), step)
    ]
    if rows:
        x_ticks.append(Tick(left + plot_w, height - bottom_pad + 16, f"{rows[-1]['upper']:.0f}"))
    y_ticks = [
        Tick(left - 6, round(top + plot_h - plot_h * f, 2), f"{100 * top_share * f:.0f} %")
        for f in (0, 0.5, 1)
    ]
    return Histogram(
        width,
        height,
        left,
        top,
        top + plot_h,
        left + plot_w,
        bars,
        x_ticks,
        y_ticks,
        sum(r["good"] for r in rows),
        sum(r["bad"] for r in rows),
    )


@dataclass(frozen=True)
class Roc:
    size: int
    left: int
    top: int
    plot: int
    points: str  # the polyline's points
    first: tuple[float, float]
    last: tuple[float, float]
    ticks: list[float]


def roc_chart(points: list[list[float]]) -> Roc:
    """The ROC curve (false positive rate across, true positive rate up) over the diagonal."""
    size, left, top, plot = 320, 44, 12, 256

    def at(fpr: float, tpr: float) -> tuple[float, float]:
        return round(left + plot * fpr, 2), round(top + plot * (1 - tpr), 2)

    drawn = [at(x, y) for x, y in points]
    return Roc(
        size,
        left,
        top,
        plot,
        " ".join(f"{x},{y}" for x, y in drawn),
        (points[0][0], points[0][1]),
        (points[-1][0], points[-1][1]),
        [0.0, 0.5, 1.0],
    )
