"""The cards credfile ships with: the company and individual expert cards and the 三等九级
scale of docs/ratings.md (from the credit domain reference). Users copy and edit them; a card
in use is never changed in place (see `credfile.ratings.models`)."""

from __future__ import annotations

from decimal import Decimal

from credfile.ratings.cards import CATEGORICAL, Bin, Cap, Card, Closed, Factor, Grade

D = Decimal


def _scale() -> tuple[Grade, ...]:
    return tuple(
        Grade(g, D(s))
        for g, s in (
            ("AAA", 90),
            ("AA", 80),
            ("A", 70),
            ("BBB", 60),
            ("BB", 50),
            ("B", 40),
            ("CCC", 30),
            ("CC", 20),
            ("C", 0),
        )
    )


def _steps(closed: Closed, *steps: tuple[str | None, str | None, int]) -> tuple[Bin, ...]:
    return tuple(
        Bin(points=D(p), lower=None if lo is None else D(lo), upper=None if hi is None else D(hi))
        for lo, hi, p in steps
    )


def _choices(*pairs: tuple[str, int]) -> tuple[Bin, ...]:
    return tuple(Bin(points=D(p), value=v) for v, p in pairs)


def _numeric(
    key: str, max_points: int, closed: Closed, *steps: tuple[str | None, str | None, int]
) -> Factor:
    return Factor(
        key=key, label="", max_points=D(max_points), bins=_steps(closed, *steps), closed=closed
    )


def _categorical(key: str, max_points: int, *pairs: tuple[str, int]) -> Factor:
    return Factor(
        key=key, label="", max_points=D(max_points), bins=_choices(*pairs), kind=CATEGORICAL
    )


def company_card() -> Card:
    """The 100-point expert card for an organisation."""
    factors = (
        # "≤ 40 % 10; 40–55 8 …": closed on the right, (0.40, 0.55] scores 8.
        _numeric(
            "debt_ratio",
            10,
            "right",
            (None, "0.40", 10),
            ("0.40", "0.55", 8),
            ("0.55", "0.65", 6),
            ("0.65", "0.75", 4),
            ("0.75", "0.85", 2),
            ("0.85", None, 0),
        ),
        # "≥ 2.0 7; 1.5–2 6 …": closed on the left, [1.5, 2.0) scores 6.
        _numeric(
            "current_ratio",
            7,
            "left",
            ("2.0", None, 7),
            ("1.5", "2.0", 6),
            ("1.2", "1.5", 4),
            ("1.0", "1.2", 2),
            (None, "1.0", 0),
        ),
        _numeric(
            "quick_ratio",
            5,
            "left",
            ("1.0", None, 5),
            ("0.8", "1.0", 4),
            ("0.6", "0.8", 2),
            (None, "0.6", 0),
        ),
        _numeric(
            "interest_cover",
            6,
            "left",
            ("5", None, 6),
            ("3", "5", 5),
            ("2", "3", 3),
            ("1", "2", 1),
            (None, "1", 0),
        ),
        _numeric(
            "net_margin",
            6,
            "left",
            ("0.10", None, 6),
            ("0.05", "0.10", 5),
            ("0.02", "0.05", 3),
            ("0", "0.02", 1),
            (None, "0", 0),
        ),
        _numeric(
            "roe",
            6,
            "left",
            ("0.15", None, 6),
            ("0.08", "0.15", 5),
            ("0.03", "0.08", 3),
            ("0", "0.03", 1),
            (None, "0", 0),
        ),
        _numeric(
            "receivable_turnover",
            4,
            "left",
            ("8", None, 4),
            ("4", "8", 3),
            ("2", "4", 2),
            (None, "2", 0),
        ),
        _numeric(
            "inventory_turnover",
            4,
            "left",
            ("6", None, 4),
            ("3", "6", 3),
            ("1.5", "3", 2),
            (None, "1.5", 0),
        ),
        _numeric(
            "cash_content_of_sales",
            4,
            "left",
            ("1.00", None, 4),
            ("0.80", "1.00", 3),
            ("0.60", "0.80", 2),
            (None, "0.60", 0),
        ),
        # "≥ 80 12; 70–79 9 …" on a continuous index: [70, 80) scores 9.
        _numeric(
            "payment_index",
            12,
            "left",
            ("80", None, 12),
            ("70", "80", 9),
            ("60", "70", 6),
            ("50", "60", 3),
            (None, "50", 0),
        ),
        # "0 6; 1–30 4; …; > 90 0": paid on time (0 days or early) 6, (0, 30] 4.
        _numeric(
            "max_days_beyond_terms",
            6,
            "right",
            (None, "0", 6),
            ("0", "30", 4),
            ("30", "60", 2),
            ("60", "90", 1),
            ("90", None, 0),
        ),
        _categorical("negative_records", 6, ("none", 6), ("settled", 3), ("open", 0)),
        _numeric(
            "years_in_business",
            4,
            "left",
            ("10", None, 4),
            ("5", "10", 3),
            ("3", "5", 2),
            ("1", "3", 1),
            (None, "1", 0),
        ),
        _numeric(
            "revenue_growth",
            4,
            "left",
            ("0.15", None, 4),
            ("0.05", "0.15", 3),
            ("0", "0.05", 2),
            ("-0.10", "0", 1),
            (None, "-0.10", 0),
        ),
        _categorical("industry_risk", 4, ("low", 4), ("medium", 2), ("high", 0), ("restricted", 0)),
        _categorical(
            "management_quality", 4, ("excellent", 4), ("good", 3), ("fair", 2), ("poor", 0)
        ),
        _categorical(
            "security", 8, ("bank_guarantee", 8), ("mortgage", 6), ("third_party", 4), ("none", 0)
        ),
    )
    caps = (
        Cap("debt_ratio_80", "", "debt_ratio", Bin(D(0), D("0.80"), D("0.90")), "A", "right"),
        Cap("debt_ratio_90", "", "debt_ratio", Bin(D(0), D("0.90"), D("1.00")), "B", "right"),
        Cap("insolvent", "", "debt_ratio", Bin(D(0), D("1.00"), None), None, "right"),
        Cap("loss_this_year", "", "loss_years", Bin(D(0), D(1), D(2)), "A"),
        Cap("losses_two_years", "", "loss_years", Bin(D(0), D(2), None), "BB"),
        Cap("dishonest_debtor", "", "dishonest_debtor", Bin(D(0), value="yes"), "CCC"),
        Cap("no_statements", "", "has_statements", Bin(D(0), value="no"), "BBB"),
    )
    return Card("company", "", "organization", factors, caps, _scale())


