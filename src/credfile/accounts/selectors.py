"""Reads of API tokens and privilege changes, scoped to who may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from knox.models import AuthToken

from credfile.accounts.choices import PrivilegeChangeStatus
from credfile.accounts.models import PrivilegeChange
from credfile.core.permissions import (
    can_decide_privilege_change,
    can_see_privilege_changes,
    decides_privilege_changes,
    sees_all_privilege_changes,
)


def api_tokens_of(*, user: Any) -> QuerySet[AuthToken]:
    """The user's own tokens in force, newest first. Nobody lists another user's tokens."""
    if user is None or not user.is_authenticated:
        return AuthToken.objects.none()
    return AuthToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user_id=user.pk
    ).order_by("-created")


def api_token_get(*, user: Any, digest: str) -> AuthToken:
    token = api_tokens_of(user=user).filter(digest=digest).first()
    if token is None:
        raise Http404
    return token


def privilege_change_queryset(*, user: Any) -> QuerySet[PrivilegeChange]:
    """Executives and auditors see every request; an administrator the ones they made."""
    qs = PrivilegeChange.objects.select_related(
        "user", "requested_by", "decided_by", "before_department", "after_department"
    )
    if not can_see_privilege_changes(user):
        return qs.none()
    if sees_all_privilege_changes(user):
        return qs
    return qs.filter(requested_by_id=user.pk)


def privilege_change_get(*, user: Any, pk: int) -> PrivilegeChange:
    change = privilege_change_queryset(user=user).filter(pk=pk).first()
    if change is None:
        raise Http404
    return change


def privilege_changes_to_decide(*, user: Any) -> QuerySet[PrivilegeChange]:
    """Pending requests this user may decide (the navbar's count)."""
    if not decides_privilege_changes(user):
        return PrivilegeChange.objects.none()
    # The exclusions are can_decide_privilege_change's, as one query for the count.
    return (
        privilege_change_queryset(user=user)
        .filter(status=PrivilegeChangeStatus.PENDING)
        .exclude(Q(requested_by_id=user.pk) | Q(user_id=user.pk))
    )


def pending_privilege_change(*, user_id: int) -> PrivilegeChange | None:
    """The request awaiting approval for this account, shown in the admin in its place."""
    return (
        PrivilegeChange.objects.select_related("before_department", "after_department")
        .filter(user_id=user_id, status=PrivilegeChangeStatus.PENDING)
        .first()
    )


def can_decide(*, user: Any, change: PrivilegeChange) -> bool:
    return change.status == PrivilegeChangeStatus.PENDING and can_decide_privilege_change(
        user, user_id=change.user_id, requested_by_id=change.requested_by_id
    )
