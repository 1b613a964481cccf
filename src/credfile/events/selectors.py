"""Reads of customer events: only what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from credfile.core.permissions import (
    Section,
    event_change_scope,
    event_scope,
    event_view_scope,
    record_scope,
)
from credfile.events.choices import TAKING_A_PLACE, InvitationStatus
from credfile.events.models import CustomerEvent, Invitation


@dataclass(frozen=True)
class EventFilters:
    status: str = ""
    kind: str = ""
    q: str = ""


def event_list(*, user: Any, filters: EventFilters | None = None) -> QuerySet[CustomerEvent]:
    """The events the user sees, with their places taken (every invitation counts, whoever
    may see its file: a place is a place)."""
    filters = filters or EventFilters()
    rows = CustomerEvent.objects.filter(event_scope(user)).select_related("department")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.filter(Q(title__icontains=filters.q) | Q(place__icontains=filters.q))
    return rows.annotate(
        taken=Count("invitations", filter=Q(invitations__status__in=TAKING_A_PLACE)),
        came=Count("invitations", filter=Q(invitations__status=InvitationStatus.ATTENDED)),
    )


def event_get(*, user: Any, pk: int) -> CustomerEvent:
    """One event the user sees (else 404), with `can_change`."""
    event = (
        CustomerEvent.objects.filter(event_view_scope(user), pk=pk)
        .select_related("department")
        .annotate(
            taken=Count("invitations", filter=Q(invitations__status__in=TAKING_A_PLACE)),
            came=Count("invitations", filter=Q(invitations__status=InvitationStatus.ATTENDED)),
        )
        .first()
    )
    if event is None:
        raise Http404
    event.can_change = CustomerEvent.objects.filter(  # type: ignore[attr-defined]
        event_change_scope(user), pk=pk
    ).exists()
    return event


def event_invitations(*, user: Any, event: CustomerEvent) -> QuerySet[Invitation]:
    """The event's invitations of the files whose events section the user may see."""
    return (
        event.invitations.filter(record_scope(user, Section.EVENTS))
        .select_related("customer", "invited_by")
        .order_by("customer__code", "id")
    )


def file_invitations(customer: Any, *, limit: int = 100) -> list[Invitation]:
    """A file's invitations, latest event first (the file's section; the file is the
    caller's, found through `customer_get`)."""
    return list(
        Invitation.objects.filter(customer_id=customer.pk)
        .select_related("event", "event__department")
        .order_by("-starts_at", "-id")[:limit]
    )
