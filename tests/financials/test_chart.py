"""The trend chart: one line per ratio, broken where a period has no value."""

from __future__ import annotations

from credfile.financials.analysis import trends
from credfile.financials.chart import BOTTOM, HEIGHT, TOP, trend_chart
from tests.financials.test_analysis import statement, year_2023, year_2024


def test_a_missing_value_breaks_the_line_and_the_scale_covers_every_value() -> None:
    no_revenue = statement(
        "2025-12-31",
        total_assets="100",
        total_liabilities="50",
        equity="50",
        revenue="0",
        net_profit="-10",
    )
    (trend,) = trends([year_2023(), year_2024(), no_revenue])
    chart = trend_chart(trend)
    assert chart is not None
    series = {str(s.label): s for s in chart.series}
    assert len(series["Debt ratio"].segments) == 1
    assert [p.text for p in series["Debt ratio"].points] == ["62.5 %", "60.0 %", "50.0 %"]
    # Net margin has no value in 2025 (no revenue): the line stops at 2024.
    assert [p.text for p in series["Net margin"].points] == ["6.0 %", "6.0 %"]
    assert len(series["Net margin"].segments[0].split()) == 2
    assert [t.text for t in chart.ticks] == ["0 %", "20 %", "40 %", "60 %", "80 %"]
    assert chart.title == "Annual ratios over time"


def test_a_loss_below_zero_stays_inside_the_plot() -> None:
    (trend,) = trends([year_2023(), year_2024(net_profit="-1500000")])
    chart = trend_chart(trend)
    assert chart is not None
    # Return on equity −42.9 % (−1,500,000 / 3,500,000): the scale reaches down to −60 %.
    texts = [t.text for t in chart.ticks]
    assert texts == ["-60 %", "-40 %", "-20 %", "0 %", "20 %", "40 %", "60 %", "80 %"]
    assert all(TOP <= p.y <= HEIGHT - BOTTOM for s in chart.series for p in s.points)
    lowest = max(p.y for s in chart.series for p in s.points)
    assert lowest > chart.ticks[3].y  # below the zero line (y grows downwards)


def test_a_single_period_has_no_chart() -> None:
    (trend,) = trends([year_2024()])
    assert trend_chart(trend) is None
