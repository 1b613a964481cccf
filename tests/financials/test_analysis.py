"""Ratios and growth rates, each checked against a hand-computed value (domain reference)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from credfile.financials.analysis import analyse, figure_text, trends
from credfile.financials.models import FinancialStatement

D = Decimal


def statement(period_end: str, period_type: str = "annual", **lines: Any) -> FinancialStatement:
    return FinancialStatement(
        period_type=period_type,
        period_end=datetime.date.fromisoformat(period_end),
        currency=lines.pop("currency", "CNY"),
        **{k: D(v) if v is not None else None for k, v in lines.items()},
    )


def year_2023(**extra: Any) -> FinancialStatement:
    lines = {
        "cash": "500000",
        "accounts_receivable": "1000000",
        "inventory": "600000",
        "current_assets": "2500000",
        "intangible_assets": "200000",
        "total_assets": "8000000",
        "current_liabilities": "2000000",
        "total_liabilities": "5000000",
        "equity": "3000000",
        "revenue": "10000000",
        "cost_of_sales": "7000000",
        "interest_expense": "200000",
        "profit_before_tax": "800000",
        "net_profit": "600000",
        "cash_from_sales": "9000000",
    }
    return statement("2023-12-31", **(lines | extra))


def year_2024(**extra: Any) -> FinancialStatement:
    lines = {
        "cash": "1200000",
        "accounts_receivable": "1400000",
        "inventory": "800000",
        "current_assets": "4000000",
        "intangible_assets": "500000",
        "total_assets": "10000000",
        "current_liabilities": "2500000",
        "total_liabilities": "6000000",
        "equity": "4000000",
        "revenue": "15000000",
        "cost_of_sales": "10500000",
        "interest_expense": "300000",
        "profit_before_tax": "1200000",
        "net_profit": "900000",
        "cash_from_sales": "13500000",
    }
    return statement("2024-12-31", **(lines | extra))


def figures_of(*statements: FinancialStatement) -> dict[str, Any]:
    """The figures of the last period (the statements are given in any order)."""
    return analyse(list(statements))[-1].figures


# 2024 against 2023, by hand:
HAND_COMPUTED_2024 = {
    "current_ratio": D("1.6000"),  # 4,000,000 / 2,500,000
    "quick_ratio": D("1.2800"),  # (4,000,000 − 800,000) / 2,500,000
    "cash_ratio": D("0.4800"),  # 1,200,000 / 2,500,000
    "working_capital": D("1500000.00"),  # 4,000,000 − 2,500,000
    "debt_ratio": D("0.6000"),  # 6,000,000 / 10,000,000
    "interest_cover": D("5.0000"),  # (1,200,000 + 300,000) / 300,000
    "tangible_net_worth": D("3500000.00"),  # 4,000,000 − 500,000
    "net_margin": D("0.0600"),  # 900,000 / 15,000,000
    "return_on_equity": D("0.2571"),  # 900,000 / ((3,000,000 + 4,000,000) / 2)
    "receivable_turnover": D("12.5000"),  # 15,000,000 / ((1,000,000 + 1,400,000) / 2)
    "receivable_days": D("28.8"),  # 360 / 12.5
    "inventory_turnover": D("15.0000"),  # 10,500,000 / ((600,000 + 800,000) / 2)
    "inventory_days": D("24.0"),  # 360 / 15
    "cash_content_of_sales": D("0.9000"),  # 13,500,000 / 15,000,000
    "revenue_growth": D("0.5000"),  # (15 − 10) / 10
    "net_profit_growth": D("0.5000"),  # (900,000 − 600,000) / 600,000
    "total_assets_growth": D("0.2500"),  # (10 − 8) / 8
    "equity_growth": D("0.3333"),  # (4 − 3) / 3
}


@pytest.mark.parametrize(("key", "expected"), HAND_COMPUTED_2024.items())
def test_each_ratio_matches_the_hand_computed_value(key: str, expected: Decimal) -> None:
    figure = figures_of(year_2024(), year_2023())[key]
    assert figure.value == expected
    assert figure.note == ""


def test_without_a_previous_period_averages_use_the_closing_balance_and_say_so() -> None:
    figures = figures_of(year_2023())
    assert figures["return_on_equity"].value == D("0.2000")  # 600,000 / 3,000,000
    assert figures["receivable_turnover"].value == D("10.0000")  # 10,000,000 / 1,000,000
    assert figures["receivable_days"].value == D("36.0")  # 360 / 10
    assert figures["inventory_turnover"].value == D("11.6667")  # 7,000,000 / 600,000
    assert figures["inventory_days"].value == D("30.9")  # 360 / 11.6667
    note = "on the closing balance: no opening balance"
    assert str(figures["return_on_equity"].note) == note
    assert str(figures["inventory_days"].note) == note
    assert figures["revenue_growth"].value is None
    assert str(figures["revenue_growth"].reason) == "no statement for the previous period"


def test_a_quarter_counts_its_turnover_days_on_ninety_days() -> None:
    q3 = statement("2024-09-30", "quarter", revenue="3000000", accounts_receivable="1000000")
    q4 = statement("2024-12-31", "quarter", revenue="3600000", accounts_receivable="1400000")
    figures = figures_of(q3, q4)
    assert figures["receivable_turnover"].value == D("3.0000")  # 3,600,000 / 1,200,000
    assert figures["receivable_days"].value == D("30.0")  # 90 / 3
    assert figures["revenue_growth"].value == D("0.2000")  # (3.6 − 3.0) / 3.0


@pytest.mark.parametrize(
    ("lines", "key", "reason"),
    [
        ({"current_liabilities": "0"}, "current_ratio", "Current liabilities is zero"),
        ({"current_liabilities": "0"}, "quick_ratio", "Current liabilities is zero"),
        ({"current_liabilities": "0"}, "cash_ratio", "Current liabilities is zero"),
        ({"current_liabilities": None}, "working_capital", "Current liabilities not recorded"),
        ({"inventory": None}, "quick_ratio", "Inventory not recorded"),
        ({"cash": None}, "cash_ratio", "Cash and equivalents not recorded"),
        ({"total_assets": "0"}, "debt_ratio", "Total assets is zero"),
        ({"interest_expense": "0"}, "interest_cover", "no interest expense"),
        ({"interest_expense": None}, "interest_cover", "Interest expense not recorded"),
        ({"profit_before_tax": None}, "interest_cover", "Profit before tax not recorded"),
        ({"intangible_assets": None}, "tangible_net_worth", "Intangible assets not recorded"),
        ({"revenue": "0"}, "net_margin", "Operating revenue is zero"),
        ({"revenue": "0"}, "cash_content_of_sales", "Operating revenue is zero"),
        (
            {"cash_from_sales": None},
            "cash_content_of_sales",
            "Cash received from sales not recorded",
        ),
        ({"equity": "0"}, "return_on_equity", "Owners' equity is zero"),
        ({"accounts_receivable": "0"}, "receivable_turnover", "Accounts receivable is zero"),
        ({"accounts_receivable": "0"}, "receivable_days", "Accounts receivable is zero"),
        ({"cost_of_sales": None}, "inventory_turnover", "Cost of sales not recorded"),
        ({"revenue": "0"}, "receivable_days", "turnover is zero"),
        ({"inventory": None}, "inventory_days", "Inventory not recorded"),
    ],
)
def test_a_figure_that_cannot_be_computed_is_a_dash_with_its_reason(
    lines: dict[str, Any], key: str, reason: str
) -> None:
    # A single period: averages are on the closing balance, so one line decides.
    figure = figures_of(year_2024(**lines))[key]
    assert figure.value is None
    assert str(figure.reason) == reason
    assert figure_text(figure, "ratio") == "—"


def test_growth_from_a_loss_is_measured_against_the_size_of_the_loss() -> None:
    figures = figures_of(year_2023(net_profit="-300000"), year_2024())
    assert figures["net_profit_growth"].value == D("4.0000")  # (900,000 + 300,000) / 300,000


def test_growth_from_zero_is_a_dash_with_its_reason() -> None:
    figures = figures_of(year_2023(net_profit="0"), year_2024())
    assert figures["net_profit_growth"].value is None
    assert str(figures["net_profit_growth"].reason) == "Net profit is zero in the previous period"


def test_statements_in_another_currency_are_never_compared() -> None:
    figures = figures_of(year_2023(currency="USD"), year_2024())
    for key in ("revenue_growth", "net_profit_growth", "total_assets_growth", "equity_growth"):
        assert figures[key].value is None
        assert str(figures[key].reason) == "the previous period is in USD: not compared"
    # Nor averaged: the USD balances are not an opening balance in CNY.
    assert figures["return_on_equity"].value == D("0.2250")  # 900,000 / 4,000,000
    assert str(figures["return_on_equity"].note) == "on the closing balance: no opening balance"


def test_periods_of_different_types_are_not_compared() -> None:
    annual = year_2023()
    half = statement("2024-06-30", "half_year", revenue="6000000", net_profit="1", equity="1")
    quarter = statement("2024-09-30", "quarter", revenue="2000000", net_profit="1", equity="1")
    columns = {c.statement.period_type: c.figures for c in analyse([annual, half, quarter])}
    for kind in ("half_year", "quarter"):
        assert columns[kind]["revenue_growth"].value is None
        assert str(columns[kind]["revenue_growth"].reason) == "no statement for the previous period"
    # The annual statement of 2024 compares with 2023's, not with the half-year between them.
    figures = figures_of(annual, half, year_2024())
    assert figures["revenue_growth"].value == D("0.5000")


def test_a_gap_of_a_year_is_not_period_over_period_growth() -> None:
    figures = figures_of(year_2023(), statement("2025-12-31", revenue="1", net_profit="1"))
    assert figures["revenue_growth"].value is None
    assert str(figures["revenue_growth"].reason) == "no statement for the previous period"


def test_the_trend_shows_each_period_type_in_its_own_table_oldest_first() -> None:
    quarter = statement("2024-09-30", "quarter", revenue="2000000", net_profit="1", equity="1")
    found = trends([year_2024(), quarter, year_2023()])
    assert [t.period_type for t in found] == ["annual", "quarter"]
    annual = found[0]
    assert [c.statement.period_end.year for c in annual.columns] == [2023, 2024]
    rows = {str(r.label): [c.text for c in r.cells] for g in annual.groups for r in g.rows}
    assert rows["Debt ratio"] == ["62.5 %", "60.0 %"]
    assert rows["Current ratio"] == ["1.25", "1.60"]
    assert rows["Working capital"] == ["500,000.00 CNY", "1,500,000.00 CNY"]
    assert rows["Receivable turnover days"] == ["36.0", "28.8"]
    assert rows["Revenue growth"] == ["—", "50.0 %"]
