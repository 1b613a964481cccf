"""The monthly stability report of the cards in use: the PSI of the score distribution of the
ratings in force on a card's published version at a month's end against its baseline month
(docs/scorecard.md).

- The ratings in force at a month's end: per customer, the latest approved rating on the
  card with a rating date in or before the month; counted if it is on the version.
- The baseline month: the first month with a rating on the version; its distribution is
  the ratings in force at its end.

One query per card and month, streamed (100,000 ratings are 100,000 tuples, no query per row).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Min

from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.ratings.choices import RatingStatus, VersionStatus
from credfile.ratings.models import Rating, Scorecard, ScorecardVersion, StabilityReport
from credfile.ratings.statistics import Stability, rounded, stability, stability_document


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(day: datetime.date) -> datetime.date:
    return month_start(month_start(day) - datetime.timedelta(days=1))


def parse_month(text: str) -> datetime.date:
    """YYYY-MM → its first day; ValueError otherwise."""
    return datetime.datetime.strptime(text, "%Y-%m").date()


def scores_in_force(version: ScorecardVersion, month: datetime.date) -> np.ndarray:
    """The scores of the ratings in force at the month's end that were scored on `version`."""
    latest: dict[int, tuple[int, Decimal]] = {}
    rows = (
        Rating.objects.filter(
            status=RatingStatus.APPROVED,
            version__scorecard_id=version.scorecard_id,
            as_of__lte=month_end(month),
        )
        .order_by("customer_id", "as_of", "proposed_at", "id")
        .values_list("customer_id", "version_id", "score")
    )
    for customer_id, version_id, score in rows.iterator(chunk_size=5000):
        latest[customer_id] = (version_id, score)
    return np.array(
        [float(score) for version_id, score in latest.values() if version_id == version.pk],
        dtype=float,
    )


def baseline_month(version: ScorecardVersion) -> datetime.date | None:
    first = Rating.objects.filter(version=version, status=RatingStatus.APPROVED).aggregate(
        first=Min("as_of")
    )["first"]
    return None if first is None else month_start(first)


@dataclass(frozen=True)
class MonthStability:
    scorecard: Scorecard
    version: ScorecardVersion
    month: datetime.date
    baseline_month: datetime.date
    ratings: int
    baseline_ratings: int
    result: Stability

    def as_dict(self) -> dict[str, Any]:
        return {
            "scorecard": self.scorecard.key,
            "version": self.version.number,
            "month": f"{self.month:%Y-%m}",
            "baseline_month": f"{self.baseline_month:%Y-%m}",
            "ratings": self.ratings,
            "baseline_ratings": self.baseline_ratings,
            **stability_document(self.result),
        }


def month_stability(version: ScorecardVersion, month: datetime.date) -> MonthStability | None:
    """The card version's PSI for `month` against its baseline; None before the baseline or
    without ratings in force on the version."""
    base = baseline_month(version)
    if base is None or month < base:
        return None
    expected = scores_in_force(version, base)
    actual = expected if month == base else scores_in_force(version, month)
    if not len(expected) or not len(actual):
        return None
    return MonthStability(
        version.scorecard,
        version,
        month,
        base,
        len(actual),
        len(expected),
        stability(expected, actual),
    )


def published_versions() -> list[ScorecardVersion]:
    return list(
        ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("scorecard")
        .order_by("scorecard__customer_kind", "scorecard__key")
    )


def stability_for(month: datetime.date) -> list[MonthStability]:
    """Each card in use, for `month`."""
    found = [month_stability(v, month) for v in published_versions()]
    return [m for m in found if m is not None]


def stability_record(*, today: datetime.date) -> dict[str, int]:
    """The monthly job: the report of the last complete month for each card in use, once
    (a month already recorded is left as it is)."""
    month = previous_month(today)
    recorded = skipped = 0
    done = set(StabilityReport.objects.filter(month=month).values_list("scorecard_id", flat=True))
    for item in stability_for(month):
        if item.scorecard.pk in done:
            skipped += 1
            continue
        try:
            with transaction.atomic():
                report = StabilityReport.objects.create(
                    scorecard=item.scorecard,
                    version=item.version,
                    month=month,
                    baseline_month=item.baseline_month,
                    ratings=item.ratings,
                    baseline_ratings=item.baseline_ratings,
                    psi=Decimal(str(rounded(item.result.psi))),
                    band=item.result.band,
                    bins=stability_document(item.result)["bins"],
                )
                audit_record(
                    actor=None,
                    action=AuditAction.CREATE,
                    obj=report,
                    after={
                        "scorecard": item.scorecard.key,
                        "version": item.version.number,
                        "month": f"{month:%Y-%m}",
                        "psi": str(report.psi),
                        "band": report.band,
                    },
                )
        except IntegrityError:
            # Recorded meanwhile by another run.
            skipped += 1
            continue
        recorded += 1
    return {"recorded": recorded, "skipped": skipped}
