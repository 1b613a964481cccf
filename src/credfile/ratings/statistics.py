"""The statistical scorecard: binning, WOE and IV, variable selection, logistic regression on
WOE, points scaling, validation (KS, AUC, Gini) and stability (PSI).

Pure functions on numpy and pandas arrays, no database: the rating models call them, and so
does `credfile scorecard`. Conventions (docs/scorecard.md):

- target 1 = bad, 0 = good; a higher score is a better customer;
- WOE_i = ln(%bad_i / %good_i), so a positive WOE marks a riskier bin than the average;
  IV = Σ (%bad_i − %good_i) × WOE_i;
- a bin with no bads or no goods counts ADJUSTMENT (0.5) more of each, in its own WOE and IV
  only (the totals stay as counted), so that its WOE is finite;
- score = Offset + Factor × ln(good:bad odds), Factor = PDO / ln 2,
  Offset = BaseScore − Factor × ln(BaseOdds).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]

MAX_BINS = 8
MIN_BIN_SHARE = 0.05
# A bin of fewer rows gives a WOE that is mostly noise, whatever 5 % of the sample is.
MIN_BIN_ROWS = 20
PRE_BINS = 20
ADJUSTMENT = 0.5
MIN_IV = 0.02
MAX_CORRELATION = 0.7
MISSING_LABEL = "(missing)"
PSI_WATCH = 0.1
PSI_SHIFT = 0.25


class ScorecardError(ValueError):
    """Input a fit cannot use; the message names the problem, in the active language."""


# --- WOE and IV ----------------------------------------------------------------------------


def woe_iv(
    bad: Sequence[float] | np.ndarray, good: Sequence[float] | np.ndarray
) -> tuple[FloatArray, float]:
    """WOE of each bin and the IV of a table of bad and good counts per bin."""
    bads = np.asarray(bad, dtype=float)
    goods = np.asarray(good, dtype=float)
    total_bad, total_good = bads.sum(), goods.sum()
    if total_bad == 0 or total_good == 0:
        return np.zeros(len(bads)), 0.0
    empty = (bads == 0) | (goods == 0)
    share_bad = np.where(empty, bads + ADJUSTMENT, bads) / total_bad
    share_good = np.where(empty, goods + ADJUSTMENT, goods) / total_good
    woe = np.log(share_bad / share_good)
    return woe, float(np.sum((share_bad - share_good) * woe))


@dataclass(frozen=True)
class Bin:
    """One bin of a variable: a half-open interval [lower, upper) of a numeric variable (None
    is unbounded), one value of a categorical one, or the rows without a value."""

    count: int
    bad: int
    woe: float
    lower: float | None = None
    upper: float | None = None
    value: str | None = None
    missing: bool = False

    @property
    def good(self) -> int:
        return self.count - self.bad

    @property
    def bad_rate(self) -> float:
        return self.bad / self.count if self.count else 0.0

    @property
    def label(self) -> str:
        if self.missing:
            return MISSING_LABEL
        if self.value is not None:
            return self.value
        lower = "-inf" if self.lower is None else repr(round(self.lower, 6))
        upper = "inf" if self.upper is None else repr(round(self.upper, 6))
        return f"[{lower}, {upper})"


@dataclass(frozen=True)
class Binning:
    """A variable's bins with their WOE, and its IV. Numeric bins are cut at `cuts`: bin i
    holds cuts[i-1] <= x < cuts[i]."""

    variable: str
    numeric: bool
    bins: tuple[Bin, ...]
    iv: float
    cuts: tuple[float, ...] = ()

    def bin_index(self, column: pd.Series) -> np.ndarray:
        """The index of each value's bin; −1 for a value the bins never saw (a new category,
        a missing value where training had none)."""
        missing = next((i for i, b in enumerate(self.bins) if b.missing), -1)
        present = column.notna().to_numpy()
        result = np.full(len(column), missing)
        if self.numeric:
            x = column.to_numpy(dtype=float, na_value=np.nan)[present]
            result[present] = np.searchsorted(self.cuts, x, side="right")
        else:
            by_value = {b.value: i for i, b in enumerate(self.bins) if not b.missing}
            values = column[present].astype(str)
            result[present] = values.map(by_value).fillna(-1).to_numpy(dtype=int)
        return result

    def woe_of(self, column: pd.Series) -> FloatArray:
        """The WOE of each value; 0, the average risk, for a value the bins never saw."""
        woe = np.array([*(b.woe for b in self.bins), 0.0])
        return np.asarray(woe[self.bin_index(column)], dtype=float)


def _with_woe(bins: list[Bin]) -> tuple[tuple[Bin, ...], float]:
    """The bins with their WOE filled in, and the variable's IV."""
    woe, iv = woe_iv([b.bad for b in bins], [b.good for b in bins])
    return tuple(replace(b, woe=float(w)) for b, w in zip(bins, woe, strict=True)), iv


