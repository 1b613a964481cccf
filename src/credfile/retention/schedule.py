"""Date arithmetic of the schedule: a period in years and months, back from a day."""

from __future__ import annotations

import calendar
import datetime


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def months_after(day: datetime.date, months: int) -> datetime.date:
    return months_before(day, -months)


def latest_start_due(today: datetime.date, months: int) -> datetime.date:
    """The last start day whose period of `months` has run out by `today`: a record that
    started on it or before is due (`months_after(start, months) <= today`).

    On the last day of a month that is the last day of the month `months` earlier: every
    later start of that month reaches its day clamped to this month's end, so a file
    settled on 29 February is due on 28 February and listed on that day, not on 1 March.
    """
    cutoff = months_before(today, months)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        cutoff = cutoff.replace(day=calendar.monthrange(cutoff.year, cutoff.month)[1])
    return cutoff
