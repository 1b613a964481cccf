"""Reads of complaints: only what the user may see, in the query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from credfile.complaints.choices import OPEN_STATUSES
from credfile.complaints.models import Complaint, ComplaintEvent
from credfile.core.permissions import (
    Section,
    complaint_change_scope,
    complaint_list_scope,
    record_scope,
    scope_flag,
)


@dataclass(frozen=True)
class ComplaintFilters:
    status: str = ""
    severity: str = ""


def complaint_list(*, user: Any, filters: ComplaintFilters | None = None) -> QuerySet[Complaint]:
    """The complaints of the user's work list: open ones unless a status is asked for."""
    filters = filters or ComplaintFilters()
    qs = Complaint.objects.filter(complaint_list_scope(user))
    qs = qs.filter(status=filters.status) if filters.status else qs.filter(status__in=OPEN_STATUSES)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    return qs.select_related("customer", "owner")


def complaints_visible(*, user: Any) -> QuerySet[Complaint]:
    """Every complaint whose file's complaints section the user may see (grants included)."""
    return (
        Complaint.objects.filter(record_scope(user, Section.COMPLAINTS))
        .annotate(may_transition=scope_flag(complaint_change_scope(user)))
        .select_related("customer", "owner", "recorded_by")
    )


def complaint_get(*, user: Any, pk: int) -> Complaint:
    complaint = complaints_visible(user=user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


def complaint_events(complaint: Complaint) -> list[ComplaintEvent]:
    return list(complaint.events.select_related("actor").order_by("occurred_at", "id"))
