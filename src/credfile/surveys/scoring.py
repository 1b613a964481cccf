"""The scores of satisfaction answers (满意度得分), from counts, so that the database counts
and this module only divides.

- CSAT, on 1–5: the share of answers of 4 or 5 (satisfied), in percent, and the mean.
- NPS, on 0–10: promoters (9–10) minus detractors (0–6), as a percentage of all answers.

Percentages are given to one decimal and means to two, rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from credfile.surveys.choices import Kind

SATISFIED_FROM = 4  # CSAT: 4 and 5 are satisfied
PROMOTER_FROM = 9  # NPS: 9 and 10 promote
DETRACTOR_UP_TO = 6  # NPS: 0 to 6 detract


def _round(value: Fraction, places: str) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Counts:
    """What the database counts over a set of scored answers."""

    answers: int = 0
    total: int = 0  # the sum of the scores
    satisfied: int = 0  # CSAT 4–5
    promoters: int = 0  # NPS 9–10
    detractors: int = 0  # NPS 0–6

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.answers + other.answers,
            self.total + other.total,
            self.satisfied + other.satisfied,
            self.promoters + other.promoters,
            self.detractors + other.detractors,
        )


def counts_of(scores: Iterable[int]) -> Counts:
    values = list(scores)
    return Counts(
        answers=len(values),
        total=sum(values),
        satisfied=sum(v >= SATISFIED_FROM for v in values),
        promoters=sum(v >= PROMOTER_FROM for v in values),
        detractors=sum(v <= DETRACTOR_UP_TO for v in values),
    )


@dataclass(frozen=True)
class Score:
    """The score of one set of answers of one kind; None where there is no answer."""

    kind: str
    answers: int
    mean: Decimal | None
    # CSAT
    satisfied: int = 0
    csat: Decimal | None = None
    # NPS
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    nps: Decimal | None = None

    @property
    def value(self) -> Decimal | None:
        """The headline figure: the CSAT share or the NPS."""
        return self.csat if self.kind == Kind.CSAT else self.nps


def score_from_counts(kind: str, counts: Counts) -> Score:
    n = counts.answers
    mean = _round(Fraction(counts.total, n), "0.01") if n else None
    if kind == Kind.CSAT:
        share = _round(Fraction(100 * counts.satisfied, n), "0.1") if n else None
        return Score(kind=kind, answers=n, mean=mean, satisfied=counts.satisfied, csat=share)
    nps = _round(Fraction(100 * (counts.promoters - counts.detractors), n), "0.1") if n else None
    return Score(
        kind=kind,
        answers=n,
        mean=mean,
        promoters=counts.promoters,
        passives=n - counts.promoters - counts.detractors,
        detractors=counts.detractors,
        nps=nps,
    )


def score(kind: str, scores: Iterable[int]) -> Score:
    """The score of a list of answers: `score("nps", [10, 9, 7, 3])`."""
    return score_from_counts(kind, counts_of(scores))


def trend(current: Score | None, previous: Score | None) -> Decimal | None:
    """How far the headline figure moved since the previous period (points)."""
    if current is None or previous is None or current.value is None or previous.value is None:
        return None
    return current.value - previous.value
