"""Collection actions on the file's timeline (`customers/timeline.py`)."""

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
from credfile.followup.models import CollectionAction

KIND = "collection"


def collection_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's collection actions before the keyset, on `collection_customer_idx`."""
    rows = (
        CollectionAction.objects.filter(customer_id=customer.pk)
        .filter(before_filter("action_date", KIND, before, dates=True))
        .select_related("recorded_by", "invoice")
        .order_by("-action_date", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=a.pk,
            when=day_start(a.action_date),
            title=gettext("%(action)s on invoice %(number)s")
            % {"action": a.get_kind_display(), "number": a.invoice.number},
            summary=shorten(a.note),
            url=reverse("followup:invoice-actions", args=[customer.pk, a.invoice_id]),
            actor=person(a.recorded_by),
            all_day=True,
        )
        for a in rows
    ]


def register() -> None:
    register_timeline_source(
        KIND,
        _("Collection actions"),
        Policy.TRANSACTIONS,
        collection_entries,
        order=40,
        icon="telephone-outbound",
    )
