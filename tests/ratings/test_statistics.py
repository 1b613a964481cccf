"""The scorecard core against hand computations and synthetic data with known effects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credfile.ratings.statistics import (
    MIN_BIN_SHARE,
    Scaling,
    ScorecardError,
    bin_categorical,
    bin_numeric,
    bin_variable,
    fit_scorecard,
    psi_band,
    select_variables,
    stability,
    validation,
    woe_iv,
)
from tests.ratings.conftest import known_effects

# --- WOE and IV by hand --------------------------------------------------------------------


def test_iv_equals_the_hand_computation_on_a_small_table() -> None:
    # 60 bads and 80 goods in three bins:
    #   bin 1: 10 bad, 40 good → %bad 1/6, %good 1/2,  WOE ln(1/3)
    #   bin 2: 20 bad, 30 good → %bad 1/3, %good 3/8,  WOE ln(8/9)
    #   bin 3: 30 bad, 10 good → %bad 1/2, %good 1/8,  WOE ln 4
    # IV = (1/6 − 1/2)·ln(1/3) + (1/3 − 3/8)·ln(8/9) + (1/2 − 1/8)·ln 4
    #    = 0.366204 + 0.004908 + 0.519860 = 0.890972
    woe, iv = woe_iv([10, 20, 30], [40, 30, 10])
    assert woe == pytest.approx([math.log(1 / 3), math.log(8 / 9), math.log(4)])
    hand = (
        (1 / 6 - 1 / 2) * math.log(1 / 3)
        + (1 / 3 - 3 / 8) * math.log(8 / 9)
        + (1 / 2 - 1 / 8) * math.log(4)
    )
    assert iv == pytest.approx(hand)
    assert iv == pytest.approx(0.890972, abs=1e-6)


def test_a_bin_without_bads_counts_half_a_bad_and_half_a_good_more() -> None:
    # 10 bads, 40 goods. Bin 1 (0 bad, 20 good) is counted as 0.5 bad, 20.5 good:
    #   WOE = ln((0.5/10) / (20.5/40)) = ln(0.05 / 0.5125) = −2.327278;
    # bin 2 (10 bad, 20 good) is as counted: WOE = ln((10/10) / (20/40)) = ln 2.
    woe, iv = woe_iv([0, 10], [20, 20])
    assert woe[0] == pytest.approx(math.log(0.05 / 0.5125))
    assert woe[0] == pytest.approx(-2.327278, abs=1e-6)
    assert woe[1] == pytest.approx(math.log(2))
    assert iv == pytest.approx((0.05 - 0.5125) * woe[0] + (1 - 0.5) * math.log(2))


def test_categorical_values_are_bins_of_their_own_and_missing_is_one_more() -> None:
    values = pd.Series(["x", "y", "x", None, "y", "x", None, "y"])
    target = np.array([1, 0, 1, 0, 0, 0, 1, 1])
    binning = bin_categorical("kind", values, target)
    assert [(b.label, b.count, b.bad) for b in binning.bins] == [
        ("x", 3, 2),
        ("y", 3, 1),
        ("(missing)", 2, 1),
    ]
    # 4 bads, 4 goods: x is 2/4 against 1/4 → WOE ln 2; y 1/4 against 2/4 → ln 1/2; missing 0.
    assert [b.woe for b in binning.bins] == pytest.approx([math.log(2), math.log(0.5), 0])


# --- numeric binning -----------------------------------------------------------------------


def _logistic(x: np.ndarray, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(len(x)) < 1 / (1 + np.exp(-x))).astype(int)


def test_numeric_bins_are_at_most_eight_of_at_least_five_percent() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=3000)
    binning = bin_numeric("x", x, _logistic(1.5 * x - 1))
    counts = [b.count for b in binning.bins]
    assert 2 <= len(counts) <= 8
    assert min(counts) >= MIN_BIN_SHARE * len(x)
    assert sum(counts) == len(x)
    # Half-open intervals that tile the line: each bin starts where the previous one ends.
    assert binning.bins[0].lower is None and binning.bins[-1].upper is None
    for before, after in zip(binning.bins, binning.bins[1:], strict=False):
        assert before.upper == after.lower
        assert before.label.endswith(f"{round(before.upper, 6)!r})")


def test_a_monotonic_effect_gives_a_monotonic_bad_rate() -> None:
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 10, 5000)
    rising = bin_numeric("x", x, _logistic(0.5 * x - 3))
    rates = [b.bad_rate for b in rising.bins]
    assert len(rates) >= 3
    assert rates == sorted(rates)
    falling = bin_numeric("x", x, _logistic(3 - 0.5 * x))
    rates = [b.bad_rate for b in falling.bins]
    assert rates == sorted(rates, reverse=True)


def test_a_u_shaped_effect_is_made_monotonic_in_the_direction_that_keeps_more_iv() -> None:
    rng = np.random.default_rng(12)
    x = rng.uniform(-1, 1, 6000)
    # Riskier at both ends, more so on the left.
    binning = bin_numeric("x", x, _logistic(4 * x**2 - 1.5 * x - 2.5))
    rates = [b.bad_rate for b in binning.bins]
    assert len(rates) >= 2
    assert rates == sorted(rates, reverse=True)
    rising = bin_numeric("x", -x, _logistic(4 * x**2 - 1.5 * x - 2.5))
    assert [b.bad_rate for b in rising.bins] == sorted(b.bad_rate for b in rising.bins)


def test_missing_numeric_values_are_a_bin_of_their_own() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=2000)
    x[:100] = np.nan
    binning = bin_numeric("x", x, _logistic(x))
    assert binning.bins[-1].missing and binning.bins[-1].count == 100
    assert binning.bins[-1].label == "(missing)"
    assert len(binning.bins) <= 8
    woe = binning.woe_of(pd.Series([np.nan, -5.0, 5.0]))
    assert woe[0] == binning.bins[-1].woe
    assert woe[1] == binning.bins[0].woe and woe[2] == binning.bins[-2].woe


def test_a_single_valued_variable_is_refused_by_name() -> None:
    with pytest.raises(ScorecardError, match='"flag" has only one value \\(1\\)'):
        bin_variable("flag", pd.Series([1] * 50), np.array([0, 1] * 25))


# --- selection and fit on known effects ----------------------------------------------------


def _fit(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, object]:
    features, target = data.drop(columns="bad"), data["bad"].to_numpy()
    return features, target, fit_scorecard(features, target, scaling=Scaling())


def test_the_fit_recovers_the_order_of_known_effects() -> None:
    train, test = known_effects(seed=1), known_effects(seed=2)
    features = train.drop(columns="bad")
    card = fit_scorecard(features, train["bad"].to_numpy(), scaling=Scaling())
    iv = {name: b.iv for name, b in card.binnings.items()}
    assert iv["A"] > iv["B"] > iv["C"]
    assert iv["A"] > 0.3 and iv["C"] < 0.02
    assert "C" not in card.selected and card.excluded["C"].reason == "iv"
    assert set(card.selected) == {"A", "B", "D"}
    # D: north riskier (positive WOE, fewer points), south safer than east.
    woe_d = {b.label: b.woe for b in card.binnings["D"].bins}
    assert woe_d["north"] > woe_d["east"] > woe_d["south"]
    points_d = card.points()["D"]
    assert points_d["north"] < points_d["east"] < points_d["south"]
    assert all(beta > 0 for beta in card.coefficients.values())
    test_metrics = validation(test["bad"].to_numpy(), card.score(test.drop(columns="bad")))
    assert test_metrics["auc"] > 0.7
    assert test_metrics["gini"] == pytest.approx(2 * test_metrics["auc"] - 1)


def test_a_rows_points_add_up_to_its_score() -> None:
    data = known_effects(rows=2000)
    features = data.drop(columns="bad")
    card = fit_scorecard(features, data["bad"].to_numpy(), scaling=Scaling())
    points = card.points()
    rows = features.iloc[:20]
    labels = {
        v: [card.binnings[v].bins[i].label for i in card.binnings[v].bin_index(rows[v])]
        for v in card.selected
    }
    by_bins = [sum(points[v][labels[v][r]] for v in card.selected) for r in range(len(rows))]
    assert by_bins == pytest.approx(list(card.score(rows)))


def test_a_variable_correlated_with_a_stronger_one_is_not_selected() -> None:
    data = known_effects(rows=3000)
    rng = np.random.default_rng(9)
    data["A_again"] = data["A"] + rng.normal(scale=0.05, size=len(data))
    features = data.drop(columns="bad")
    card = fit_scorecard(features, data["bad"].to_numpy(), scaling=Scaling())
    weaker = "A_again" if card.binnings["A_again"].iv < card.binnings["A"].iv else "A"
    stronger = "A" if weaker == "A_again" else "A_again"
    assert stronger in card.selected and weaker not in card.selected
    assert card.excluded[weaker].reason == "correlation"
    assert card.excluded[weaker].other == stronger


def test_selection_takes_the_iv_threshold() -> None:
    data = known_effects(rows=2000)
    target = data["bad"].to_numpy()
    binnings = [bin_variable(v, data[v], target) for v in "ABCD"]
    woe = pd.DataFrame({b.variable: b.woe_of(data[b.variable]) for b in binnings})
    selected, excluded = select_variables(binnings, woe, min_iv=10.0)
    assert selected == [] and set(excluded) == set("ABCD")


# --- scaling, validation, stability --------------------------------------------------------


def test_points_scaling_gives_the_base_score_at_the_base_odds() -> None:
    scaling = Scaling(base_score=600, base_odds=50, pdo=20)
    # Factor = 20 / ln 2 = 28.853901; Offset = 600 − 28.853901 × ln 50 = 487.122876.
    assert scaling.factor == pytest.approx(20 / math.log(2))
    assert scaling.factor == pytest.approx(28.853901, abs=1e-6)
    assert scaling.offset == pytest.approx(487.122876, abs=1e-6)
    assert scaling.score(50) == pytest.approx(600)
    assert scaling.score(100) == pytest.approx(620)  # double odds, PDO more points
    assert scaling.score(25) == pytest.approx(580)


def test_ks_auc_and_gini_of_a_hand_example() -> None:
    # Goods score 3, 4, 5; bads 1, 2, 4.
    # AUC: of the 9 good-bad pairs the good scores higher in 7 and ties in one (4 vs 4):
    #   (7 + 0.5) / 9 = 0.833333; Gini = 2·AUC − 1 = 0.666667.
    # KS: at s = 2, F_bad = 2/3 of the bads score ≤ 2 and F_good = 0 → 0.666667, the largest.
    scores = np.array([3, 4, 5, 1, 2, 4])
    target = np.array([0, 0, 0, 1, 1, 1])
    metrics = validation(target, scores)
    assert metrics["auc"] == pytest.approx(7.5 / 9)
    assert metrics["gini"] == pytest.approx(2 * 7.5 / 9 - 1)
    assert metrics["ks"] == pytest.approx(2 / 3)


def test_psi_of_a_hand_example() -> None:
    # Expected 1..10 cut at its median into [−inf, 6) and [6, inf): 50 % each.
    # Actual: 2 of 10 below 6, 8 from 6 on.
    # PSI = (0.2 − 0.5)·ln(0.2/0.5) + (0.8 − 0.5)·ln(0.8/0.5) = 0.274887 + 0.141001 = 0.415888
    expected = np.arange(1, 11)
    actual = np.array([1, 5, 6, 7, 7, 8, 9, 9, 10, 12])
    result = stability(expected, actual, bins=2)
    assert [(b.lower, b.upper, b.expected, b.actual) for b in result.bins] == [
        (None, 6.0, 5, 2),
        (6.0, None, 5, 8),
    ]
    assert result.psi == pytest.approx(0.415888, abs=1e-6)
    assert result.band == "shift"


def test_psi_of_the_same_distribution_is_zero_and_stable() -> None:
    scores = np.random.default_rng(1).normal(600, 50, 1000)
    result = stability(scores, scores)
    assert len(result.bins) == 10
    assert result.psi == pytest.approx(0)
    assert result.band == "stable"


@pytest.mark.parametrize(
    ("psi", "band"),
    [(0.0, "stable"), (0.099, "stable"), (0.1, "watch"), (0.25, "watch"), (0.2501, "shift")],
)
def test_psi_bands(psi: float, band: str) -> None:
    assert psi_band(psi) == band
