"""The receivables history chart of a file, drawn server-side as SVG (no script needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from credfile.transactions.receivables import MonthPoint

WIDTH = 720
HEIGHT = 220
LEFT = 8
TOP = 10
PLOT_HEIGHT = 170


@dataclass
class Bar:
    x: float
    width: float
    current_y: float
    current_height: float
    overdue_y: float
    overdue_height: float
    point: MonthPoint
    label: str


@dataclass
class Chart:
    """Stacked bars of what was open at each month end (current, overdue) and a line of
    each month's payment index (0–100 on the same height)."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    index_line: str = ""
    index_dots: list[tuple[float, float, MonthPoint]] = field(default_factory=list)
    peak: Decimal = Decimal("0")
    baseline: float = TOP + PLOT_HEIGHT


def history_chart(points: list[MonthPoint]) -> Chart:
    chart = Chart()
    if not points:
        return chart
    chart.peak = max((p.current + p.overdue for p in points), default=Decimal("0"))
    step = (WIDTH - 2 * LEFT) / len(points)
    scale = float(PLOT_HEIGHT) / float(chart.peak) if chart.peak else 0.0
    base = chart.baseline
    line = []
    for i, point in enumerate(points):
        x = LEFT + i * step + step * 0.15
        current_height = float(point.current) * scale
        overdue_height = float(point.overdue) * scale
        chart.bars.append(
            Bar(
                x=round(x, 1),
                width=round(step * 0.7, 1),
                current_y=round(base - current_height, 1),
                current_height=round(current_height, 1),
                overdue_y=round(base - current_height - overdue_height, 1),
                overdue_height=round(overdue_height, 1),
                point=point,
                label=point.end.strftime("%y-%m") if i % 3 == len(points) % 3 else "",
            )
        )
        if point.index is not None:
            cx = round(LEFT + i * step + step / 2, 1)
            cy = round(base - float(point.index) / 100 * PLOT_HEIGHT, 1)
            line.append(f"{cx},{cy}")
            chart.index_dots.append((cx, cy, point))
    chart.index_line = " ".join(line)
    return chart
