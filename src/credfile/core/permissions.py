"""The one place that decides which credit files a user may see or change.

Every page, API endpoint, export and command obtains customers through
``customer_scope(user, action)``; nothing fetches a credit file by id without it.
The policy is written out in docs/permissions.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import BooleanField, Case, Q, Value, When

from credfile.accounts.choices import Role

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"


# Roles that read every file across departments (to rate, to approve, to audit).
_READ_ALL = {Role.CREDIT_MANAGER, Role.EXECUTIVE, Role.AUDITOR}


def customer_scope(user: Any, action: Action, *, prefix: str = "", grants: bool = True) -> Q:
    """A filter selecting the customers `user` may act on; `prefix` for related lookups.

    Viewing also reaches the files of the user's active grants (approved usage
    applications) unless `grants=False`.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    scope = _role_scope(user, action, prefix)
    if action == Action.VIEW and grants and scope is not EVERYTHING:
        granted = _granted(user, prefix)
        if granted is not NOTHING:
            scope = scope | granted
    return scope


def _granted(user: Any, prefix: str) -> Q:
    """The files of the user's grants in force, as a short list of ids.

    A list rather than a subquery: most users hold no grant, and an OR with a subquery keeps
    SQLite from walking the list's index in order (a 100,000-row sort per page).
    """
    # Imported here: the access app's models import the customers app, which imports this.
    from credfile.access.selectors import active_grants

    ids = list(active_grants(user=user).values_list("customer_id", flat=True)[:10_000])
    if not ids:
        return NOTHING
    return Q(**{f"{prefix}pk__in": ids})


def _role_scope(user: Any, action: Action, prefix: str) -> Q:
    role = user.role
    dept = Q(**{f"{prefix}department_id": user.department_id})
    own = Q(**{f"{prefix}account_manager_id": user.pk})
    if action == Action.VIEW:
        if role in _READ_ALL:
            return EVERYTHING
        if role in {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD} and user.department_id:
            return dept
        return NOTHING
    if action in {Action.CREATE, Action.CHANGE}:
        if role == Role.DEPARTMENT_HEAD and user.department_id:
            return dept
        if role == Role.ACCOUNT_MANAGER and user.department_id:
            return dept & own
        return NOTHING
    if action == Action.DELETE:
        if role == Role.DEPARTMENT_HEAD and user.department_id:
            return dept
        return NOTHING
    return NOTHING


def scope_flag(scope: Q) -> Any:
    """The scope as a boolean column, to learn in the same query whether a row is inside it."""
    if scope is EVERYTHING:
        return Value(True)
    if scope is NOTHING:
        return Value(False)
    return Case(When(scope, then=Value(True)), default=Value(False), output_field=BooleanField())


def can_create_customer(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.department_id
        and user.role in {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD}
    )
