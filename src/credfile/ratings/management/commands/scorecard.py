"""`credfile scorecard fit DATA.csv --target COLUMN --out REPORT.json` and
`credfile scorecard psi EXPECTED.csv ACTUAL.csv [--column score] [--bins 10]`.

The statistics are in credfile/ratings/statistics.py; this command reads the files, checks
them, and writes the report (docs/scorecard.md)."""

from __future__ import annotations

import json
import math
import unicodedata
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from sklearn.model_selection import train_test_split

from credfile.core.commands import LocalizedCommand
from credfile.ratings.statistics import (
    MAX_CORRELATION,
    MIN_BIN_ROWS,
    MIN_IV,
    Scaling,
    ScorecardError,
    check_variable,
    fit_scorecard,
    rounded,
    scorecard_document,
    stability,
    stability_document,
    validation,
)

# Fewer bads make the fitted weights noise: keep the expert card (domain rule).
MIN_BADS = 100


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file in UTF-8 (with or without BOM), empty cells as missing values."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("There is no file %(path)s.") % {"path": path}) from None
    except pd.errors.EmptyDataError:
        raise CommandError(_("%(path)s is empty.") % {"path": path}) from None
    except (pd.errors.ParserError, UnicodeDecodeError, IsADirectoryError) as exc:
        raise CommandError(
            _("%(path)s is not a CSV file in UTF-8: %(error)s") % {"path": path, "error": exc}
        ) from None


def _rows_phrase(positions: np.ndarray) -> str:
    # Rows as a spreadsheet numbers them: the header is row 1.
    shown = ", ".join(str(int(p) + 2) for p in positions[:5])
    return shown + (" …" if len(positions) > 5 else "")


