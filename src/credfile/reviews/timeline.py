"""Completed periodic reviews on the file's timeline (`customers/timeline.py`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credfile.core.permissions import Section as Policy
from credfile.customers.timeline import (
    Before,
    TimelineEntry,
    before_filter,
    day_start,
    person,
    register_timeline_source,
    shorten,
)
from credfile.reviews.models import Review

KIND = "review"


def review_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's reviews before the keyset, on `review_customer_idx`."""
    url = reverse("customers:section", args=[customer.pk, Policy.REVIEWS])
    rows = (
        Review.objects.filter(customer_id=customer.pk)
        .filter(before_filter("reviewed_on", KIND, before, dates=True))
        .select_related("reviewer")
        .order_by("-reviewed_on", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=r.pk,
            when=day_start(r.reviewed_on),
            title=gettext("Periodic review: %(conclusion)s")
            % {"conclusion": r.get_conclusion_display()},
            summary=shorten(r.findings),
            url=url,
            actor=person(r.reviewer),
            all_day=True,
        )
        for r in rows
    ]


def register() -> None:
    register_timeline_source(
        KIND, _("Reviews"), Policy.REVIEWS, review_entries, order=50, icon="clipboard-check"
    )
