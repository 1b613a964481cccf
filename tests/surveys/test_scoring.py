"""The scores, with exact numbers: CSAT share of 4–5 and mean, NPS promoters minus detractors."""

from __future__ import annotations

from decimal import Decimal

from credfile.surveys.scoring import score, trend


def test_csat_is_the_share_of_four_and_five_and_the_mean() -> None:
    result = score("csat", [5, 4, 3, 2, 5, 4, 1, 5])
    assert result.answers == 8
    assert result.satisfied == 5
    assert result.csat == Decimal("62.5")
    assert result.mean == Decimal("3.63")  # 29 / 8 = 3.625, half up
    assert result.value == result.csat


def test_csat_rounds_thirds_to_one_decimal() -> None:
    result = score("csat", [5, 3, 1])
    assert result.csat == Decimal("33.3")
    assert result.mean == Decimal("3.00")


def test_nps_is_promoters_minus_detractors_as_a_percentage() -> None:
    # Promoters 10, 9, 9; passives 8, 7; detractors 6, 0.
    result = score("nps", [10, 9, 9, 8, 7, 6, 0])
    assert (result.promoters, result.passives, result.detractors) == (3, 2, 2)
    assert result.nps == Decimal("14.3")  # (3 - 2) / 7 = 14.2857 %
    assert result.value == result.nps


def test_nps_can_be_negative_and_its_bounds_are_exact() -> None:
    assert score("nps", [6, 6, 9]).nps == Decimal("-33.3")
    assert score("nps", [9, 10]).nps == Decimal("100.0")
    assert score("nps", [0, 6]).nps == Decimal("-100.0")
    assert score("nps", [7, 8]).nps == Decimal("0.0")


def test_no_answers_no_score() -> None:
    assert score("csat", []).csat is None
    assert score("nps", []).nps is None
    assert score("nps", []).mean is None


def test_the_trend_is_the_move_of_the_headline_figure() -> None:
    assert trend(score("csat", [5, 5]), score("csat", [5, 1])) == Decimal("50.0")
    assert trend(score("nps", [0]), score("nps", [10])) == Decimal("-200.0")
    assert trend(score("csat", [5]), None) is None
