"""Reads of the review process, always through the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from credfile.core.permissions import (
    Action,
    Section,
    customer_scope,
    record_scope,
    review_queue_filter,
)
from credfile.customers.models import Customer
from credfile.reviews import rules
from credfile.reviews.choices import QueueState
from credfile.reviews.models import Notification, Review, ReviewPolicy, ReviewSchedule

# Files due within this many days count as due (and overdue ones as overdue).
DUE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class QueueFilters:
    state: str = QueueState.OPEN
    department: int | None = None
    risk: str = ""


def queue_base(*, user: Any) -> QuerySet[ReviewSchedule]:
    """The review states of the files in the user's review queue.

    Department heads see their department, account managers the files they manage, credit
    managers, executives and auditors every department. The file's own scope is always
    applied too (a usage grant does not put a file in anyone's queue).
    """
    scope = customer_scope(user, Action.VIEW, prefix="customer__", grants=False)
    qs = ReviewSchedule.objects.filter(scope)
    # The copies of department and manager let the database walk one index in date order.
    return qs.filter(review_queue_filter(user))


def _state_filter(state: str, today: datetime.date) -> Q:
    due_until = today + datetime.timedelta(days=DUE_WINDOW_DAYS)
    if state == QueueState.OVERDUE:
        return Q(next_review_on__lt=today)
    if state == QueueState.DUE:
        return Q(next_review_on__gte=today, next_review_on__lte=due_until)
    if state == QueueState.OPEN:
        return Q(next_review_on__lte=due_until)
    return Q()


def review_queue(
    *, user: Any, filters: QueueFilters, today: datetime.date | None = None
) -> QuerySet[ReviewSchedule]:
    """Files due or overdue for review in the user's scope; order by next_review_on."""
    today = today or timezone.localdate()
    qs = queue_base(user=user).filter(_state_filter(filters.state, today))
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.risk:
        qs = qs.filter(risk=filters.risk)
    return qs.select_related("customer", "account_manager", "department")


def queue_counts(*, user: Any, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    due_until = today + datetime.timedelta(days=DUE_WINDOW_DAYS)
    return queue_base(user=user).aggregate(
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
        due=Count("pk", filter=Q(next_review_on__gte=today, next_review_on__lte=due_until)),
    )


def schedule_for(*, customer: Customer) -> ReviewSchedule | None:
    """The review state of a file the caller has already fetched through its scope."""
    return ReviewSchedule.objects.filter(customer_id=customer.pk).first()


def customer_reviews(*, customer: Customer) -> QuerySet[Review]:
    """The reviews of a file the caller has already fetched through its scope."""
    return Review.objects.filter(customer_id=customer.pk).select_related("reviewer")


def review_queryset(*, user: Any) -> QuerySet[Review]:
    return Review.objects.filter(record_scope(user, Section.REVIEWS))


def policy_queryset() -> QuerySet[ReviewPolicy]:
    """Policies are company-wide settings: every signed-in user may read them."""
    return ReviewPolicy.objects.order_by("-is_active", "basis", "value", "-id")


def notifications_for(*, user: Any, limit: int = 10) -> list[Notification]:
    return list(Notification.objects.filter(recipient_id=user.pk).order_by("-id")[:limit])


@dataclass(frozen=True)
class QualityLine:
    label: str
    weight: int
    ok: bool
    problem: str


def quality_parts(schedule: ReviewSchedule) -> list[QualityLine]:
    return [
        QualityLine(str(p.label), p.weight, bool(getattr(schedule, p.field)), str(p.problem))
        for p in rules.QUALITY_PARTS
    ]
