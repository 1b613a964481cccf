from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messages are asserted in English: commands pick their language from the environment,
    the core speaks the active language."""
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    with translation.override("en"):
        yield


def known_effects(rows: int = 4000, seed: int = 20261203) -> pd.DataFrame:
    """Customers whose bad flag follows a logistic model with known effects: A strong, B
    weaker, C none; D categorical, "north" riskier and "south" safer than "east"."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.normal(size=rows), rng.normal(size=rows), rng.normal(size=rows)
    d = rng.choice(["north", "south", "east"], size=rows)
    log_odds = -1.5 + 1.2 * a + 0.4 * b + np.select([d == "north", d == "south"], [0.8, -0.6], 0)
    bad = (rng.random(rows) < 1 / (1 + np.exp(-log_odds))).astype(int)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "bad": bad})


@pytest.fixture
def known_effects_csv(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    known_effects().to_csv(path, index=False)
    return path
