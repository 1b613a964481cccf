"""`credfile scorecard fit DATA.csv --target COLUMN --out REPORT.json`,
`credfile scorecard psi EXPECTED.csv ACTUAL.csv [--column score] [--bins 10]` and
`credfile scorecard stability [--month YYYY-MM] [--json]`.

The statistics are in credfile/ratings/statistics.py, the fit (checks, split, report) in
credfile/ratings/fitting.py, which the fit page runs too (docs/scorecard.md)."""

from __future__ import annotations

import json
import unicodedata
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from credfile.core.commands import LocalizedCommand
from credfile.ratings.fitting import (
    MIN_BADS,
    FitOptions,
    check_options,
    fit_table,
    read_table,
    rows_phrase,
)
from credfile.ratings.statistics import (
    MAX_CORRELATION,
    MIN_IV,
    Scaling,
    ScorecardError,
    rounded,
    stability,
    stability_document,
)


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
            % {"path": path, "column": column, "count": len(wrong), "rows": rows_phrase(wrong)}
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

        stable = sub.add_parser(
            "stability",
            help=_(
                "PSI of the ratings in force on each scorecard in use for a month against its "
                "baseline month"
            ),
        )
        stable.add_argument(
            "--month",
            metavar="YYYY-MM",
            help=_("the month (default: the last complete month)"),
        )
        stable.add_argument("--json", action="store_true", help=_("output as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "fit":
                self._fit(options)
            elif options["subcommand"] == "stability":
                self._stability(options)
            else:
                self._psi(options)
        except ScorecardError as exc:
            raise CommandError(str(exc)) from exc

    def _fit(self, options: dict[str, Any]) -> None:
        fit_options = FitOptions(
            target=options["target"],
            exclude=tuple(options["exclude"]),
            test_size=options["test_size"],
            seed=options["seed"],
            scaling=Scaling(options["base_score"], options["base_odds"], options["pdo"]),
            min_iv=options["min_iv"],
            max_correlation=options["max_correlation"],
            min_bads=options["min_bads"],
        )
        check_options(fit_options)
        path: Path = options["data"]
        document = fit_table(
            read_table(path, str(path)), fit_options, name=path.name, shown=str(path)
        )
        data: dict[str, Any] = document["data"]  # type: ignore[assignment]
        metrics: dict[str, Any] = document["metrics"]  # type: ignore[assignment]
        selected: list[str] = document["selected"]  # type: ignore[assignment]
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
                "rows": data["train"]["rows"],
                "bads": data["train"]["bad"],
                "test": data["test"]["rows"],
                "selected": ", ".join(selected),
                "auc_train": f"{metrics['train']['auc']:.3f}",
                "auc_test": f"{metrics['test']['auc']:.3f}",
                "ks_test": f"{metrics['test']['ks']:.3f}",
                "out": out,
            }
        )

    def _stability(self, options: dict[str, Any]) -> None:
        # Imported here: fit and psi run without a database.
        from django.utils import timezone

        from credfile.ratings.stability import parse_month, previous_month, stability_for

        if options["month"]:
            try:
                month = parse_month(options["month"])
            except ValueError:
                raise CommandError(
                    _("--month: write the month as YYYY-MM, e.g. 2026-11.")
                ) from None
        else:
            month = previous_month(timezone.localdate())
        found = stability_for(month)
        if options["json"]:
            self.stdout.write(
                json.dumps([m.as_dict() for m in found], ensure_ascii=False, indent=2)
            )
            return
        if not found:
            self.stdout.write(
                _("%(month)s: no scorecard in use has ratings in force on its version.")
                % {"month": f"{month:%Y-%m}"}
            )
            return
        for item in found:
            self.stdout.write(
                _(
                    "%(card)s v%(version)s, %(month)s: %(ratings)s ratings against %(baseline)s "
                    "of %(baseline_month)s — PSI %(psi)s: %(band)s."
                )
                % {
                    "card": item.scorecard.display_name,
                    "version": item.version.number,
                    "month": f"{month:%Y-%m}",
                    "ratings": item.ratings,
                    "baseline": item.baseline_ratings,
                    "baseline_month": f"{item.baseline_month:%Y-%m}",
                    "psi": f"{item.result.psi:.4f}",
                    "band": self._bands()[item.result.band],
                }
            )

    @staticmethod
    def _bands() -> dict[str, str]:
        return {
            "stable": pgettext("psi band", "stable"),
            "watch": pgettext("psi band", "watch"),
            "shift": pgettext("psi band", "shift"),
        }

    def _psi(self, options: dict[str, Any]) -> None:
        column: str = options["column"]
        expected = numeric_column(
            read_table(options["expected"], str(options["expected"])), column, options["expected"]
        )
        actual = numeric_column(
            read_table(options["actual"], str(options["actual"])), column, options["actual"]
        )
        result = stability(expected, actual, bins=options["bins"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(stability_document(result), ensure_ascii=False, indent=2))
            return
        bands = self._bands()
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