# --- numeric binning -----------------------------------------------------------------------


@dataclass
class _Intervals:
    """Adjacent value bins while they are merged: bin i runs from cuts[i-1] to cuts[i]."""

    cuts: list[float]
    count: list[int]
    bad: list[int]
    total_bad: int
    total_good: int

    def rate(self, i: int) -> float:
        return self.bad[i] / self.count[i]

    def _iv_part(self, count: int, bad: int) -> float:
        adjust = ADJUSTMENT if bad == 0 or bad == count else 0.0
        share_bad = (bad + adjust) / self.total_bad
        share_good = (count - bad + adjust) / self.total_good
        return (share_bad - share_good) * math.log(share_bad / share_good)

    def merge_loss(self, i: int) -> float:
        """IV lost by merging bin i with bin i + 1."""
        c, b = self.count, self.bad
        return (
            self._iv_part(c[i], b[i])
            + self._iv_part(c[i + 1], b[i + 1])
            - self._iv_part(c[i] + c[i + 1], b[i] + b[i + 1])
        )

    def merge(self, i: int) -> None:
        self.count[i] += self.count.pop(i + 1)
        self.bad[i] += self.bad.pop(i + 1)
        del self.cuts[i]

    def iv(self) -> float:
        return sum(self._iv_part(c, b) for c, b in zip(self.count, self.bad, strict=True))

    def copy(self) -> _Intervals:
        return _Intervals(
            list(self.cuts), list(self.count), list(self.bad), self.total_bad, self.total_good
        )

    def made_monotonic(self, direction: Literal[1, -1]) -> _Intervals:
        """Adjacent bins against the direction merged until none is left (pool adjacent
        violators)."""
        run = self.copy()
        while True:
            against = [
                i
                for i in range(len(run.count) - 1)
                if direction * (run.rate(i + 1) - run.rate(i)) < 0
            ]
            if not against:
                return run
            run.merge(against[0])


def bin_numeric(
    variable: str, values: np.ndarray, target: np.ndarray, *, max_bins: int = MAX_BINS
) -> Binning:
    """Quantile pre-bins merged to at most `max_bins` bins (the missing bin counted) of at
    least 5 % of the rows (and MIN_BIN_ROWS) each, always merging the neighbours whose merge
    loses the least IV; then merged until the bad rate rises or falls monotonically — the
    direction that keeps more IV — unless that leaves fewer than 2 bins (then the bins stay
    as they are). A U-shaped effect thus loses its far side: transform such a variable
    first (e.g. the distance from its centre). Missing values are a bin of their own,
    whatever its size."""
    x_all = np.asarray(values, dtype=float)
    y_all = np.asarray(target, dtype=int)
    present = ~np.isnan(x_all)
    x, y = x_all[present], y_all[present]
    total_bad = int(y_all.sum())
    total_good = len(y_all) - total_bad
    min_count = max(math.ceil(MIN_BIN_SHARE * len(x_all)), MIN_BIN_ROWS)
    value_bins = max_bins - (1 if not present.all() else 0)

    bins = _Intervals([], [], [], total_bad, total_good)
    if len(x):
        quantiles = np.linspace(0, 1, PRE_BINS + 1)[1:-1]
        # Cuts are values of the data, so every pre-bin holds at least its lower cut.
        cuts = np.unique(np.quantile(x, quantiles, method="higher"))
        cuts = cuts[cuts > x.min()]
        index = np.searchsorted(cuts, x, side="right")
        bins = _Intervals(
            [float(c) for c in cuts],
            [int(v) for v in np.bincount(index, minlength=len(cuts) + 1)],
            [int(v) for v in np.bincount(index, weights=y, minlength=len(cuts) + 1)],
            total_bad,
            total_good,
        )
        while len(bins.count) > 1 and min(bins.count) < min_count:
            i = int(np.argmin(bins.count))
            if i == len(bins.count) - 1 or (i > 0 and bins.merge_loss(i - 1) < bins.merge_loss(i)):
                i -= 1
            bins.merge(i)
        while len(bins.count) > value_bins:
            bins.merge(min(range(len(bins.count) - 1), key=bins.merge_loss))
        monotonic = [bins.made_monotonic(d) for d in (1, -1)]
        monotonic = [m for m in monotonic if len(m.count) >= 2]
        if monotonic:
            bins = max(monotonic, key=lambda m: m.iv())

    bounds: list[float | None] = [None, *bins.cuts, None]
    table = [
        Bin(count, bad, 0.0, lower=bounds[i], upper=bounds[i + 1])
        for i, (count, bad) in enumerate(zip(bins.count, bins.bad, strict=True))
    ]
    if not present.all():
        table.append(Bin(int((~present).sum()), int(y_all[~present].sum()), 0.0, missing=True))
    with_woe, iv = _with_woe(table)
    return Binning(variable, True, with_woe, iv, tuple(bins.cuts))


