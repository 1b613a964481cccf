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


# --- Accounts: privilege changes and API tokens ----------------------------------------------
# Who may decide a change of someone's role or department, and which changes need a decision.
# Roles are compared as `Role` members; the accounts services and pages only ask these.

# Roles that reach credit files: the department roles through their department, the others
# across departments. The administrator's role reaches none.
_DEPARTMENT_ROLES = {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD}


def role_reads_files(role: str, department_id: int | None) -> bool:
    """Whether an active account with this role and department reaches any credit file."""
    if Role(role) in _READ_ALL:
        return True
    return Role(role) in _DEPARTMENT_ROLES and department_id is not None


def raises_privilege(
    *,
    before_role: str,
    after_role: str,
    before_department_id: int | None,
    after_department_id: int | None,
    before_active: bool,
    after_active: bool,
) -> bool:
    """A change that needs an executive's approval: any change of role or department, and
    activating (or creating) an account whose role reads credit files."""
    if Role(before_role) != Role(after_role) or before_department_id != after_department_id:
        return True
    return not before_active and after_active and role_reads_files(after_role, after_department_id)


def decides_privilege_changes(actor: Any) -> bool:
    """Active executives are the checkers of privilege changes; nobody else ever is."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.role == Role.EXECUTIVE
    )


def can_decide_privilege_change(actor: Any, *, user_id: int, requested_by_id: int) -> bool:
    """An active executive decides, never the one who asked and never about their own
    account. The administrator (who makes these changes) is never the checker."""
    return decides_privilege_changes(actor) and actor.pk != requested_by_id and actor.pk != user_id


def can_see_privilege_changes(actor: Any) -> bool:
    """Executives decide them, auditors review them, administrators follow their own."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.role in {Role.EXECUTIVE, Role.AUDITOR, Role.ADMIN}
    )


def sees_all_privilege_changes(actor: Any) -> bool:
    """Executives (who decide) and auditors see every request; an administrator only his own."""
    return bool(can_see_privilege_changes(actor) and actor.role in {Role.EXECUTIVE, Role.AUDITOR})


def can_manage_api_token(actor: Any, *, owner_id: int) -> bool:
    """A token is seen and revoked by its owner only: not even an administrator sees or
    makes another user's token, so nobody acts in someone else's name."""
    return bool(actor is not None and actor.is_authenticated and actor.pk == owner_id)
