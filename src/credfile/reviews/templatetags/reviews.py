"""Review state on the credit file page."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.db.models import QuerySet
from django.utils import timezone

from credfile.reviews import selectors
from credfile.reviews.models import Review

register = template.Library()


@register.inclusion_tag("reviews/_file_status.html", takes_context=True)
def review_status(context: template.Context, customer: Any) -> dict[str, Any]:
    """Next review date, risk and data quality of a file the page has fetched in scope."""
    schedule = selectors.schedule_for(customer=customer)
    today = timezone.localdate()
    parts = selectors.quality_parts(schedule) if schedule is not None else []
    return {
        "customer": customer,
        "schedule": schedule,
        "missing": [p for p in parts if not p.ok],
        "today": today,
        "due_until": today + datetime.timedelta(days=selectors.DUE_WINDOW_DAYS),
        "can_review": bool(context.get("can_change")),
    }


@register.simple_tag
def customer_reviews(customer: Any) -> QuerySet[Review]:
    return selectors.customer_reviews(customer=customer)[:100]
