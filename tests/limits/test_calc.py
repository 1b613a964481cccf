"""The recommended limit against examples computed by hand (docs/limits.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from credfile.limits.calc import LimitInputs, recommend


def _inputs(**kwargs: object) -> LimitInputs:
    values: dict[str, object] = {
        "currency": "CNY",
        "monthly_sales": D("500000"),
        "terms_days": 60,
        "days_delinquent": D("15"),
        "open_orders": D("200000"),
        "tangible_net_worth": D("10000000"),
        "revenue": D("30000000"),
        "grade": "A",
        "secured": D("300000"),
        "as_of": datetime.date(2026, 3, 31),
    }
    values.update(kwargs)
    return LimitInputs(**values)  # type: ignore[arg-type]


def test_grade_a_capped_by_net_worth_plus_the_guarantee() -> None:
    # need = 500,000 × (60 + 15) / 30 + 200,000 = 1,450,000
    # cap = min(12 % × 10,000,000, 5 % × 30,000,000) = min(1,200,000, 1,500,000)
    # recommended = min(1,450,000, 1,200,000) + 300,000 = 1,500,000; review 12 months on.
    r = recommend(_inputs())
    assert (r.need, r.cap, r.amount) == (D("1450000"), D("1200000"), D("1500000"))
    assert r.review_on == datetime.date(2027, 3, 31)
    steps = {s["label"]: s["value"] for s in r.steps}
    assert steps["Days to collect"] == "75"
    assert steps["Receivables in one cycle"] == "1,250,000.00"
    assert steps["Cap by tangible net worth"] == "1,200,000.00"
    assert steps["Cap by revenue"] == "1,500,000.00"
    assert steps["Recommended limit"] == "1,500,000.00"
    assert r.basis()["steps"] == r.steps and r.basis()["amount"] == "1500000.00"


def test_grade_bb_need_below_the_revenue_cap_rounds_down_to_a_thousand() -> None:
    # need = 123,456.78 × 37.5 / 30 = 154,320.975 → 154,320.98; cap = min(300,000, 200,000)
    # recommended = 154,320.98 rounded down to 154,000.
    r = recommend(
        _inputs(
            monthly_sales=D("123456.78"),
            terms_days=30,
            days_delinquent=D("7.5"),
            open_orders=D("0"),
            tangible_net_worth=D("5000000"),
            revenue=D("8000000"),
            grade="BB",
            secured=D("0"),
        )
    )
    assert (r.need, r.cap, r.amount) == (D("154320.98"), D("200000"), D("154000"))
    assert [s["formula"] for s in r.steps if s["label"] == "Cap by revenue"] == [
        "grade BB: 2.5 % × 8,000,000.00"
    ]


def test_ccc_and_below_lend_only_against_security() -> None:
    for grade in ("CCC", "CC", "C", ""):
        r = recommend(_inputs(grade=grade, secured=D("250500")))
        assert r.cap == 0
        assert r.amount == D("250000")


def test_aaa_need_is_the_binding_figure_and_rounding_is_configurable() -> None:
    # need = 100,000 × 30 / 30 + 0 = 100,000; cap = min(20 % × 10 m, 8 % × 30 m) = 2,000,000.
    r = recommend(
        _inputs(
            grade="AAA",
            monthly_sales=D("100000"),
            terms_days=30,
            days_delinquent=D("0"),
            open_orders=D("0"),
            secured=D("12345"),
            rounding=D("10000"),
        )
    )
    assert (r.need, r.cap, r.amount) == (D("100000"), D("2000000"), D("110000"))


def test_no_statement_means_no_cap_whatever_the_grade() -> None:
    r = recommend(_inputs(tangible_net_worth=None, revenue=None, secured=D("0")))
    assert (r.cap, r.amount) == (D("0"), D("0"))
