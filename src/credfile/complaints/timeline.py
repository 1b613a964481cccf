"""Complaints on the file's timeline (`customers/timeline.py`): each at its receipt."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credfile.complaints.models import Complaint
from credfile.core.permissions import Section as Policy
from credfile.customers.timeline import (
    Before,
    TimelineEntry,
    before_filter,
    person,
    register_timeline_source,
    shorten,
)

KIND = "complaint"


def complaint_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's complaints before the keyset, on `complaint_customer_idx`."""
    rows = (
        Complaint.objects.filter(customer_id=customer.pk)
        .filter(before_filter("received_at", KIND, before))
        .select_related("owner")
        .order_by("-received_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=c.pk,
            when=c.received_at,
            title=gettext("Complaint (%(severity)s): %(status)s")
            % {"severity": c.get_severity_display(), "status": c.get_status_display()},
            summary=shorten(c.summary),
            url=reverse("complaints:detail", args=[c.pk]),
            actor=person(c.owner),
        )
        for c in rows
    ]


def register() -> None:
    register_timeline_source(
        KIND,
        _("Complaints"),
        Policy.COMPLAINTS,
        complaint_entries,
        order=30,
        icon="chat-square-text",
    )