def bin_categorical(variable: str, values: pd.Series, target: np.ndarray) -> Binning:
    """Every value is a bin of its own (in the order of the values), missing values too."""
    y = pd.Series(np.asarray(target, dtype=int), index=values.index)
    present = values.notna()
    grouped = y[present].groupby(values[present].astype(str)).agg(["count", "sum"]).sort_index()
    table = [
        Bin(int(count), int(bad), 0.0, value=str(value))
        for value, count, bad in zip(grouped.index, grouped["count"], grouped["sum"], strict=True)
    ]
    if not present.all():
        table.append(Bin(int((~present).sum()), int(y[~present].sum()), 0.0, missing=True))
    with_woe, iv = _with_woe(table)
    return Binning(variable, False, with_woe, iv)


def check_variable(variable: str, values: pd.Series) -> None:
    """A variable with a single value (a missing value counting as one) tells nothing: it is
    refused, naming it, rather than left out silently."""
    if values.nunique(dropna=False) < 2:
        shown = values.iloc[0] if len(values) else ""
        raise ScorecardError(
            _(
                'The variable "%(variable)s" has only one value (%(value)s): it cannot tell '
                "bad from good. Leave it out with --exclude %(variable)s."
            )
            % {"variable": variable, "value": MISSING_LABEL if pd.isna(shown) else shown}
        )


def bin_variable(variable: str, values: pd.Series, target: np.ndarray) -> Binning:
    """Numeric columns (as pandas reads them) are cut into intervals, others binned by value."""
    check_variable(variable, values)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return bin_numeric(variable, values.to_numpy(dtype=float, na_value=np.nan), target)
    return bin_categorical(variable, values, target)


# --- selection and fit ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scaling:
    """Points for odds: BaseScore at BaseOdds (good:bad), PDO more points double the odds."""

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def score(self, good_bad_odds: float | np.ndarray) -> float | np.ndarray:
        return self.offset + self.factor * np.log(good_bad_odds)


@dataclass(frozen=True)
class Exclusion:
    """Why a binned variable is not on the card."""

    reason: Literal["iv", "correlation", "coefficient"]
    value: float
    other: str | None = None


@dataclass(frozen=True)
class Scorecard:
    binnings: dict[str, Binning]
    selected: list[str]
    excluded: dict[str, Exclusion]
    intercept: float
    coefficients: dict[str, float]
    scaling: Scaling

    def woe_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {v: self.binnings[v].woe_of(frame[v]) for v in self.selected}, index=frame.index
        )

    def log_odds_bad(self, frame: pd.DataFrame) -> FloatArray:
        woe = self.woe_frame(frame)
        betas = np.array([self.coefficients[v] for v in self.selected])
        return np.asarray(self.intercept + woe.to_numpy() @ betas, dtype=float)

    def score(self, frame: pd.DataFrame) -> FloatArray:
        """Offset + Factor × ln(good:bad odds); the same as adding up the points of the rows'
        bins."""
        return np.asarray(
            self.scaling.offset - self.scaling.factor * self.log_odds_bad(frame), dtype=float
        )

    def points(self) -> dict[str, dict[str, float]]:
        """Points per bin: −Factor × β × WOE, plus an equal share of Offset − Factor × β₀
        for every variable, so that a row's points add up to its score. A value the bins never
        saw scores that share alone (WOE 0)."""
        share = self.neutral_points()
        return {
            v: {
                b.label: share - self.scaling.factor * self.coefficients[v] * b.woe
                for b in self.binnings[v].bins
            }
            for v in self.selected
        }

    def neutral_points(self) -> float:
        return (self.scaling.offset - self.scaling.factor * self.intercept) / len(self.selected)


