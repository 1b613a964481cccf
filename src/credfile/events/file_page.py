"""The events section of the file page (the customer's invitations and attendance) and the
events on the file's timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.customers.timeline import (
    Before,
    TimelineEntry,
    before_filter,
    person,
    register_timeline_source,
)
from credfile.events.models import Invitation
from credfile.events.selectors import file_invitations

KIND = "event"


def _events(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {"invitations": file_invitations(customer)}


def event_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's invitations before the keyset, at their event's start, on
    `invitation_customer_idx`."""
    rows = (
        Invitation.objects.filter(customer_id=customer.pk)
        .filter(before_filter("starts_at", KIND, before))
        .select_related("event", "invited_by")
        .order_by("-starts_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=i.pk,
            when=i.starts_at,
            title=f"{i.event.get_kind_display()}: {i.event.title}",
            summary=gettext("%(status)s · %(place)s · event %(event_status)s")
            % {
                "status": i.get_status_display(),
                "place": i.event.place,
                "event_status": i.event.get_status_display(),
            },
            url=reverse("events:detail", args=[i.event_id]),
            actor=person(i.invited_by),
        )
        for i in rows
    ]


def register() -> None:
    register_section(
        Section(
            slug=Policy.EVENTS,
            title=_("Events"),
            template="events/section.html",
            order=48,
            context=_events,
            counted=Invitation,
        )
    )
    register_timeline_source(
        KIND, _("Customer events"), Policy.EVENTS, event_entries, order=80, icon="calendar-event"
    )
