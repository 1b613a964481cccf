"""Which scheduled backups to keep: CREDFILE_BACKUP_KEEP, e.g. "7d,4w,12m" keeps the newest
backup of each of the last 7 days, of each of the last 4 weeks and of each of the last 12
months (a backup may count for several); every other one goes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"d", "w", "m"}


def keep_parse(text: str) -> dict[str, int]:
    rules: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        match = re.fullmatch(r"(\d+)([dwm])", part)
        if not match or int(match.group(1)) < 1 or match.group(2) in rules:
            raise ImproperlyConfigured(
                f"CREDFILE_BACKUP_KEEP must be like '7d,4w,12m' (days, weeks, months), got {text!r}"
            )
        rules[match.group(2)] = int(match.group(1))
    if not rules:
        raise ImproperlyConfigured("CREDFILE_BACKUP_KEEP is empty: it would delete every backup")
    return rules


def _periods(unit: str) -> Callable[[datetime.date], tuple[int, int]]:
    if unit == "d":
        return lambda day: (day.toordinal(), 0)
    if unit == "w":
        return lambda day: (day.toordinal() - day.weekday(), 0)  # the Monday of its week
    return lambda day: (day.year, day.month)


def _back(unit: str, today: datetime.date, count: int) -> tuple[int, int]:
    """The oldest period still kept: `count` periods including today's."""
    if unit == "d":
        return ((today - datetime.timedelta(days=count - 1)).toordinal(), 0)
    if unit == "w":
        monday = today - datetime.timedelta(days=today.weekday())
        return ((monday - datetime.timedelta(weeks=count - 1)).toordinal(), 0)
    months = today.year * 12 + today.month - 1 - (count - 1)
    return (months // 12, months % 12 + 1)


def retention_plan(
    taken: Iterable[datetime.datetime], *, now: datetime.datetime, keep: str
) -> tuple[set[datetime.datetime], set[datetime.datetime]]:
    """(to keep, to delete) of the times backups were taken, as seen at `now` (aware
    times, compared in now's time zone). A backup from the future (a clock set back) is
    kept."""
    rules = keep_parse(keep)
    times = sorted(set(taken), reverse=True)
    today = now.date()
    kept = {t for t in times if t > now}
    for unit, count in rules.items():
        period = _periods(unit)
        oldest = _back(unit, today, count)
        seen: set[tuple[int, int]] = set()
        for moment in times:
            if moment > now:
                continue
            key = period(moment.astimezone(now.tzinfo).date())
            if key < oldest or key in seen:
                continue
            seen.add(key)
            kept.add(moment)
    return kept, set(times) - kept
