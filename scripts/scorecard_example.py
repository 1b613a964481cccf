"""Write a synthetic CSV of past customers for `credfile scorecard fit`, with known effects.

    .venv/bin/python scripts/scorecard_example.py example.csv [--rows 10000] [--seed 7]
    .venv/bin/python scripts/scorecard_example.py scores.csv --scores [--shift 0.3]

The bad flag (`bad`, 1 = 90+ days past due within 12 months) follows a logistic model:
`days_late` (strong, rising risk), `equity_ratio` (medium, falling risk, 3 % missing),
`years_known` (weak, falling), `region` (categorical: north riskier, south safer), `industry`
(categorical, weak), and five variables with no effect at all: `noise_1` … `noise_4` and
`customer_id` (an ID, to be left out with --exclude). With --scores it writes one column
`score` of scores (normal, mean 600 + 40 × shift, sd 50) for `credfile scorecard psi`.
Needs only numpy and pandas.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd


def example(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days_late = rng.gamma(2.0, 10.0, rows).round(0)
    equity_ratio = rng.normal(0.35, 0.15, rows).round(3)
    years_known = rng.integers(0, 20, rows)
    region = rng.choice(["north", "south", "east", "west"], rows, p=[0.3, 0.3, 0.2, 0.2])
    industry = rng.choice(["C", "F", "G", "I", "K"], rows)
    log_odds = (
        -2.2
        + 0.06 * (days_late - 20)
        - 4.0 * (equity_ratio - 0.35)
        - 0.05 * (years_known - 10)
        + np.select([region == "north", region == "south"], [0.6, -0.5], 0.0)
        + np.where(industry == "F", 0.25, 0.0)
    )
    bad = (rng.random(rows) < 1 / (1 + np.exp(-log_odds))).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "days_late": days_late,
            "equity_ratio": equity_ratio,
            "years_known": years_known,
            "region": region,
            "industry": industry,
            **{f"noise_{i}": rng.normal(0, 1, rows).round(4) for i in range(1, 5)},
            "bad": bad,
        }
    )
    frame.loc[rng.random(rows) < 0.03, "equity_ratio"] = np.nan
    return frame


def scores(rows: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(600 + 40 * shift, 50, rows).round(1)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scores", action="store_true", help="write a score column instead")
    parser.add_argument("--shift", type=float, default=0.0, help="with --scores: move them")
    args = parser.parse_args()
    frame = (
        scores(args.rows, args.seed, args.shift) if args.scores else example(args.rows, args.seed)
    )
    frame.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