def select_variables(
    binnings: Iterable[Binning],
    woe: pd.DataFrame,
    *,
    min_iv: float = MIN_IV,
    max_correlation: float = MAX_CORRELATION,
) -> tuple[list[str], dict[str, Exclusion]]:
    """Variables of IV at least `min_iv`, strongest first, each kept unless its WOE correlates
    (|Pearson r| > max_correlation) with one already kept."""
    selected: list[str] = []
    excluded: dict[str, Exclusion] = {}
    for binning in sorted(binnings, key=lambda b: (-b.iv, b.variable)):
        name = binning.variable
        if binning.iv < min_iv:
            excluded[name] = Exclusion("iv", binning.iv)
            continue
        for kept in selected:
            r = float(np.corrcoef(woe[name], woe[kept])[0, 1])
            if not math.isnan(r) and abs(r) > max_correlation:
                excluded[name] = Exclusion("correlation", r, kept)
                break
        else:
            selected.append(name)
    return selected, excluded


def fit_scorecard(
    frame: pd.DataFrame,
    target: np.ndarray,
    *,
    scaling: Scaling,
    min_iv: float = MIN_IV,
    max_correlation: float = MAX_CORRELATION,
) -> Scorecard:
    """Bins every column of `frame`, selects variables, fits a logistic regression of the
    target on their WOE and keeps only variables whose coefficient is positive (a negative one
    would give the riskier bins more points: collinearity, not an effect)."""
    y = np.asarray(target, dtype=int)
    binnings = {name: bin_variable(name, frame[name], y) for name in frame.columns}
    woe = pd.DataFrame({name: b.woe_of(frame[name]) for name, b in binnings.items()})
    selected, excluded = select_variables(
        binnings.values(), woe, min_iv=min_iv, max_correlation=max_correlation
    )
    while selected:
        # Unpenalised: the WOE already carries the binning's smoothing, and points must not
        # depend on a regularisation strength.
        model = LogisticRegression(C=np.inf, max_iter=1000).fit(woe[selected].to_numpy(), y)
        betas = dict(zip(selected, (float(b) for b in model.coef_[0]), strict=True))
        wrong = [v for v in selected if betas[v] <= 0]
        if not wrong:
            return Scorecard(
                binnings, selected, excluded, float(model.intercept_[0]), betas, scaling
            )
        for name in wrong:
            excluded[name] = Exclusion("coefficient", betas[name])
        selected = [v for v in selected if v not in wrong]
    raise ScorecardError(
        _("No variable has an IV of at least %(iv)s: there is nothing to fit a scorecard on.")
        % {"iv": min_iv}
    )


# --- validation and stability --------------------------------------------------------------


