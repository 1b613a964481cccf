"""The schedule's date arithmetic: the last start day whose period has run out."""

from __future__ import annotations

import datetime

import pytest

from credfile.retention.schedule import latest_start_due, months_after

D = datetime.date


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        (D(2025, 2, 28), 60, D(2020, 2, 29)),
        (D(2025, 2, 27), 60, D(2020, 2, 27)),
        (D(2025, 3, 1), 60, D(2020, 3, 1)),
        (D(2025, 2, 28), 1, D(2025, 1, 31)),
        (D(2024, 2, 29), 1, D(2024, 1, 31)),
        (D(2024, 2, 28), 1, D(2024, 1, 28)),
        (D(2025, 4, 30), 1, D(2025, 3, 31)),
        (D(2025, 3, 31), 1, D(2025, 2, 28)),
        (D(2025, 5, 15), 12, D(2024, 5, 15)),
    ],
)
def test_the_cutoff_is_the_last_start_due_on_the_day(
    today: datetime.date, months: int, cutoff: datetime.date
) -> None:
    assert latest_start_due(today, months) == cutoff


@pytest.mark.parametrize("months", [1, 11, 12, 13, 60, 120])
def test_every_start_is_due_exactly_on_its_due_day(months: int) -> None:
    today = D(2027, 1, 1)
    while today < D(2029, 12, 31):
        cutoff = latest_start_due(today, months)
        assert months_after(cutoff, months) <= today
        assert months_after(cutoff + datetime.timedelta(days=1), months) > today
        today += datetime.timedelta(days=1)
