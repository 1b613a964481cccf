"""Scorecards as data: factors with bins and points, knock-out caps and a grade scale, and
the scoring of one customer's inputs against a card.

A card is plain data so that it can be versioned, stored, shown and checked: every number a
rating gives comes from a bin or a cap a reader can point at. A numeric factor's bins cover
the whole line without gap or overlap; each bin is an interval closed on one side, the same
side for every bin of the factor (`closed`): "≤ 40 %" cards close on the right, "≥ 2.0" cards
on the left. A factor whose input is missing scores its lowest bin and is flagged.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast

from django.utils.translation import gettext as _

from credfile.ratings.inputs import INPUTS

Closed = Literal["left", "right"]
NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True)
class Bin:
    """A numeric interval (`lower`, `upper`; None for no bound) or a categorical value."""

    points: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None
    value: str | None = None
    label: str = ""

    def holds(self, x: Any, closed: Closed) -> bool:
        if self.value is not None:
            return str(x) == self.value
        if self.lower is not None and (x < self.lower or (closed == "right" and x == self.lower)):
            return False
        return not (
            self.upper is not None and (x > self.upper or (closed == "left" and x == self.upper))
        )

    def text(self, closed: Closed) -> str:
        """The bin as a reader writes it: [0.4, 0.55), ≤ 0.4, ≥ 2, or the value."""
        if self.value is not None:
            return self.label or self.value
        lo, hi = self.lower, self.upper
        if lo is None and hi is None:
            return _("any value")
        if lo is None:
            return f"≤ {_num(hi)}" if closed == "right" else f"< {_num(hi)}"
        if hi is None:
            return f"≥ {_num(lo)}" if closed == "left" else f"> {_num(lo)}"
        left, right = ("[", ")") if closed == "left" else ("(", "]")
        return f"{left}{_num(lo)}, {_num(hi)}{right}"


def _num(x: Decimal | None) -> str:
    return "" if x is None else f"{x.normalize():f}"


@dataclass(frozen=True)
class Factor:
    key: str  # the input it reads (see `credfile.ratings.inputs.INPUTS`)
    label: str
    max_points: Decimal
    bins: tuple[Bin, ...]
    kind: str = NUMERIC
    closed: Closed = "left"


@dataclass(frozen=True)
class Cap:
    """A knock-out: when the input's value falls in `when`, the grade is at most `max_grade`
    (None: the scale's lowest grade)."""

    key: str
    label: str
    input: str
    when: Bin
    max_grade: str | None
    closed: Closed = "left"


@dataclass(frozen=True)
class Grade:
    grade: str
    min_score: Decimal  # the lowest score of the grade


@dataclass(frozen=True)
class Card:
    key: str
    name: str
    customer_kind: str  # "organization" or "individual"
    factors: tuple[Factor, ...]
    caps: tuple[Cap, ...]
    scale: tuple[Grade, ...]  # best first

    @property
    def max_score(self) -> Decimal:
        return sum((f.max_points for f in self.factors), Decimal(0))

    def grade_for(self, score: Decimal) -> str:
        for grade in self.scale:
            if score >= grade.min_score:
                return grade.grade
        return self.scale[-1].grade

    def rank(self, grade: str) -> int:
        """0 for the best grade; higher is worse."""
        return [g.grade for g in self.scale].index(grade)


class CardInvalid(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def factor_name(key: str, label: str = "") -> str:
    """A factor as readers know it: its own label, else its input's, else its key."""
    kind = INPUTS.get(key)
    return label or (str(kind.label) if kind else key)


def card_problems(card: Card, *, known_inputs: Sequence[str] | None = None) -> list[str]:
    """Every reason the card cannot rate, in the reader's language; [] for a sound card."""
    problems: list[str] = []
    keys = set()
    for factor in card.factors:
        name = factor_name(factor.key, factor.label)
        if factor.key in keys:
            problems.append(_("%(factor)s appears twice on the card.") % {"factor": name})
        keys.add(factor.key)
        if known_inputs is not None and factor.key not in known_inputs:
            problems.append(_("%(factor)s: no such factor.") % {"factor": name})
        if factor.max_points <= 0:
            problems.append(_("%(factor)s: the maximum must be above zero.") % {"factor": name})
        if not factor.bins:
            problems.append(_("%(factor)s has no bins.") % {"factor": name})
            continue
        for b in factor.bins:
            if b.points < 0 or b.points > factor.max_points:
                problems.append(
                    _("%(factor)s: %(bin)s gives %(points)s points, outside 0 to %(max)s.")
                    % {
                        "factor": name,
                        "bin": b.text(factor.closed),
                        "points": _num(b.points),
                        "max": _num(factor.max_points),
                    }
                )
        if factor.kind == CATEGORICAL:
            values = [b.value for b in factor.bins]
            if None in values:
                problems.append(_("%(factor)s: every bin needs its value.") % {"factor": name})
            elif len(set(values)) != len(values):
                problems.append(_("%(factor)s: a value has two bins.") % {"factor": name})
        else:
            problems.extend(_interval_problems(name, factor.bins))
    if known_inputs is not None:
        for cap in card.caps:
            if cap.input not in known_inputs:
                problems.append(_("%(cap)s: no such factor.") % {"cap": cap.label or cap.key})
    grades = [g.grade for g in card.scale]
    if not grades:
        problems.append(_("The card has no grade scale."))
    elif len(set(grades)) != len(grades):
        problems.append(_("A grade appears twice on the scale."))
    elif any(a.min_score <= b.min_score for a, b in itertools.pairwise(card.scale)):
        problems.append(_("The grade scale must go from the best grade down, each lower."))
    for cap in card.caps:
        if cap.max_grade is not None and cap.max_grade not in grades:
            problems.append(
                _("%(cap)s caps at %(grade)s, which is not on the scale.")
                % {"cap": cap.label or cap.key, "grade": cap.max_grade}
            )
    return problems


def _interval_problems(name: str, bins: Sequence[Bin]) -> list[str]:
    """Numeric bins, in any order, must tile the line: from no lower bound to no upper
    bound, each bin starting where the previous one ends."""
    problems: list[str] = []
    if any(b.value is not None for b in bins):
        return [_("%(factor)s: a numeric factor's bins are intervals.") % {"factor": name}]
    ordered = sorted(bins, key=lambda b: (b.lower is not None, b.lower or Decimal(0)))
    for b in ordered:
        if b.lower is not None and b.upper is not None and b.lower >= b.upper:
            problems.append(
                _("%(factor)s: a bin ends at %(upper)s before it starts at %(lower)s.")
                % {"factor": name, "lower": _num(b.lower), "upper": _num(b.upper)}
            )
            return problems
    if ordered[0].lower is not None:
        problems.append(
            _("%(factor)s: no bin for values below %(value)s.")
            % {"factor": name, "value": _num(ordered[0].lower)}
        )
    if ordered[-1].upper is not None:
        problems.append(
            _("%(factor)s: no bin for values above %(value)s.")
            % {"factor": name, "value": _num(ordered[-1].upper)}
        )
    for a, b in itertools.pairwise(ordered):
        if a.upper is None or b.lower is None or b.lower < a.upper:
            problems.append(
                _("%(factor)s: bins overlap at %(value)s.")
                % {"factor": name, "value": _num(b.lower if b.lower is not None else a.upper)}
            )
        elif b.lower > a.upper:
            problems.append(
                _("%(factor)s: no bin between %(lower)s and %(upper)s.")
                % {"factor": name, "lower": _num(a.upper), "upper": _num(b.lower)}
            )
    return problems


def validate_card(card: Card, *, known_inputs: Sequence[str] | None = None) -> None:
    problems = card_problems(card, known_inputs=known_inputs)
    if problems:
        raise CardInvalid(problems)


# --- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """A factor's input for one customer: its value (None when there is no data) and the date
    of the data it comes from (the statement's period end, the report's as-of date …)."""

    value: Any
    as_of: datetime.date | None = None
    source: str = ""


@dataclass(frozen=True)
class FactorScore:
    key: str
    label: str
    value: Any
    as_of: datetime.date | None
    source: str
    bin: str
    points: Decimal
    max_points: Decimal
    missing: bool


@dataclass(frozen=True)
class CapApplied:
    key: str
    label: str
    value: Any
    max_grade: str


@dataclass
class Scored:
    card: str
    score: Decimal
    max_score: Decimal
    score_grade: str  # the grade of the score alone
    grade: str  # after the caps
    factors: list[FactorScore] = field(default_factory=list)
    caps: list[CapApplied] = field(default_factory=list)

    def as_basis(self) -> dict[str, Any]:
        """The rating basis as stored with a rating: plain JSON, decimals as strings."""
        return {
            "card": self.card,
            "score": str(self.score),
            "max_score": str(self.max_score),
            "score_grade": self.score_grade,
            "grade": self.grade,
            "factors": [
                {
                    "key": f.key,
                    "label": f.label,
                    "value": None if f.value is None else str(f.value),
                    "as_of": f.as_of.isoformat() if f.as_of else None,
                    "source": f.source,
                    "bin": f.bin,
                    "points": str(f.points),
                    "max_points": str(f.max_points),
                    "missing": f.missing,
                }
                for f in self.factors
            ],
            "caps": [
                {
                    "key": c.key,
                    "label": c.label,
                    "value": None if c.value is None else str(c.value),
                    "max_grade": c.max_grade,
                }
                for c in self.caps
            ],
        }


def _lowest(factor: Factor) -> Bin:
    return min(factor.bins, key=lambda b: b.points)


def _bin_for(factor: Factor, value: Any) -> Bin | None:
    for b in factor.bins:
        if b.holds(value, factor.closed):
            return b
    return None


def score(card: Card, inputs: Mapping[str, Input]) -> Scored:
    """Score `inputs` on `card`: each factor's bin and points, the total, the caps met and
    the grade."""
    factors = []
    total = Decimal(0)
    for factor in card.factors:
        given = inputs.get(factor.key) or Input(None)
        found = None if given.value is None else _bin_for(factor, given.value)
        missing = found is None
        chosen = found or _lowest(factor)
        total += chosen.points
        factors.append(
            FactorScore(
                key=factor.key,
                label=factor.label,
                value=given.value,
                as_of=given.as_of,
                source=given.source,
                bin=chosen.text(factor.closed),
                points=chosen.points,
                max_points=factor.max_points,
                missing=missing,
            )
        )
    score_grade = card.grade_for(total)
    grade = score_grade
    applied = []
    lowest = card.scale[-1].grade
    for cap in card.caps:
        given = inputs.get(cap.input) or Input(None)
        if given.value is None or not cap.when.holds(given.value, cap.closed):
            continue
        ceiling = cap.max_grade or lowest
        applied.append(CapApplied(cap.key, cap.label, given.value, ceiling))
        if card.rank(ceiling) > card.rank(grade):
            grade = ceiling
    return Scored(
        card=card.key,
        score=total,
        max_score=card.max_score,
        score_grade=score_grade,
        grade=grade,
        factors=factors,
        caps=applied,
    )


# --- as stored ------------------------------------------------------------------------------


def _dec(x: Decimal | None) -> str | None:
    return None if x is None else _num(x)


def card_to_data(card: Card) -> dict[str, Any]:
    """The card as JSON: decimals as strings, so a stored version reads back exactly."""

    def bin_data(b: Bin) -> dict[str, Any]:
        data: dict[str, Any] = {"points": _dec(b.points)}
        if b.value is not None:
            data["value"] = b.value
        else:
            data["lower"], data["upper"] = _dec(b.lower), _dec(b.upper)
        if b.label:
            data["label"] = b.label
        return data

    return {
        "key": card.key,
        "name": card.name,
        "customer_kind": card.customer_kind,
        "factors": [
            {
                "key": f.key,
                "label": f.label,
                "max_points": _dec(f.max_points),
                "kind": f.kind,
                "closed": f.closed,
                "bins": [bin_data(b) for b in f.bins],
            }
            for f in card.factors
        ],
        "caps": [
            {
                "key": c.key,
                "label": c.label,
                "input": c.input,
                "when": bin_data(c.when),
                "max_grade": c.max_grade,
                "closed": c.closed,
            }
            for c in card.caps
        ],
        "scale": [{"grade": g.grade, "min_score": _dec(g.min_score)} for g in card.scale],
    }


def card_from_data(data: Mapping[str, Any]) -> Card:
    """A card read back from `card_to_data`; a malformed one raises CardInvalid."""
    try:

        def opt(x: Any) -> Decimal | None:
            return None if x is None else Decimal(str(x))

        def bin_of(b: Mapping[str, Any]) -> Bin:
            return Bin(
                points=Decimal(str(b["points"])),
                lower=opt(b.get("lower")),
                upper=opt(b.get("upper")),
                value=b.get("value"),
                label=b.get("label", ""),
            )

        def closed_of(x: Any) -> Closed:
            if x not in ("left", "right"):
                raise ValueError(x)
            return cast(Closed, x)

        return Card(
            key=str(data["key"]),
            name=str(data.get("name", "")),
            customer_kind=str(data["customer_kind"]),
            factors=tuple(
                Factor(
                    key=str(f["key"]),
                    label=str(f.get("label", "")),
                    max_points=Decimal(str(f["max_points"])),
                    bins=tuple(bin_of(b) for b in f["bins"]),
                    kind=str(f.get("kind", NUMERIC)),
                    closed=closed_of(f.get("closed", "left")),
                )
                for f in data["factors"]
            ),
            caps=tuple(
                Cap(
                    key=str(c["key"]),
                    label=str(c.get("label", "")),
                    input=str(c["input"]),
                    when=bin_of(c["when"]),
                    max_grade=c.get("max_grade"),
                    closed=closed_of(c.get("closed", "left")),
                )
                for c in data.get("caps", [])
            ),
            scale=tuple(
                Grade(str(g["grade"]), Decimal(str(g["min_score"]))) for g in data["scale"]
            ),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise CardInvalid([_("The card is not readable: %(error)s") % {"error": exc}]) from exc
