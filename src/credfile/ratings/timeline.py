"""Credit ratings on the file's timeline (`customers/timeline.py`): each at its proposal."""

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
    person,
    register_timeline_source,
)
from credfile.ratings.models import Rating

KIND = "rating"


def rating_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's ratings before the keyset, on `rating_history`."""
    url = reverse("customers:section", args=[customer.pk, Policy.RATINGS])
    rows = (
        Rating.objects.filter(customer_id=customer.pk)
        .filter(before_filter("proposed_at", KIND, before))
        .select_related("proposed_by")
        .defer("basis")
        .order_by("-proposed_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=r.pk,
            when=r.proposed_at,
            title=gettext("Credit grade %(grade)s (score %(score)s)")
            % {"grade": r.grade, "score": r.score},
            summary=r.get_status_display(),
            url=url,
            actor=person(r.proposed_by),
        )
        for r in rows
    ]


def register() -> None:
    register_timeline_source(
        KIND, _("Credit ratings"), Policy.RATINGS, rating_entries, order=60, icon="speedometer2"
    )
