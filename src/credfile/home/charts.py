"""The home pages' charts, drawn by the templates as inline SVG from this geometry (attributes
only: the content security policy allows no inline style and no script, and nothing is
fetched at run time). Every chart stands beside a table of the same figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from credfile.transactions.receivables import Bucket

# From current (blue) through the buckets past due, darker red the older.
AGEING_COLOURS = ("#6c9bd2", "#f0ad4e", "#e8833a", "#d9534f", "#b52b27", "#7d1d1a")
GRADE_COLOUR = "#4a7fb5"


def _colour(index: int) -> str:
    return AGEING_COLOURS[min(index, len(AGEING_COLOURS) - 1)]


@dataclass(frozen=True)
class Segment:
    x: float  # percent of the bar's width
    width: float
    colour: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class StackedBar:
    """One group's open amount split by ageing bucket, as a share of the largest group's."""

    label: str
    total: Decimal
    segments: list[Segment]


@dataclass(frozen=True)
class Legend:
    colour: str
    label: str


def ageing_bars(
    rows: Sequence[tuple[str, Mapping[str, Decimal], Decimal]], buckets: Sequence[Bucket]
) -> list[StackedBar]:
    """Bars for (label, amounts by bucket key, total) rows of one currency."""
    peak = max((total for _l, _a, total in rows), default=Decimal(0))
    bars = []
    for label, amounts, total in rows:
        x = 0.0
        segments = []
        for index, bucket in enumerate(buckets):
            amount = amounts.get(bucket.key, Decimal(0))
            width = float(amount / peak * 100) if peak else 0.0
            if width > 0:
                segments.append(
                    Segment(round(x, 3), round(width, 3), _colour(index), bucket.label, amount)
                )
            x += width
        bars.append(StackedBar(label, total, segments))
    return bars


def ageing_legend(buckets: Sequence[Bucket]) -> list[Legend]:
    return [Legend(_colour(index), bucket.label) for index, bucket in enumerate(buckets)]


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    cx: float  # the middle, where the labels stand
    count_y: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: float
    label_y: float
    columns: list[Column]
    colour: str = GRADE_COLOUR


def column_chart(counts: Sequence[tuple[str, int]]) -> ColumnChart:
    """Columns of counts (the files per grade), each labelled below with its count above."""
    step, top, plot = 44, 16, 110
    width = max(step * len(counts), step)
    peak = max((n for _l, n in counts), default=0)
    columns = []
    for index, (label, count) in enumerate(counts):
        height = plot * count / peak if peak else 0.0
        columns.append(
            Column(
                x=index * step + 6,
                y=round(top + plot - height, 2),
                width=step - 12,
                height=round(height, 2),
                label=label,
                count=count,
                cx=index * step + step / 2,
                count_y=round(top + plot - height - 3, 2),
            )
        )
    return ColumnChart(
        width=width,
        height=top + plot + 20,
        baseline=top + plot,
        label_y=top + plot + 15,
        columns=columns,
    )