def validation(target: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """KS = max |F_bad(s) − F_good(s)|, AUC = P(a good scores above a bad, ties counting
    half), Gini = 2·AUC − 1. Bads are 1; a higher score is better."""
    y = np.asarray(target, dtype=int)
    risk = -np.asarray(score, dtype=float)
    false_positive, true_positive, _thresholds = roc_curve(y, risk)
    auc = float(roc_auc_score(y, risk))
    return {
        "ks": float(np.max(true_positive - false_positive)),
        "auc": auc,
        "gini": 2 * auc - 1,
    }


@dataclass(frozen=True)
class PsiBin:
    lower: float | None
    upper: float | None
    expected: int
    actual: int
    expected_share: float
    actual_share: float
    psi: float


@dataclass(frozen=True)
class Stability:
    bins: list[PsiBin]
    psi: float

    @property
    def band(self) -> Literal["stable", "watch", "shift"]:
        return psi_band(self.psi)


def psi_band(psi: float) -> Literal["stable", "watch", "shift"]:
    """< 0.1 stable, 0.1–0.25 watch, > 0.25 shift."""
    if psi < PSI_WATCH:
        return "stable"
    return "watch" if psi <= PSI_SHIFT else "shift"


def stability(expected: np.ndarray, actual: np.ndarray, *, bins: int = 10) -> Stability:
    """PSI = Σ (A_i − E_i) ln(A_i / E_i) over bins cut at the expected scores' quantiles
    ([lower, upper), fewer bins where scores repeat). A bin empty on one side counts
    ADJUSTMENT rows there, so that its term is finite. Works on any two score arrays: the
    fit's score against a month of live ratings, or two files."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if bins < 2:
        raise ScorecardError(_("PSI needs at least 2 bins."))
    if not len(e) or not len(a):
        raise ScorecardError(_("PSI needs scores on both sides."))
    cuts = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)[1:-1], method="higher"))
    cuts = cuts[cuts > e.min()]
    e_count = np.bincount(np.searchsorted(cuts, e, side="right"), minlength=len(cuts) + 1)
    a_count = np.bincount(np.searchsorted(cuts, a, side="right"), minlength=len(cuts) + 1)
    empty = (e_count == 0) | (a_count == 0)
    e_share = np.where(empty, e_count + ADJUSTMENT, e_count) / len(e)
    a_share = np.where(empty, a_count + ADJUSTMENT, a_count) / len(a)
    terms = (a_share - e_share) * np.log(a_share / e_share)
    bounds: list[float | None] = [None, *(float(c) for c in cuts), None]
    table = [
        PsiBin(
            bounds[i],
            bounds[i + 1],
            int(e_count[i]),
            int(a_count[i]),
            float(e_count[i] / len(e)),
            float(a_count[i] / len(a)),
            float(terms[i]),
        )
        for i in range(len(cuts) + 1)
    ]
    return Stability(table, float(terms.sum()))


# --- the report ----------------------------------------------------------------------------

Json = dict[str, object]


def rounded(value: float) -> float:
    """Six decimals, and never −0.0, so that a report reads and compares the same each run."""
    return round(float(value), 6) + 0.0


def _bound(value: float | None) -> float | None:
    return None if value is None else rounded(value)


def bin_document(b: Bin, *, numeric: bool) -> Json:
    where: Json = (
        {"lower": _bound(b.lower), "upper": _bound(b.upper)} if numeric else {"value": b.value}
    )
    return {
        "label": b.label,
        **where,
        "missing": b.missing,
        "count": b.count,
        "bad": b.bad,
        "good": b.good,
        "bad_rate": rounded(b.bad_rate),
        "woe": rounded(b.woe),
    }


def exclusion_document(exclusion: Exclusion) -> Json:
    if exclusion.reason == "iv":
        return {"reason": "iv", "iv": rounded(exclusion.value)}
    if exclusion.reason == "correlation":
        return {
            "reason": "correlation",
            "with": exclusion.other,
            "correlation": rounded(exclusion.value),
        }
    return {"reason": "coefficient", "coefficient": rounded(exclusion.value)}


def scorecard_document(card: Scorecard, *, metrics: dict[str, dict[str, float] | None]) -> Json:
    """The fit as JSON: `iv`, `woe`, `selected`, `points` and `metrics`, then what explains
    them (`excluded`, `coefficients`, `scaling`, `adjustment`). Variables by IV, strongest
    first; bins in order."""
    by_iv = sorted(card.binnings.values(), key=lambda b: (-b.iv, b.variable))
    scaling = card.scaling
    return {
        "iv": {b.variable: rounded(b.iv) for b in by_iv},
        "woe": {b.variable: [bin_document(x, numeric=b.numeric) for x in b.bins] for b in by_iv},
        "selected": list(card.selected),
        "points": {
            v: {label: rounded(p) for label, p in bins.items()} for v, bins in card.points().items()
        },
        "metrics": {
            part: None if values is None else {k: rounded(x) for k, x in values.items()}
            for part, values in metrics.items()
        },
        "excluded": {v: exclusion_document(e) for v, e in card.excluded.items()},
        "coefficients": {
            "intercept": rounded(card.intercept),
            **{v: rounded(card.coefficients[v]) for v in card.selected},
        },
        "scaling": {
            "base_score": rounded(scaling.base_score),
            "base_odds": rounded(scaling.base_odds),
            "pdo": rounded(scaling.pdo),
            "factor": rounded(scaling.factor),
            "offset": rounded(scaling.offset),
            "neutral_points": rounded(card.neutral_points()),
        },
        "adjustment": ADJUSTMENT,
    }


def stability_document(result: Stability) -> Json:
    return {
        "psi": rounded(result.psi),
        "band": result.band,
        "bins": [
            {
                "lower": _bound(b.lower),
                "upper": _bound(b.upper),
                "expected": b.expected,
                "actual": b.actual,
                "expected_share": rounded(b.expected_share),
                "actual_share": rounded(b.actual_share),
                "psi": rounded(b.psi),
            }
            for b in result.bins
        ],
    }
