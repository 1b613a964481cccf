"""The default cards at every bin edge, the caps, and the checks of a card's bins."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from credfile.ratings.cards import Bin, Card, Factor, Input, card_problems, score
from credfile.ratings.defaults import company_card, individual_card
from credfile.ratings.inputs import INPUTS

D = Decimal


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _points(card: Card, key: str, value: object) -> Decimal:
    scored = score(card, {key: Input(value)})
    return next(f.points for f in scored.factors if f.key == key)


# (factor, value, points) at each edge of each bin of the company card.
COMPANY_EDGES = [
    # debt ratio: ≤ 40 % 10; 40–55 8; 55–65 6; 65–75 4; 75–85 2; > 85 0 (closed on the right)
    ("debt_ratio", "0.40", 10), ("debt_ratio", "0.4001", 8), ("debt_ratio", "0.55", 8),
    ("debt_ratio", "0.5501", 6), ("debt_ratio", "0.65", 6), ("debt_ratio", "0.75", 4),
    ("debt_ratio", "0.85", 2), ("debt_ratio", "0.8501", 0), ("debt_ratio", "-0.1", 10),
    # current ratio: ≥ 2.0 7; 1.5–2 6; 1.2–1.5 4; 1.0–1.2 2; < 1 0 (closed on the left)
    ("current_ratio", "2.0", 7), ("current_ratio", "1.9999", 6), ("current_ratio", "1.5", 6),
    ("current_ratio", "1.4999", 4), ("current_ratio", "1.2", 4), ("current_ratio", "1.0", 2),
    ("current_ratio", "0.9999", 0),
    ("quick_ratio", "1.0", 5), ("quick_ratio", "0.8", 4), ("quick_ratio", "0.7999", 2),
    ("quick_ratio", "0.6", 2), ("quick_ratio", "0.5999", 0),
    ("interest_cover", "5", 6), ("interest_cover", "4.99", 5), ("interest_cover", "3", 5),
    ("interest_cover", "2", 3), ("interest_cover", "1", 1), ("interest_cover", "0.99", 0),
    ("net_margin", "0.10", 6), ("net_margin", "0.05", 5), ("net_margin", "0.02", 3),
    ("net_margin", "0", 1), ("net_margin", "-0.0001", 0),
    ("roe", "0.15", 6), ("roe", "0.08", 5), ("roe", "0.03", 3), ("roe", "0", 1),
    ("roe", "-0.01", 0),
    ("receivable_turnover", "8", 4), ("receivable_turnover", "4", 3),
    ("receivable_turnover", "2", 2), ("receivable_turnover", "1.99", 0),
    ("inventory_turnover", "6", 4), ("inventory_turnover", "3", 3),
    ("inventory_turnover", "1.5", 2), ("inventory_turnover", "1.49", 0),
    ("cash_content_of_sales", "1.00", 4), ("cash_content_of_sales", "0.80", 3),
    ("cash_content_of_sales", "0.60", 2), ("cash_content_of_sales", "0.5999", 0),
    # payment index: ≥ 80 12; 70–79 9; 60–69 6; 50–59 3; < 50 0
    ("payment_index", "80", 12), ("payment_index", "79.9", 9), ("payment_index", "70", 9),
    ("payment_index", "69.9", 6), ("payment_index", "60", 6), ("payment_index", "50", 3),
    ("payment_index", "49.9", 0),
    # most days beyond terms: 0 6; 1–30 4; 31–60 2; 61–90 1; > 90 0
    ("max_days_beyond_terms", -5, 6), ("max_days_beyond_terms", 0, 6),
    ("max_days_beyond_terms", 1, 4), ("max_days_beyond_terms", 30, 4),
    ("max_days_beyond_terms", 31, 2), ("max_days_beyond_terms", 60, 2),
    ("max_days_beyond_terms", 61, 1), ("max_days_beyond_terms", 90, 1),
    ("max_days_beyond_terms", 91, 0),
    ("negative_records", "none", 6), ("negative_records", "settled", 3),
    ("negative_records", "open", 0),
    ("years_in_business", "10", 4), ("years_in_business", "9.99", 3),
    ("years_in_business", "5", 3), ("years_in_business", "3", 2), ("years_in_business", "1", 1),
    ("years_in_business", "0.5", 0),
    ("revenue_growth", "0.15", 4), ("revenue_growth", "0.05", 3), ("revenue_growth", "0", 2),
    ("revenue_growth", "-0.0001", 1), ("revenue_growth", "-0.10", 1),
    ("revenue_growth", "-0.1001", 0),
    ("industry_risk", "low", 4), ("industry_risk", "medium", 2), ("industry_risk", "high", 0),
    ("industry_risk", "restricted", 0),
    ("management_quality", "excellent", 4), ("management_quality", "good", 3),
    ("management_quality", "fair", 2), ("management_quality", "poor", 0),
    ("security", "bank_guarantee", 8), ("security", "mortgage", 6),
    ("security", "third_party", 4), ("security", "none", 0),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "points"), COMPANY_EDGES)
def test_company_card_bin_edges(key: str, value: object, points: int) -> None:
    given = D(value) if isinstance(value, str) and value[0] in "-0123456789" else value
    assert _points(company_card(), key, given) == points


INDIVIDUAL_EDGES = [
    ("annual_income", "500000", 20), ("annual_income", "499999.99", 16),
    ("annual_income", "200000", 16), ("annual_income", "100000", 12),
    ("annual_income", "50000", 8), ("annual_income", "49999", 4),
    ("debt_to_income", "1", 20), ("debt_to_income", "1.01", 15), ("debt_to_income", "2", 15),
    ("debt_to_income", "4", 10), ("debt_to_income", "6", 5), ("debt_to_income", "6.01", 0),
    ("payment_index", "80", 25), ("payment_index", "70", 19), ("payment_index", "60", 12),
    ("payment_index", "50", 6), ("payment_index", "49", 0),
    ("max_days_beyond_terms", 0, 10), ("max_days_beyond_terms", 30, 7),
    ("max_days_beyond_terms", 60, 4), ("max_days_beyond_terms", 90, 2),
    ("max_days_beyond_terms", 91, 0),
    ("relationship_years", "5", 10), ("relationship_years", "3", 8),
    ("relationship_years", "1", 5), ("relationship_years", "0.9", 2),
    ("negative_records", "none", 15), ("negative_records", "settled", 7),
    ("negative_records", "open", 0),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "points"), INDIVIDUAL_EDGES)
def test_individual_card_bin_edges(key: str, value: object, points: int) -> None:
    given = D(value) if isinstance(value, str) and value[0] in "-0123456789" else value
    assert _points(individual_card(), key, given) == points


def test_the_default_cards_are_sound_and_worth_100() -> None:
    for card in (company_card(), individual_card()):
        assert card_problems(card, known_inputs=list(INPUTS)) == []
        assert card.max_score == 100
        # Every factor's best bin reaches its maximum.
        for factor in card.factors:
            assert max(b.points for b in factor.bins) == factor.max_points, factor.key


BEST = {
    "debt_ratio": D("0.3"),
    "current_ratio": D("2.5"),
    "quick_ratio": D("1.2"),
    "interest_cover": D(8),
    "net_margin": D("0.12"),
    "roe": D("0.2"),
    "receivable_turnover": D(10),
    "inventory_turnover": D(7),
    "cash_content_of_sales": D("1.1"),
    "payment_index": D(85),
    "max_days_beyond_terms": 0,
    "negative_records": "none",
    "years_in_business": D(12),
    "revenue_growth": D("0.2"),
    "industry_risk": "low",
    "management_quality": "excellent",
    "security": "bank_guarantee",
    "loss_years": 0,
    "dishonest_debtor": "no",
    "has_statements": "yes",
}


def _company(**changes: object):  # type: ignore[no-untyped-def]
    values = {**BEST, **changes}
    return score(company_card(), {k: Input(v) for k, v in values.items()})


def test_a_perfect_company_is_aaa_and_the_grade_follows_the_score() -> None:
    scored = _company()
    assert (scored.score, scored.grade, scored.caps) == (100, "AAA", [])
    # 100 − 12 (payment index < 50) = 88: AA; − 8 (no security) = 80: still AA; −1 → A.
    assert _company(payment_index=D(40)).grade == "AA"
    assert _company(payment_index=D(40), security="none").score == 80
    assert _company(payment_index=D(40), security="none").grade == "AA"
    low = _company(payment_index=D(40), security="none", management_quality="good")
    assert (low.score, low.grade) == (79, "A")


@pytest.mark.parametrize(
    ("changes", "grade", "caps"),
    [
        # Debt ratio 80–90 % → at most A; 90–100 % → at most B; > 100 % → the lowest grade.
        ({"debt_ratio": D("0.85")}, "A", ["debt_ratio_80"]),
        ({"debt_ratio": D("0.80")}, "AAA", []),  # 92 points, and 80 % is below the cap
        ({"debt_ratio": D("0.90")}, "A", ["debt_ratio_80"]),
        ({"debt_ratio": D("0.95")}, "B", ["debt_ratio_90"]),
        ({"debt_ratio": D("1.00")}, "B", ["debt_ratio_90"]),
        ({"debt_ratio": D("1.20")}, "C", ["insolvent"]),
        ({"loss_years": 1}, "A", ["loss_this_year"]),
        ({"loss_years": 2}, "BB", ["losses_two_years"]),
        ({"dishonest_debtor": "yes"}, "CCC", ["dishonest_debtor"]),
        ({"has_statements": "no"}, "BBB", ["no_statements"]),
        # Two caps: the lower ceiling holds.
        (
            {"loss_years": 3, "dishonest_debtor": "yes"},
            "CCC",
            ["losses_two_years", "dishonest_debtor"],
        ),
    ],
)  # fmt: skip
def test_caps_override_the_score(changes: dict, grade: str, caps: list[str]) -> None:
    scored = _company(**changes)
    assert scored.grade == grade
    assert [c.key for c in scored.caps] == caps


def test_a_missing_input_scores_the_lowest_bin_and_is_flagged() -> None:
    values = {k: Input(v) for k, v in BEST.items() if k != "current_ratio"}
    scored = score(company_card(), values)
    current = next(f for f in scored.factors if f.key == "current_ratio")
    assert (current.points, current.missing, current.value) == (0, True, None)
    assert scored.score == 93
    basis = scored.as_basis()
    assert basis["factors"][1] == {
        "key": "current_ratio",
        "label": "",
        "value": None,
        "as_of": None,
        "source": "",
        "bin": "< 1",
        "points": "0",
        "max_points": "7",
        "missing": True,
    }
    assert [f["bin"] for f in basis["factors"][:2]] == ["≤ 0.4", "< 1"]


def _factor(*bins: Bin, max_points: str = "10") -> Card:
    factor = Factor("current_ratio", "Current ratio", D(max_points), bins)
    return replace(company_card(), factors=(factor,), caps=())


def test_overlapping_gapped_and_open_bins_are_named() -> None:
    gap = _factor(Bin(D(5), None, D(1)), Bin(D(10), D("1.5"), None))
    assert card_problems(gap) == ["Current ratio: no bin between 1 and 1.5."]
    overlap = _factor(Bin(D(5), None, D(2)), Bin(D(10), D("1.5"), None))
    assert card_problems(overlap) == ["Current ratio: bins overlap at 1.5."]
    open_below = _factor(Bin(D(5), D(0), D(2)), Bin(D(10), D(2), None))
    assert card_problems(open_below) == ["Current ratio: no bin for values below 0."]
    backwards = _factor(Bin(D(5), None, D(1)), Bin(D(6), D(3), D(2)), Bin(D(10), D(3), None))
    assert card_problems(backwards) == ["Current ratio: a bin ends at 2 before it starts at 3."]


def test_points_above_the_maximum_and_unknown_factors_are_named() -> None:
    over = _factor(Bin(D(5), None, D(1)), Bin(D(12), D(1), None))
    assert card_problems(over) == ["Current ratio: ≥ 1 gives 12 points, outside 0 to 10."]
    unknown = replace(
        company_card(), factors=(Factor("shoe_size", "Shoe size", D(5), (Bin(D(5)),)),), caps=()
    )
    assert card_problems(unknown, known_inputs=list(INPUTS)) == ["Shoe size: no such factor."]


def test_a_cap_to_a_grade_off_the_scale_is_named() -> None:
    card = company_card()
    bad = replace(card, caps=(replace(card.caps[0], max_grade="A+"),))
    assert card_problems(bad) == ["debt_ratio_80 caps at A+, which is not on the scale."]


def test_a_card_reads_back_exactly_from_its_stored_form() -> None:
    import json

    from credfile.ratings.cards import CardInvalid, card_from_data, card_to_data

    for card in (company_card(), individual_card()):
        stored = json.loads(json.dumps(card_to_data(card)))
        assert card_from_data(stored) == card
    broken = card_to_data(company_card())
    del broken["scale"]
    with pytest.raises(CardInvalid, match="The card is not readable"):
        card_from_data(broken)