def binary_target(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    if column not in frame.columns:
        raise CommandError(
            _('%(path)s has no target column "%(column)s"; its columns are: %(columns)s.')
            % {"path": path, "column": column, "columns": ", ".join(map(str, frame.columns))}
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    wrong = np.flatnonzero(~values.isin([0, 1]).to_numpy())
    if len(wrong):
        first = frame[column].iloc[wrong[0]]
        raise CommandError(
            _(
                'The target column "%(column)s" must be 0 (good) or 1 (bad) in every row; '
                '%(count)s rows are not (row %(rows)s), e.g. "%(value)s".'
            )
            % {
                "column": column,
                "count": len(wrong),
                "rows": _rows_phrase(wrong),
                "value": "" if pd.isna(first) else first,
            }
        )
    target = values.to_numpy(dtype=int)
    bads = int(target.sum())
    if min(bads, len(target) - bads) < 2:
        raise CommandError(
            _(
                'The target column "%(column)s" has bad (1): %(bads)s, good (0): %(goods)s; '
                "a fit needs at least 2 of each, so that the training and the test part both "
                "have some."
            )
            % {"column": column, "bads": bads, "goods": len(target) - bads}
        )
    return target


def numeric_column(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    if column not in frame.columns:
        raise CommandError(
            _('%(path)s has no column "%(column)s"; its columns are: %(columns)s.')
            % {"path": path, "column": column, "columns": ", ".join(map(str, frame.columns))}
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    wrong = np.flatnonzero(values.isna().to_numpy())
    if len(wrong):
        raise CommandError(
            _('%(path)s: column "%(column)s" holds no number in %(count)s rows (row %(rows)s).')
            % {"path": path, "column": column, "count": len(wrong), "rows": _rows_phrase(wrong)}
        )
    if not len(values):
        raise CommandError(_("%(path)s has no rows.") % {"path": path})
    return values.to_numpy(dtype=float)


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Command(LocalizedCommand):
    # Files in, a file out: no database and no encrypted data, so it runs on a machine that
    # has neither (an analyst's), without the instance's checks.
    requires_system_checks: list[str] = []
    help = gettext_noop(
        "Fit a statistical scorecard on a CSV file of past customers with a bad/good target "
        "(fit), or compare two score distributions by their population stability index (psi)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        fit = sub.add_parser(
            "fit",
            help=_("bin the variables, select them, fit and scale a scorecard, write a report"),
        )
        fit.add_argument("data", type=Path, metavar="DATA.csv", help=_("one row per customer"))
        fit.add_argument(
            "--target", required=True, metavar="COLUMN", help=_("the column of 1 = bad, 0 = good")
        )
        fit.add_argument(
            "--out", type=Path, required=True, metavar="REPORT.json", help=_("the JSON report")
        )
        fit.add_argument(
            "--exclude",
            action="append",
            default=[],
            metavar="COLUMN",
            help=_("a column that is no variable (an ID, a date); may be repeated"),
        )
        fit.add_argument(
            "--test-size",
            type=float,
            default=0.3,
            dest="test_size",
            help=_("share of rows kept apart to test the card (default 0.3)"),
        )
        fit.add_argument(
            "--seed", type=int, default=1, help=_("seed of the train/test split (default 1)")
        )
        fit.add_argument(
            "--base-score",
            type=float,
            default=600.0,
            dest="base_score",
            help=_("score at the base odds (default 600)"),
        )
        fit.add_argument(
            "--base-odds",
            type=float,
            default=50.0,
            dest="base_odds",
            help=_("good:bad odds that score the base score (default 50)"),
        )
        fit.add_argument(
            "--pdo", type=float, default=20.0, help=_("points to double the odds (default 20)")
        )
        fit.add_argument(
            "--min-iv",
            type=float,
            default=MIN_IV,
            dest="min_iv",
            help=_("least IV of a selected variable (default 0.02)"),
        )
        fit.add_argument(
            "--max-correlation",
            type=float,
            default=MAX_CORRELATION,
            dest="max_correlation",
            help=_("largest |correlation| of a variable's WOE with one selected before (0.7)"),
        )
        fit.add_argument(
            "--min-bads",
            type=int,
            default=MIN_BADS,
            dest="min_bads",
            help=_("least bads in the training part (default 100)"),
        )
        psi = sub.add_parser(
            "psi", help=_("population stability index of ACTUAL's scores against EXPECTED's")
        )
        psi.add_argument("expected", type=Path, metavar="EXPECTED.csv")
        psi.add_argument("actual", type=Path, metavar="ACTUAL.csv")
        psi.add_argument("--column", default="score", help=_("the score column (default score)"))
        psi.add_argument(
            "--bins", type=int, default=10, help=_("bins cut at EXPECTED's quantiles (default 10)")
        )
        psi.add_argument(
            "--format", choices=["table", "json"], default="table", help=_("output format")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "fit":
                self._fit(options)
            else:
                self._psi(options)
        except ScorecardError as exc:
            raise CommandError(str(exc)) from exc

    def _fit(self, options: dict[str, Any]) -> None:
        test_size: float = options["test_size"]
        if not 0 < test_size < 1:
            raise CommandError(_("--test-size must be between 0 and 1."))
        if options["base_odds"] <= 0 or options["pdo"] <= 0:
            raise CommandError(_("--base-odds and --pdo must be greater than 0."))
        path: Path = options["data"]
        frame = read_csv(path)
        target = binary_target(frame, options["target"], path)
        for name in options["exclude"]:
            if name not in frame.columns:
                raise CommandError(
                    _('--exclude: %(path)s has no column "%(column)s".')
                    % {"path": path, "column": name}
                )
        variables = [
            c for c in frame.columns if c != options["target"] and c not in options["exclude"]
        ]
        if not variables:
            raise CommandError(_("%(path)s has no variable besides the target.") % {"path": path})
        # The split keeps the test part's share of rows, so check what remains to bin first.
        train_rows = len(frame) - math.ceil(test_size * len(frame))
        if train_rows < 2 * MIN_BIN_ROWS:
            raise CommandError(
                _(
                    "%(path)s has too few rows: binning needs at least %(needed)s rows in the "
                    "training part (2 bins of %(per_bin)s rows), and %(rows)s rows with "
                    "--test-size %(test_size)s leave %(train)s."
                )
                % {
                    "path": path,
                    "needed": 2 * MIN_BIN_ROWS,
                    "per_bin": MIN_BIN_ROWS,
                    "rows": len(frame),
                    "test_size": test_size,
                    "train": train_rows,
                }
            )
        for name in variables:
            check_variable(str(name), frame[name])
        train, test, y_train, y_test = train_test_split(
            frame[variables],
            target,
            test_size=test_size,
            random_state=options["seed"],
            stratify=target,
        )
        bads = int(y_train.sum())
        if bads < options["min_bads"]:
            raise CommandError(
                _(
                    "The training part holds %(bads)s bads; a statistical fit needs at least "
                    "%(min)s (--min-bads). Until there are, keep the expert scorecard."
                )
                % {"bads": bads, "min": options["min_bads"]}
            )
        card = fit_scorecard(
            train,
            y_train,
            scaling=Scaling(options["base_score"], options["base_odds"], options["pdo"]),
            min_iv=options["min_iv"],
            max_correlation=options["max_correlation"],
        )
        metrics = {
            "train": validation(y_train, card.score(train)),
            "test": validation(y_test, card.score(test)),
        }
        document = {
            **scorecard_document(card, metrics=dict(metrics)),
            "data": {
                "file": path.name,
                "target": options["target"],
                "seed": options["seed"],
                "test_size": test_size,
                "train": {"rows": len(train), "bad": bads},
                "test": {"rows": len(test), "bad": int(y_test.sum())},
            },
        }
        out: Path = options["out"]
        try:
            out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": out, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            _(
                "Fitted on %(rows)s rows (%(bads)s bads), tested on %(test)s. Selected: "
                "%(selected)s. AUC %(auc_train)s (train), %(auc_test)s (test); KS %(ks_test)s "
                "(test). Report: %(out)s"
            )
            % {
                "rows": len(train),
                "bads": bads,
                "test": len(test),
                "selected": ", ".join(card.selected),
                "auc_train": f"{metrics['train']['auc']:.3f}",
                "auc_test": f"{metrics['test']['auc']:.3f}",
                "ks_test": f"{metrics['test']['ks']:.3f}",
                "out": out,
            }
        )

    def _psi(self, options: dict[str, Any]) -> None:
        column: str = options["column"]
        expected = numeric_column(read_csv(options["expected"]), column, options["expected"])
        actual = numeric_column(read_csv(options["actual"]), column, options["actual"])
        result = stability(expected, actual, bins=options["bins"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(stability_document(result), ensure_ascii=False, indent=2))
            return
        bands = {
            "stable": pgettext("psi band", "stable"),
            "watch": pgettext("psi band", "watch"),
            "shift": pgettext("psi band", "shift"),
        }
        # A context of their own: "from" and the like mean other things on other pages.
        header = [
            pgettext("score bin", "from"),
            pgettext("score bin", "below"),
            pgettext("score bin", "expected"),
            pgettext("score bin", "actual"),
            pgettext("score bin", "expected %"),
            pgettext("score bin", "actual %"),
            "PSI",
        ]
        rows = [
            [
                "-inf" if b.lower is None else repr(rounded(b.lower)),
                "inf" if b.upper is None else repr(rounded(b.upper)),
                str(b.expected),
                str(b.actual),
                f"{100 * b.expected_share:.2f}",
                f"{100 * b.actual_share:.2f}",
                f"{b.psi:.4f}",
            ]
            for b in result.bins
        ]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(" " * (w - _width(v)) + v for v, w in zip(row, widths, strict=True))
            )
        self.stdout.write(
            _("PSI %(psi)s: %(band)s.") % {"psi": f"{result.psi:.4f}", "band": bands[result.band]}
        )