def individual_card() -> Card:
    """The 100-point expert card for a person: income and its burden, payment behaviour,
    the relationship and negative records."""
    factors = (
        _numeric(
            "annual_income",
            20,
            "left",
            ("500000", None, 20),
            ("200000", "500000", 16),
            ("100000", "200000", 12),
            ("50000", "100000", 8),
            (None, "50000", 4),
        ),
        _numeric(
            "debt_to_income",
            20,
            "right",
            (None, "1", 20),
            ("1", "2", 15),
            ("2", "4", 10),
            ("4", "6", 5),
            ("6", None, 0),
        ),
        _numeric(
            "payment_index",
            25,
            "left",
            ("80", None, 25),
            ("70", "80", 19),
            ("60", "70", 12),
            ("50", "60", 6),
            (None, "50", 0),
        ),
        _numeric(
            "max_days_beyond_terms",
            10,
            "right",
            (None, "0", 10),
            ("0", "30", 7),
            ("30", "60", 4),
            ("60", "90", 2),
            ("90", None, 0),
        ),
        _numeric(
            "relationship_years",
            10,
            "left",
            ("5", None, 10),
            ("3", "5", 8),
            ("1", "3", 5),
            (None, "1", 2),
        ),
        _categorical("negative_records", 15, ("none", 15), ("settled", 7), ("open", 0)),
    )
    caps = (Cap("dishonest_debtor", "", "dishonest_debtor", Bin(D(0), value="yes"), "CCC"),)
    return Card("individual", "", "individual", factors, caps, _scale())


def value_scale() -> tuple[Grade, ...]:
    return tuple(Grade(g, D(s)) for g, s in (("A", 80), ("B", 60), ("C", 40), ("D", 0)))


def value_card() -> Card:
    """The customer value card (100 points): profit contribution 40, loyalty 25 (years as
    our customer 10, days since the last invoice 15), development potential 20 (growth of
    invoiced sales), competitive position 15 (our share of the customer's purchases)."""
    factors = (
        _categorical("profit_contribution", 40, ("A", 40), ("B", 28), ("C", 15), ("D", 0)),
        _numeric(
            "relationship_years",
            10,
            "left",
            ("5", None, 10),
            ("3", "5", 7),
            ("1", "3", 4),
            (None, "1", 1),
        ),
        _numeric(
            "purchase_recency",
            15,
            "right",
            (None, "30", 15),
            ("30", "90", 10),
            ("90", "180", 5),
            ("180", None, 0),
        ),
        _numeric(
            "sales_growth",
            20,
            "left",
            ("0.20", None, 20),
            ("0.05", "0.20", 15),
            ("0", "0.05", 10),
            ("-0.10", "0", 5),
            (None, "-0.10", 0),
        ),
        _categorical(
            "share_of_wallet", 15, ("sole", 15), ("main", 10), ("one_of_several", 5), ("minor", 0)
        ),
    )
    return Card("value", "", "any", factors, (), value_scale())


def value_card_with_complaints() -> Card:
    """The value card where complaints count (`CREDFILE_VALUE_CARD_COMPLAINTS`): the same
    100 points, loyalty 25 now years as our customer 10, days since the last invoice 10
    (≤ 30 10, ≤ 90 7, ≤ 180 3, more 0) and complaints received in the last 12 months 5
    (none 5, one or two 3, three to five 1, more 0)."""
    base = value_card()
    recency = _numeric(
        "purchase_recency",
        10,
        "right",
        (None, "30", 10),
        ("30", "90", 7),
        ("90", "180", 3),
        ("180", None, 0),
    )
    complaints = _numeric(
        "complaints_12m",
        5,
        "right",
        (None, "0", 5),
        ("0", "2", 3),
        ("2", "5", 1),
        ("5", None, 0),
    )
    factors: list[Factor] = []
    for factor in base.factors:
        if factor.key == "purchase_recency":
            factors.extend((recency, complaints))
        else:
            factors.append(factor)
    return Card("value_complaints", "", "any", tuple(factors), (), value_scale())
