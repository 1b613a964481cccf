"""Reads of usage applications and grants, scoped to who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from credfile.access.choices import ApplicationStatus, FileSection
from credfile.access.models import AccessGrant, UsageApplication
from credfile.accounts.choices import Role
from credfile.core.permissions import Action, customer_scope
from credfile.customers.models import Customer

ALL_SECTIONS = frozenset(FileSection.values)


def active_grants(*, user: Any) -> QuerySet[AccessGrant]:
    now = timezone.now()
    return AccessGrant.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    )


@dataclass(frozen=True)
class FileAccess:
    """How a user reaches one file: through their role (all sections) or through a grant."""

    grant: AccessGrant | None
    sections: frozenset[str]
    can_reveal: bool

    @property
    def via_grant(self) -> bool:
        return self.grant is not None


def file_access(
    *, user: Any, customer: Customer, in_role_scope: bool | None = None
) -> FileAccess | None:
    """None when the user may not see the file at all. `in_role_scope`, when the caller
    already knows it, saves a query."""
    if in_role_scope is None:
        in_role_scope = Customer.objects.filter(
            customer_scope(user, Action.VIEW, grants=False), pk=customer.pk
        ).exists()
    if in_role_scope:
        return FileAccess(
            grant=None, sections=ALL_SECTIONS, can_reveal=can_reveal(user=user, customer=customer)
        )
    grant = (
        active_grants(user=user).filter(customer_id=customer.pk).order_by("-valid_until").first()
    )
    if grant is None:
        return None
    # Sealed values stay masked for a granted user: the grant is for a purpose, not a copy.
    return FileAccess(grant=grant, sections=frozenset(grant.sections), can_reveal=False)


def can_reveal(*, user: Any, customer: Customer) -> bool:
    """Whoever works the file in its own department may reveal its sensitive values."""
    return bool(
        user.is_authenticated
        and user.role in {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD}
        and user.department_id is not None
        and user.department_id == customer.department_id
    )


def application_queryset(*, user: Any) -> QuerySet[UsageApplication]:
    """Applicants see their own; executives the ones they may decide or decided; auditors all."""
    qs = UsageApplication.objects.select_related("customer", "applicant", "decided_by")
    if user.role in {Role.AUDITOR, Role.EXECUTIVE}:
        return qs
    return qs.filter(Q(applicant_id=user.pk))


def application_get(*, user: Any, pk: int) -> UsageApplication:
    application = application_queryset(user=user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def pending_for_decision(*, user: Any) -> QuerySet[UsageApplication]:
    if user.role != Role.EXECUTIVE:
        return UsageApplication.objects.none()
    return (
        application_queryset(user=user)
        .filter(status=ApplicationStatus.PENDING)
        .exclude(applicant_id=user.pk)
    )
