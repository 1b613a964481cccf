"""The service records and notes on the file's timeline (`customers/timeline.py`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
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
from credfile.interactions.models import Note, ServiceRecord

SERVICE = "service"
NOTE = "note"


def service_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's service records before the keyset, on `service_customer_idx`."""
    url = reverse("customers:section", args=[customer.pk, Policy.SERVICES])
    rows = (
        ServiceRecord.objects.filter(customer_id=customer.pk)
        .filter(before_filter("occurred_at", SERVICE, before))
        .select_related("handled_by")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=SERVICE,
            id=r.pk,
            when=r.occurred_at,
            title=f"{r.get_kind_display()} · {r.get_channel_display()}",
            summary=shorten(r.content + (f" → {r.result}" if r.result else "")),
            url=url,
            actor=person(r.handled_by),
        )
        for r in rows
    ]


def note_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's notes before the keyset, on `note_customer_idx` (a note has a date only)."""
    url = reverse("customers:section", args=[customer.pk, Policy.NOTES])
    rows = (
        Note.objects.filter(customer_id=customer.pk)
        .filter(before_filter("dated", NOTE, before, dates=True))
        .select_related("author")
        .order_by("-dated", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=NOTE,
            id=n.pk,
            when=day_start(n.dated),
            title=f"{n.get_kind_display()}: {n.subject}",
            summary=shorten(n.body),
            url=url,
            actor=person(n.author),
            all_day=True,
        )
        for n in rows
    ]


def register() -> None:
    register_timeline_source(
        SERVICE, _("Service records"), Policy.SERVICES, service_entries, order=10, icon="headset"
    )
    register_timeline_source(
        NOTE, _("Notes"), Policy.NOTES, note_entries, order=20, icon="journal-text"
    )
