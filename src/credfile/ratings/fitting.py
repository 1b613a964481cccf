"""One fit of a statistical scorecard on a table of past customers: the checks of the input,
the split, the fit, the validation and the report — what `credfile scorecard fit` and the
fit page both run (docs/scorecard.md).

The report keeps what explains the card and draws its charts (score histograms of goods and
bads, ROC points), never the rows themselves: the data may be personal.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from sklearn.metrics import roc_curve
from sklearn.model_selection import train_test_split

from credfile.ratings.cards import CATEGORICAL, NUMERIC, Bin, Card, Factor, Grade
from credfile.ratings.inputs import CHOICE, INPUTS
from credfile.ratings.statistics import (
    MAX_CORRELATION,
    MIN_BIN_ROWS,
    MIN_IV,
    Json,
    Scaling,
    ScorecardError,
    check_variable,
    fit_scorecard,
    rounded,
    scorecard_document,
    validation,
)

# Fewer bads make the fitted weights noise: keep the expert card (domain rule).
MIN_BADS = 100
HISTOGRAM_BARS = 20
ROC_POINTS = 200


class FitInputError(ScorecardError):
    """A problem of the input, with the option or form field it is about."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class FitOptions:
    target: str
    exclude: tuple[str, ...] = ()
    test_size: float = 0.3
    seed: int = 1
    scaling: Scaling = field(default_factory=Scaling)
    min_iv: float = MIN_IV
    max_correlation: float = MAX_CORRELATION
    min_bads: int = MIN_BADS


def read_table(source: str | io.BytesIO | Any, name: str) -> pd.DataFrame:
    """A CSV file in UTF-8 (with or without BOM), empty cells as missing values."""
    try:
        return pd.read_csv(source, encoding="utf-8-sig")
    except FileNotFoundError:
        raise FitInputError(_("There is no file %(path)s.") % {"path": name}) from None
    except pd.errors.EmptyDataError:
        raise FitInputError(_("%(path)s is empty.") % {"path": name}) from None
    except (pd.errors.ParserError, UnicodeDecodeError, IsADirectoryError) as exc:
        raise FitInputError(
            _("%(path)s is not a CSV file in UTF-8: %(error)s") % {"path": name, "error": exc}
        ) from None


def rows_phrase(positions: np.ndarray) -> str:
    # Rows as a spreadsheet numbers them: the header is row 1.
    shown = ", ".join(str(int(p) + 2) for p in positions[:5])
    return shown + (" …" if len(positions) > 5 else "")


