"""The daily backup and which backups it keeps: the plan is a pure function of the times
the backups were taken and of now, so a moved clock tests it."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from credfile.backups.jobs import prune, taken_at
from credfile.backups.models import Backup
from credfile.backups.plan import retention_plan
from credfile.backups.selectors import last_backup
from credfile.reviews.jobs import run_due
from credfile.reviews.models import JobRun

UTC = datetime.UTC


def _at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 5, tzinfo=UTC)


def test_daily_backups_for_a_year_keep_7_days_4_weeks_and_12_months() -> None:
    start = datetime.date(2025, 1, 1)
    taken = [_at(start + datetime.timedelta(days=n)) for n in range(400)]
    now = taken[-1] + datetime.timedelta(hours=1)  # 2026-02-04, a Wednesday
    kept, dropped = retention_plan(taken, now=now, keep="7d,4w,12m")
    days = sorted(t.date() for t in kept)
    # The last 7 days (29 January to today); the newest of each of the 4 weeks from this
    # one (Sundays 18 and 25 January, 1 February in the 7 days); the newest of each of the
    # 12 months from this one: the last days of March to December 2025 (31 January and
    # today are in the days).
    assert days[-7:] == [now.date() - datetime.timedelta(days=n) for n in range(6, -1, -1)]
    weeks = {datetime.date(2026, 1, 18), datetime.date(2026, 1, 25)}
    months = {datetime.date(2025, m + 1, 1) - datetime.timedelta(days=1) for m in range(3, 12)}
    months |= {datetime.date(2025, 12, 31)}
    assert set(days) == set(days[-7:]) | weeks | months
    assert len(kept) + len(dropped) == 400 and len(kept) == 7 + 2 + 10


def test_the_newest_of_a_day_is_the_one_kept_and_a_backup_from_the_future_stays() -> None:
    day = datetime.date(2026, 3, 10)
    morning, evening = _at(day, 1), _at(day, 23)
    future = _at(day + datetime.timedelta(days=3))
    kept, dropped = retention_plan(
        [morning, evening, future], now=_at(day, 23) + datetime.timedelta(minutes=1), keep="1d"
    )
    assert kept == {evening, future} and dropped == {morning}


def test_moving_the_clock_on_drops_backups_as_they_age() -> None:
    taken = [_at(datetime.date(2026, 5, d)) for d in range(1, 11)]
    kept, _dropped = retention_plan(taken, now=_at(datetime.date(2026, 5, 10), 12), keep="3d")
    assert len(kept) == 3
    kept, _dropped = retention_plan(taken, now=_at(datetime.date(2026, 5, 30), 12), keep="3d")
    assert kept == set()
    kept, _dropped = retention_plan(taken, now=_at(datetime.date(2026, 5, 30), 12), keep="3d,1m")
    assert kept == {taken[-1]}


@pytest.mark.parametrize("plan", ["", "7x", "0d", "7d,7d", "seven"])
def test_a_plan_it_cannot_read_stops_it(plan: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="CREDFILE_BACKUP_KEEP"):
        retention_plan([], now=_at(datetime.date(2026, 1, 1)), keep=plan)


def test_pruning_deletes_only_the_scheduled_backups_the_plan_drops(tmp_path: Path) -> None:
    names = [f"credfile-202605{d:02d}T000500123456Z.cfbak" for d in range(1, 6)]
    for name in [*names, "hand-made.cfbak"]:
        (tmp_path / name).write_bytes(b"x")
    deleted = prune(tmp_path, now=_at(datetime.date(2026, 5, 5), 12), keep="2d")
    assert deleted == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == [*names[3:], "hand-made.cfbak"]
    assert taken_at(tmp_path / names[3]) == datetime.datetime(
        2026, 5, 4, 0, 5, 0, 123456, tzinfo=UTC
    )


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_writes_a_backup_records_it_and_runs_once_a_day(
    settings: Any, personas: Any
) -> None:
    today = datetime.date(2026, 6, 1)
    (outcome,) = run_due(today=today, only=["backup.run"])
    assert outcome.status == "done", JobRun.objects.get(name="backup.run").summary
    record = last_backup()
    assert record is not None and record.ok and record.scheduled
    path = Path(record.path)
    assert path.parent == Path(settings.CREDFILE_BACKUP_DIR) and path.stat().st_size == record.size
    assert outcome.summary == {
        "path": str(path),
        "size": record.size,
        "sha256": record.sha256,
        "journal_synced": [],
        "deleted": [],
    }
    (again,) = run_due(today=today, only=["backup.run"])
    assert not again.ran and Backup.objects.count() == 1
    assert JobRun.objects.get(name="backup.run").status == "done"
    # The monitoring sees it: the time the last successful backup finished.
    from tests.monitoring.test_metrics import sample, scrape

    gauge = sample(scrape(), "credfile_backup_last_success_timestamp_seconds")
    assert gauge == pytest.approx(record.finished_at.timestamp())


@pytest.mark.django_db(transaction=True)
def test_a_failing_backup_is_recorded_and_retried(settings: Any, personas: Any) -> None:
    settings.CREDFILE_BACKUP_KEEP = "weekly"
    (outcome,) = run_due(today=datetime.date(2026, 6, 1), only=["backup.run"])
    assert outcome.status == "failed"
    assert "CREDFILE_BACKUP_KEEP" in JobRun.objects.get(name="backup.run").summary["error"]
    settings.CREDFILE_BACKUP_KEEP = "7d"
    (outcome,) = run_due(today=datetime.date(2026, 6, 1), only=["backup.run"])
    assert outcome.status == "done"
