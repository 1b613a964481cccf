"""Limit requests on the file's timeline (`customers/timeline.py`)."""

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
    shorten,
)
from credfile.limits.models import LimitRequest

KIND = "limit_request"


def limit_request_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's limit requests before the keyset, on `limitrequest_customer_idx`."""
    url = reverse("customers:section", args=[customer.pk, Policy.LIMITS])
    rows = (
        LimitRequest.objects.filter(customer_id=customer.pk)
        .filter(before_filter("requested_at", KIND, before))
        .select_related("requested_by")
        .order_by("-requested_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=r.pk,
            when=r.requested_at,
            title=gettext("Credit limit of %(currency)s %(amount)s asked: %(status)s")
            % {
                "currency": r.currency,
                "amount": f"{r.amount:,.2f}",
                "status": r.get_status_display(),
            },
            summary=shorten(r.reason),
            url=url,
            actor=person(r.requested_by),
        )
        for r in rows
    ]


def register() -> None:
    register_timeline_source(
        KIND,
        _("Limit requests"),
        Policy.LIMITS,
        limit_request_entries,
        order=70,
        icon="shield-check",
    )
