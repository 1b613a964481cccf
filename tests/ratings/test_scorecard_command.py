"""`credfile scorecard fit` and `credfile scorecard psi`: the report, and every bad input
refused with a message naming the problem."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.ratings.conftest import known_effects

REPORT_KEYS = {
    "iv",
    "woe",
    "selected",
    "points",
    "metrics",
    "excluded",
    "coefficients",
    "scaling",
    "adjustment",
    "data",
    "charts",
}


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("scorecard", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def failure(*args: Any) -> str:
    with pytest.raises(CommandError) as exc:
        run(*args)
    return str(exc.value)


def fit(data: Path, out: Path, *extra: Any) -> dict[str, Any]:
    run("fit", data, "--target", "bad", "--out", out, *extra)
    report: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return report


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "data.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# --- the report ----------------------------------------------------------------------------


def test_fit_writes_the_report(known_effects_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    printed = run("fit", known_effects_csv, "--target", "bad", "--out", out)
    report = json.loads(out.read_text("utf-8"))
    assert set(report) == REPORT_KEYS
    assert list(report)[:5] == ["iv", "woe", "selected", "points", "metrics"]
    assert list(report["iv"]) == ["A", "D", "B", "C"]  # strongest first
    assert report["iv"]["A"] > report["iv"]["B"] > report["iv"]["C"]
    assert report["selected"] == ["A", "D", "B"]
    assert report["excluded"]["C"]["reason"] == "iv"
    assert set(report["points"]) == {"A", "D", "B"}
    assert set(report["metrics"]) == {"train", "test"}
    for part in ("train", "test"):
        assert set(report["metrics"][part]) == {"ks", "auc", "gini"}
    assert report["metrics"]["test"]["auc"] > 0.7
    assert report["data"]["train"]["rows"] == 2800 and report["data"]["test"]["rows"] == 1200
    assert report["scaling"]["factor"] == 28.853901
    assert report["adjustment"] == 0.5
    assert "Selected: A, D, B." in printed
    assert f"Report: {out}" in printed


def test_bins_in_the_report(known_effects_csv: Path, tmp_path: Path) -> None:
    report = fit(known_effects_csv, tmp_path / "r.json")
    a = report["woe"]["A"]
    assert set(a[0]) == {
        "label", "lower", "upper", "missing", "count", "bad", "good", "bad_rate", "woe",
    }  # fmt: skip
    assert a[0]["lower"] is None and a[-1]["upper"] is None
    assert [b["upper"] for b in a[:-1]] == [b["lower"] for b in a[1:]]
    assert all(b["count"] == b["bad"] + b["good"] for b in a)
    assert all(b["count"] >= 0.05 * 2800 for b in a) and len(a) <= 8
    rates = [b["bad_rate"] for b in a]
    assert rates == sorted(rates)
    d = {b["value"]: b for b in report["woe"]["D"]}
    assert set(d) == {"east", "north", "south"}
    assert d["north"]["woe"] > 0 > d["south"]["woe"]
    assert report["points"]["D"]["north"] < report["points"]["D"]["south"]
    assert set(report["points"]["A"]) == {b["label"] for b in a}
    # Six decimals at most.
    assert all(round(b["woe"], 6) == b["woe"] for b in a)


def test_fit_is_deterministic_for_a_seed(known_effects_csv: Path, tmp_path: Path) -> None:
    run("fit", known_effects_csv, "--target", "bad", "--seed", 4, "--out", tmp_path / "1.json")
    run("fit", known_effects_csv, "--target", "bad", "--seed", 4, "--out", tmp_path / "2.json")
    run("fit", known_effects_csv, "--target", "bad", "--seed", 5, "--out", tmp_path / "3.json")
    first = (tmp_path / "1.json").read_bytes()
    assert first == (tmp_path / "2.json").read_bytes()
    assert first != (tmp_path / "3.json").read_bytes()


def test_scaling_options_move_the_points(known_effects_csv: Path, tmp_path: Path) -> None:
    base = fit(known_effects_csv, tmp_path / "a.json")
    moved = fit(
        known_effects_csv,
        tmp_path / "b.json",
        *("--base-score", 500, "--base-odds", 20, "--pdo", 40),
    )
    assert moved["scaling"]["factor"] == pytest.approx(2 * base["scaling"]["factor"], abs=1e-5)
    # Same fit, other scale: the spread of A's points doubles with the PDO.
    spread = [
        max(r["points"]["A"].values()) - min(r["points"]["A"].values()) for r in (base, moved)
    ]
    assert spread[1] == pytest.approx(2 * spread[0], rel=1e-5)
    assert moved["metrics"] == base["metrics"]


def test_excluded_columns_are_not_binned(known_effects_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(known_effects_csv)
    frame.insert(0, "customer_id", range(1, len(frame) + 1))
    report = fit(write(tmp_path, frame), tmp_path / "r.json", "--exclude", "customer_id")
    assert "customer_id" not in report["iv"]


# --- bad input -----------------------------------------------------------------------------


def test_no_target_column(known_effects_csv: Path, tmp_path: Path) -> None:
    message = failure("fit", known_effects_csv, "--target", "default", "--out", tmp_path / "r.json")
    assert 'has no target column "default"' in message
    assert "its columns are: A, B, C, D, bad" in message
    assert not (tmp_path / "r.json").exists()


def test_a_non_binary_target(tmp_path: Path) -> None:
    frame = known_effects()
    frame.loc[[3, 8], "bad"] = 2
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert 'The target column "bad" must be 0 (good) or 1 (bad) in every row' in message
    assert "2 rows are not (row 5, 10)" in message  # as a spreadsheet numbers them
    assert '"2"' in message


def test_a_target_with_text_or_gaps(tmp_path: Path) -> None:
    frame = known_effects().astype({"bad": object})
    frame.loc[0, "bad"] = "yes"
    frame.loc[1, "bad"] = None
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert "2 rows are not (row 2, 3)" in message and '"yes"' in message


def test_a_target_of_one_class(tmp_path: Path) -> None:
    frame = known_effects().assign(bad=0)
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert 'The target column "bad" has bad (1): 0, good (0): 4000;' in message
    assert "a fit needs at least 2 of each" in message
    frame.loc[7, "bad"] = 1
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert "bad (1): 1, good (0): 3999;" in message


def test_a_variable_with_one_value(tmp_path: Path) -> None:
    frame = known_effects().assign(country="CN")
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert 'The variable "country" has only one value (CN)' in message
    assert "--exclude country" in message
    run("fit", tmp_path / "data.csv", "--target", "bad", "--exclude", "country", "--out",
        tmp_path / "r")  # fmt: skip
    assert "country" not in json.loads((tmp_path / "r").read_text())["iv"]


def test_too_few_rows_for_the_bins(tmp_path: Path) -> None:
    frame = known_effects(rows=50)
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert "has too few rows" in message
    assert "at least 40 rows in the training part (2 bins of 20 rows)" in message
    assert "50 rows with --test-size 0.3 leave 35" in message


def test_too_few_bads(tmp_path: Path) -> None:
    frame = known_effects(rows=400)
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert "a statistical fit needs at least 100 (--min-bads)" in message
    assert "keep the expert scorecard" in message


def test_no_variable_reaches_the_iv_threshold(known_effects_csv: Path, tmp_path: Path) -> None:
    message = failure(
        "fit", known_effects_csv, "--target", "bad", "--min-iv", 5, "--out", tmp_path / "r"
    )
    assert "No variable has an IV of at least 5.0" in message


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--test-size", "1"], "--test-size must be between 0 and 1."),
        (["--pdo", "0"], "--base-odds and --pdo must be greater than 0."),
        (["--exclude", "nope"], 'has no column "nope"'),
    ],
)
def test_bad_options(
    known_effects_csv: Path, tmp_path: Path, options: list[str], problem: str
) -> None:
    message = failure(
        "fit", known_effects_csv, "--target", "bad", "--out", tmp_path / "r", *options
    )
    assert problem in message


def test_a_missing_or_empty_file(tmp_path: Path) -> None:
    assert "There is no file" in failure(
        "fit", tmp_path / "no.csv", "--target", "bad", "--out", "r"
    )
    (tmp_path / "empty.csv").write_text("")
    assert "is empty" in failure("fit", tmp_path / "empty.csv", "--target", "bad", "--out", "r")


def test_messages_are_translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "zh-hans")
    frame = known_effects().assign(country="CN")
    message = failure("fit", write(tmp_path, frame), "--target", "bad", "--out", tmp_path / "r")
    assert "country" in message and "--exclude country" in message
    assert "变量" in message and "variable" not in message


# --- psi -----------------------------------------------------------------------------------


def _scores(tmp_path: Path, name: str, mean: float, seed: int) -> Path:
    scores = np.random.default_rng(seed).normal(mean, 50, 2000).round(1)
    return write(tmp_path, pd.DataFrame({"id": range(2000), "score": scores}), name)


def test_psi_as_a_table(tmp_path: Path) -> None:
    expected = _scores(tmp_path, "expected.csv", 600, 1)
    same = _scores(tmp_path, "same.csv", 600, 2)
    lines = run("psi", expected, same).splitlines()
    assert lines[0].split() == ["from", "below", "expected", "actual", "expected", "%",
                                "actual", "%", "PSI"]  # fmt: skip
    assert len(lines) == 1 + 10 + 1
    assert lines[1].split()[0] == "-inf" and lines[10].split()[1] == "inf"
    assert lines[-1].startswith("PSI 0.0") and lines[-1].endswith(": stable.")


def test_psi_as_json_shows_a_shift(tmp_path: Path) -> None:
    expected = _scores(tmp_path, "expected.csv", 600, 1)
    moved = _scores(tmp_path, "moved.csv", 640, 2)
    result = json.loads(run("psi", expected, moved, "--format", "json", "--bins", 5))
    assert result["band"] == "shift" and result["psi"] > 0.25
    assert len(result["bins"]) == 5
    assert sum(b["expected"] for b in result["bins"]) == 2000
    assert result["psi"] == pytest.approx(sum(b["psi"] for b in result["bins"]), abs=1e-5)


def test_psi_bad_input(tmp_path: Path) -> None:
    expected = _scores(tmp_path, "expected.csv", 600, 1)
    other = write(tmp_path, pd.DataFrame({"rating": [1, 2]}), "other.csv")
    assert 'other.csv has no column "score"; its columns are: rating' in failure(
        "psi", expected, other
    )
    text = write(tmp_path, pd.DataFrame({"score": [600, "n/a", None]}), "text.csv")
    assert 'column "score" holds no number in 2 rows (row 3, 4)' in failure("psi", expected, text)
    assert "at least 2 bins" in failure("psi", expected, expected, "--bins", 1)
