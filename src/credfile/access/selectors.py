"""Reads of usage applications and grants, scoped to who may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from credfile.access.choices import ApplicationStatus, FileSection
from credfile.access.models import AccessGrant, UsageApplication
from credfile.core.permissions import (
    Action,
    can_decide_usage_applications,
    can_see_all_usage_applications,
    in_role_scope,
    scope_flag,
    usage_application_file_scope,
)
from credfile.customers.models import Customer

ALL_SECTIONS = frozenset(FileSection.values)


def active_grants(*, user: Any) -> QuerySet[AccessGrant]:
    now = timezone.now()
    return AccessGrant.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    )


def can_reveal(*, user: Any, customer: Customer) -> bool:
    """Whoever works the file in its own department may reveal its sensitive values."""
    return in_role_scope(user, Action.REVEAL, customer)


def application_queryset(*, user: Any) -> QuerySet[UsageApplication]:
    """Applicants see their own; executives the ones they may decide or decided; auditors all."""
    # Whether the reader may see the file's name, department and page (the decider reads
    # every file; an applicant only once granted), in the same query.
    qs = UsageApplication.objects.select_related(
        "customer__department", "applicant__department", "decided_by"
    ).annotate(file_visible=scope_flag(usage_application_file_scope(user)))
    if can_see_all_usage_applications(user):
        return qs
    return qs.filter(Q(applicant_id=user.pk))


def application_get(*, user: Any, pk: int) -> UsageApplication:
    application = application_queryset(user=user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def pending_for_decision(*, user: Any) -> QuerySet[UsageApplication]:
    if not can_decide_usage_applications(user):
        return UsageApplication.objects.none()
    return (
        application_queryset(user=user)
        .filter(status=ApplicationStatus.PENDING)
        .exclude(applicant_id=user.pk)
    )