def binary_target(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    if column not in frame.columns:
        raise FitInputError(
            _('%(path)s has no target column "%(column)s"; its columns are: %(columns)s.')
            % {"path": name, "column": column, "columns": ", ".join(map(str, frame.columns))},
            "target",
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    wrong = np.flatnonzero(~values.isin([0, 1]).to_numpy())
    if len(wrong):
        first = frame[column].iloc[wrong[0]]
        raise FitInputError(
            _(
                'The target column "%(column)s" must be 0 (good) or 1 (bad) in every row; '
                '%(count)s rows are not (row %(rows)s), e.g. "%(value)s".'
            )
            % {
                "column": column,
                "count": len(wrong),
                "rows": rows_phrase(wrong),
                "value": "" if pd.isna(first) else first,
            },
            "target",
        )
    target = values.to_numpy(dtype=int)
    bads = int(target.sum())
    if min(bads, len(target) - bads) < 2:
        raise FitInputError(
            _(
                'The target column "%(column)s" has bad (1): %(bads)s, good (0): %(goods)s; '
                "a fit needs at least 2 of each, so that the training and the test part both "
                "have some."
            )
            % {"column": column, "bads": bads, "goods": len(target) - bads},
            "target",
        )
    return target


def check_options(options: FitOptions) -> None:
    if not 0 < options.test_size < 1:
        raise FitInputError(_("--test-size must be between 0 and 1."), "test_size")
    if options.scaling.base_odds <= 0 or options.scaling.pdo <= 0:
        raise FitInputError(_("--base-odds and --pdo must be greater than 0."), "pdo")


def _histogram(scores: np.ndarray, target: np.ndarray, edges: np.ndarray) -> list[Json]:
    index = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, len(edges) - 2)
    bad = np.bincount(index, weights=target, minlength=len(edges) - 1).astype(int)
    count = np.bincount(index, minlength=len(edges) - 1)
    return [
        {
            "lower": rounded(edges[i]),
            "upper": rounded(edges[i + 1]),
            "good": int(count[i] - bad[i]),
            "bad": int(bad[i]),
        }
        for i in range(len(edges) - 1)
    ]


def _roc(target: np.ndarray, scores: np.ndarray) -> list[list[float]]:
    """(false positive rate, true positive rate) from (0, 0) to (1, 1), at most ROC_POINTS."""
    fpr, tpr, _thresholds = roc_curve(target, -scores)
    if len(fpr) > ROC_POINTS:
        keep = np.unique(np.linspace(0, len(fpr) - 1, ROC_POINTS).round().astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    points = [[rounded(x), rounded(y)] for x, y in zip(fpr, tpr, strict=True)]
    if points[0] != [0.0, 0.0]:
        points.insert(0, [0.0, 0.0])
    return points


def charts_document(parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> Json:
    """Score histograms of goods and bads (the same bars for every part, equal widths from
    the lowest to the highest score of all rows) and ROC points, per part."""
    every = np.concatenate([scores for _target, scores in parts.values()])
    low, high = float(every.min()), float(every.max())
    if high <= low:
        high = low + 1
    edges = np.linspace(low, high, HISTOGRAM_BARS + 1)
    return {
        part: {"histogram": _histogram(scores, target, edges), "roc": _roc(target, scores)}
        for part, (target, scores) in parts.items()
    }


def fit_table(
    frame: pd.DataFrame, options: FitOptions, *, name: str, shown: str | None = None
) -> Json:
    """Check the table, split it, fit, validate: the report (docs/scorecard.md). `name` is
    the file's name in the report, `shown` the file as messages name it (default `name`)."""
    check_options(options)
    report_name, name = name, shown or name
    target = binary_target(frame, options.target, name)
    for column in options.exclude:
        if column not in frame.columns:
            raise FitInputError(
                _('--exclude: %(path)s has no column "%(column)s".')
                % {"path": name, "column": column},
                "exclude",
            )
    variables = [c for c in frame.columns if c != options.target and c not in options.exclude]
    if not variables:
        raise FitInputError(_("%(path)s has no variable besides the target.") % {"path": name})
    # The split keeps the test part's share of rows, so check what remains to bin first.
    train_rows = len(frame) - math.ceil(options.test_size * len(frame))
    if train_rows < 2 * MIN_BIN_ROWS:
        raise FitInputError(
            _(
                "%(path)s has too few rows: binning needs at least %(needed)s rows in the "
                "training part (2 bins of %(per_bin)s rows), and %(rows)s rows with "
                "--test-size %(test_size)s leave %(train)s."
            )
            % {
                "path": name,
                "needed": 2 * MIN_BIN_ROWS,
                "per_bin": MIN_BIN_ROWS,
                "rows": len(frame),
                "test_size": options.test_size,
                "train": train_rows,
            }
        )
    for column in variables:
        try:
            check_variable(str(column), frame[column])
        except ScorecardError as exc:
            raise FitInputError(str(exc), "exclude") from None
    train, test, y_train, y_test = train_test_split(
        frame[variables],
        target,
        test_size=options.test_size,
        random_state=options.seed,
        stratify=target,
    )
    bads = int(y_train.sum())
    if bads < options.min_bads:
        raise FitInputError(
            _(
                "The training part holds %(bads)s bads; a statistical fit needs at least "
                "%(min)s (--min-bads). Until there are, keep the expert scorecard."
            )
            % {"bads": bads, "min": options.min_bads}
        )
    card = fit_scorecard(
        train,
        y_train,
        scaling=options.scaling,
        min_iv=options.min_iv,
        max_correlation=options.max_correlation,
    )
    scores = {"train": card.score(train), "test": card.score(test)}
    metrics = {
        "train": validation(y_train, scores["train"]),
        "test": validation(y_test, scores["test"]),
    }
    return {
        **scorecard_document(card, metrics=dict(metrics)),
        "data": {
            "file": report_name,
            "target": options.target,
            "seed": options.seed,
            "test_size": options.test_size,
            "train": {"rows": len(train), "bad": bads},
            "test": {"rows": len(test), "bad": int(y_test.sum())},
        },
        "charts": charts_document(
            {
                "train": (np.asarray(y_train, dtype=int), scores["train"]),
                "test": (np.asarray(y_test, dtype=int), scores["test"]),
            }
        ),
    }


# --- a fitted card as a scorecard version ------------------------------------------------------


def default_mapping(report: Json) -> dict[str, str]:
    """A selected variable whose name is a rating input's key maps to that input."""
    selected: list[str] = report["selected"]  # type: ignore[assignment]
    return {v: v for v in selected if v in INPUTS}


def scaled_scale(base: Card, max_score: Decimal) -> tuple[Grade, ...]:
    """The base card's grades, each starting at the same share of the points range (0 to the
    card's maximum): a grade of the 100-point card from 70 starts at 70 % of the new range."""
    if base.max_score <= 0:
        return base.scale
    ratio = max_score / base.max_score
    return tuple(
        Grade(g.grade, (g.min_score * ratio).quantize(Decimal(1), ROUND_HALF_UP))
        for g in base.scale
    )


def card_from_fit(
    report: Json,
    *,
    mapping: dict[str, str],
    base: Card,
    scale: tuple[Grade, ...] | None = None,
) -> Card:
    """The fitted card as a card of the rating engine (docs/scorecard.md): each selected
    variable reads the input it is mapped to; numeric bins keep their edges ([lower, upper),
    closed on the left), categorical bins their values; a bin's points are its fitted points
    less the factor's lowest, in whole points, so every factor runs from 0 to its maximum.
    The missing bin is left out: a factor without data scores its lowest bin. The base card
    lends its key, name, kind, caps and (scaled, unless given) grade scale."""
    selected: list[str] = report["selected"]  # type: ignore[assignment]
    woe: dict[str, list[dict[str, Any]]] = report["woe"]  # type: ignore[assignment]
    points: dict[str, dict[str, float]] = report["points"]  # type: ignore[assignment]
    factors = []
    for variable in selected:
        rows = [b for b in woe[variable] if not b["missing"]]
        fitted = [Decimal(str(points[variable][b["label"]])) for b in rows]
        low = min(fitted)
        whole = [(p - low).quantize(Decimal(1), ROUND_HALF_UP) for p in fitted]
        numeric = "lower" in rows[0]
        bins = tuple(
            Bin(
                points=p,
                lower=None if b.get("lower") is None else Decimal(str(b["lower"])),
                upper=None if b.get("upper") is None else Decimal(str(b["upper"])),
            )
            if numeric
            else Bin(points=p, value=str(b["value"]))
            for b, p in zip(rows, whole, strict=True)
        )
        factors.append(
            Factor(
                key=mapping[variable],
                label="",
                max_points=max(whole),
                bins=bins,
                kind=NUMERIC if numeric else CATEGORICAL,
                closed="left",
            )
        )
    total = sum((f.max_points for f in factors), Decimal(0))
    return Card(
        key=base.key,
        name=base.name,
        customer_kind=base.customer_kind,
        factors=tuple(factors),
        caps=base.caps,
        scale=scale or scaled_scale(base, total),
    )


def mapping_problems(report: Json, mapping: dict[str, str]) -> list[str]:
    """Every selected variable needs an input of its kind, each input at most once; a
    categorical variable's values must be the input's choices."""
    selected: list[str] = report["selected"]  # type: ignore[assignment]
    woe: dict[str, list[dict[str, Any]]] = report["woe"]  # type: ignore[assignment]
    problems = []
    unmapped = [v for v in selected if not mapping.get(v)]
    if unmapped:
        problems.append(
            _("Map every variable of the card to a rating input; not mapped: %(variables)s.")
            % {"variables": ", ".join(unmapped)}
        )
    seen: dict[str, str] = {}
    for variable in selected:
        key = mapping.get(variable)
        if not key:
            continue
        kind = INPUTS.get(key)
        if kind is None:
            problems.append(
                _("%(variable)s: no rating input %(input)s.") % {"variable": variable, "input": key}
            )
            continue
        if key in seen:
            problems.append(
                _("%(variable)s and %(other)s both read %(input)s.")
                % {"variable": variable, "other": seen[key], "input": kind.label}
            )
        seen[key] = variable
        rows = [b for b in woe[variable] if not b["missing"]]
        numeric = bool(rows) and "lower" in rows[0]
        if numeric and kind.unit == CHOICE:
            problems.append(
                _("%(variable)s is numeric; %(input)s is a choice.")
                % {"variable": variable, "input": kind.label}
            )
        elif not numeric and kind.unit != CHOICE:
            problems.append(
                _("%(variable)s is categorical; %(input)s is a number.")
                % {"variable": variable, "input": kind.label}
            )
        elif not numeric:
            unknown = [str(b["value"]) for b in rows if str(b["value"]) not in kind.choices]
            if unknown:
                problems.append(
                    _("%(variable)s: %(values)s are not values of %(input)s (%(choices)s).")
                    % {
                        "variable": variable,
                        "values": ", ".join(unknown),
                        "input": kind.label,
                        "choices": ", ".join(kind.choices),
                    }
                )
    return problems
