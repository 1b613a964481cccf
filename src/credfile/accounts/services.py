"""Writes for departments and users."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from credfile.accounts.choices import PrivilegeChangeStatus, Role
from credfile.accounts.models import Department, PrivilegeChange, User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, changed_fields
from credfile.core.permissions import (
    can_decide_privilege_change,
    can_manage_api_token,
    raises_privilege,
    role_administers,
    role_needs_department,
)


@transaction.atomic
def department_create(*, code: str, name: str, actor: User | None = None) -> Department:
    department = Department(code=code.strip().upper(), name=name.strip())
    department.full_clean()
    department.save()
    audit_record(actor=actor, action="create", obj=department, after={"code": department.code})
    return department


def department_by_code(code: str) -> Department:
    try:
        return Department.objects.get(code=code.strip().upper())
    except Department.DoesNotExist:
        raise ValidationError(
            {"department": _("There is no department with the code %(code)s.") % {"code": code}}
        ) from None


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    department_code: str | None = None,
    display_name: str = "",
    email: str = "",
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(role)s; choose one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    department = department_by_code(department_code) if department_code else None
    if department is None and role_needs_department(role):
        raise ValidationError(
            {"department": _("An account manager or department head needs a department.")}
        )
    user = User(
        username=username.strip(),
        role=role,
        department=department,
        display_name=display_name,
        email=email,
        is_staff=role_administers(role),
        is_superuser=role_administers(role),
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    # `credfile adduser` is the operator's bootstrap path on the server (the first executive
    # and administrator cannot wait for an approval): audited, never held for approval.
    audit_record(
        actor=actor,
        action="create",
        obj=user,
        after={"username": user.username, **_privileges(user)},
    )
    return user


@transaction.atomic
def user_password_change(*, user: User, password: str) -> None:
    """Set a new password (already checked against the validators by the caller's form).

    The user's API tokens end with the old password."""
    api_tokens_revoke(user=user, actor=user, reason="password_changed")
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="update", obj=user, after={"password": "changed"})


@transaction.atomic
def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the user is enrolling, the same one on every page load
    until it is confirmed, so that a scanned QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="credfile", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the device being enrolled with a code from the app; None if the code is wrong.

    A wrong code returns rather than raises, so the device's throttle count is kept.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user, action="create", obj=device, after={"user": user.username, "kind": "totp"}
    )
    return device


@transaction.atomic
def otp_devices_reset(*, user: User, actor: User | None = None) -> int:
    """Remove every second-factor device of the user, who enrols again at the next sign-in."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    # Tokens were issued against the lost device's codes: they end with it.
    api_tokens_revoke(user=user, actor=actor, reason="otp_reset")
    audit_record(
        actor=actor,
        action="update",
        obj=user,
        before={"otp_devices": [device.name for device in devices]},
        after={"otp_devices": []},
    )
    return len(devices)


# --- API tokens (django-rest-knox: only a hash of each token is stored) -----------------------


def token_prefix(token: AuthToken) -> str:
    """The first characters of a token: enough for its owner to tell tokens apart."""
    return str(token.token_key)[:8]


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new token for a user who has just proven password (and second factor); the token
    itself is returned once and only its hash is kept. Recorded as a sign-in."""
    now = timezone.now()
    # The user's expired tokens serve nothing any more.
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    token, secret = AuthToken.objects.create(
        user=user, expiry=datetime.timedelta(hours=settings.CREDFILE_TOKEN_HOURS)
    )
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        after={"via": "API token", "token": token_prefix(token), "expires": token.expiry},
    )
    return token, secret


@transaction.atomic
def api_tokens_revoke(
    *,
    user: User,
    actor: Any,
    reason: str,
    digests: list[str] | None = None,
    action: str = AuditAction.REVOKE,
) -> int:
    """End the user's tokens (those with `digests`, or all), with one audit event naming
    them by prefix and saying why. Nothing to end, nothing recorded."""
    tokens = AuthToken.objects.filter(user_id=user.pk)
    if digests is not None:
        tokens = tokens.filter(digest__in=digests)
    prefixes = sorted(key[:8] for key in tokens.values_list("token_key", flat=True))
    if not prefixes:
        return 0
    tokens.delete()
    audit_record(
        actor=actor,
        action=action,
        obj=user,
        after={"via": "API token", "revoked": prefixes, "reason": reason},
    )
    return len(prefixes)


@transaction.atomic
def api_token_revoke(*, actor: User, token: AuthToken, reason: str = "revoked_by_owner") -> None:
    """The owner ends one of their tokens (from the tokens page or the API)."""
    if not can_manage_api_token(actor, owner_id=token.user_id):
        raise PermissionDenied(_("Only the owner of a token can revoke it."))
    api_tokens_revoke(user=actor, actor=actor, reason=reason, digests=[token.digest])


# --- Privilege changes (role, department, activation: an executive approves) ------------------


def _privileges(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "department": user.department.code if user.department else None,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def _check_role_department(role: str, department: Department | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if department is None and role_needs_department(role):
        raise ValidationError(
            {"department": _("An account manager or department head needs a department.")}
        )


def approval_required() -> bool:
    return bool(settings.CREDFILE_PRIVILEGE_APPROVAL)


def _submit(
    *,
    actor: User,
    user: User,
    role: str,
    department: Department | None,
    is_active: bool,
    note: dict[str, Any] | None = None,
) -> PrivilegeChange:
    if PrivilegeChange.objects.filter(user=user, status=PrivilegeChangeStatus.PENDING).exists():
        raise ValidationError(
            {
                "role": _(
                    "A change of this account's role, department or activation already awaits "
                    "an executive's approval; it must be decided or withdrawn first."
                )
            }
        )
    change = PrivilegeChange.objects.create(
        user=user,
        requested_by=actor,
        before_role=user.role,
        after_role=role,
        before_department=user.department,
        after_department=department,
        before_active=user.is_active,
        after_active=is_active,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUBMIT,
        obj=change,
        before={
            "user": user.username,
            "role": change.before_role,
            "department": user.department.code if user.department else None,
            "is_active": change.before_active,
        },
        after={
            "role": change.after_role,
            "department": department.code if department else None,
            "is_active": change.after_active,
            **(note or {}),
        },
    )
    return change


def _apply(
    *, actor: Any, user: User, values: dict[str, Any], note: dict[str, Any] | None = None
) -> None:
    """Set privilege fields on the locked user, audit before/after, end tokens on
    deactivation."""
    before = _privileges(user)
    was_active = user.is_active
    for name, value in values.items():
        setattr(user, name, value)
    user.full_clean()
    if was_active and not user.is_active:
        api_tokens_revoke(user=user, actor=actor, reason="deactivated")
    user.save(update_fields=list(values))
    old, new = changed_fields(before, _privileges(user))
    if new:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            before=old,
            after={**new, **(note or {})},
        )


@transaction.atomic
def user_privileges_change(
    *,
    actor: User,
    user: User,
    role: str,
    department: Department | None,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
) -> PrivilegeChange | None:
    """Change a user's role, department and flags — the one write the admin and the API use.

    What lowers access (deactivation, staff and superuser flags) applies at once; a change
    of role or department, or activating an account that reads credit files, waits for an
    executive (CREDFILE_PRIVILEGE_APPROVAL). Returns the pending request, if one was made.
    """
    _check_role_department(role, department)
    locked = (
        User.objects.select_for_update(of=("self",)).select_related("department").get(pk=user.pk)
    )
    raising = raises_privilege(
        before_role=locked.role,
        after_role=role,
        before_department_id=locked.department_id,
        after_department_id=department.pk if department else None,
        before_active=locked.is_active,
        after_active=is_active,
    )
    now: dict[str, Any] = {"is_staff": is_staff, "is_superuser": is_superuser}
    change = None
    if raising and approval_required():
        if locked.is_active and not is_active:
            now["is_active"] = False
        change = _submit(
            actor=actor, user=locked, role=role, department=department, is_active=is_active
        )
    else:
        now.update(role=role, department=department, is_active=is_active)
    _apply(actor=actor, user=locked, values=now)
    return change


@transaction.atomic
def user_admin_created(*, actor: User, user: User) -> PrivilegeChange | None:
    """An account an administrator has just created: recorded with its privileges, and, if
    its role reads credit files, kept inactive until an executive approves it."""
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        after={"username": user.username, **_privileges(user)},
    )
    if not user.is_active or not approval_required():
        return None
    if not raises_privilege(
        before_role=user.role,
        after_role=user.role,
        before_department_id=user.department_id,
        after_department_id=user.department_id,
        before_active=False,
        after_active=True,
    ):
        return None
    locked = (
        User.objects.select_for_update(of=("self",)).select_related("department").get(pk=user.pk)
    )
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    return _submit(
        actor=actor, user=locked, role=locked.role, department=locked.department, is_active=True
    )


def _lock_pending_change(change: PrivilegeChange) -> tuple[User, PrivilegeChange]:
    # The user's row first, as every writer of a user does; then the request, whose status
    # check lets exactly one of several concurrent decisions through.
    user = (
        User.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=change.user_id)
    )
    locked = PrivilegeChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != PrivilegeChangeStatus.PENDING:
        raise ValidationError(
            {"status": [_("This request has already been decided or withdrawn.")]}
        )
    return user, locked


def _check_decider(actor: User, change: PrivilegeChange) -> None:
    if not can_decide_privilege_change(
        actor, user_id=change.user_id, requested_by_id=change.requested_by_id
    ):
        raise PermissionDenied(
            _(
                "Only an executive decides a change of privileges, never the one who asked "
                "for it and never about their own account."
            )
        )


def _decide(*, actor: User, change: PrivilegeChange, status: str, reason: str) -> PrivilegeChange:
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.reason = reason.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE
        if status == PrivilegeChangeStatus.APPROVED
        else AuditAction.REJECT,
        obj=change,
        before={"status": PrivilegeChangeStatus.PENDING},
        after={"status": status, "reason": change.reason},
    )
    return change


@transaction.atomic
def privilege_change_approve(
    *, actor: User, change: PrivilegeChange, reason: str = ""
) -> PrivilegeChange:
    _check_decider(actor, change)
    user, locked = _lock_pending_change(change)
    _check_decider(actor, locked)
    _decide(actor=actor, change=locked, status=PrivilegeChangeStatus.APPROVED, reason=reason)
    _apply(
        actor=actor,
        user=user,
        values={
            "role": locked.after_role,
            "department": locked.after_department,
            "is_active": locked.after_active,
        },
        note={
            "privilege_change": locked.pk,
            "requested_by": locked.requested_by.username,
        },
    )
    return locked


@transaction.atomic
def privilege_change_reject(
    *, actor: User, change: PrivilegeChange, reason: str
) -> PrivilegeChange:
    _check_decider(actor, change)
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the rejection.")]})
    _user, locked = _lock_pending_change(change)
    return _decide(actor=actor, change=locked, status=PrivilegeChangeStatus.REJECTED, reason=reason)


@transaction.atomic
def privilege_change_withdraw(*, actor: User, change: PrivilegeChange) -> PrivilegeChange:
    if change.requested_by_id != actor.pk:
        raise PermissionDenied(_("Only the one who asked for a change can withdraw it."))
    _user, locked = _lock_pending_change(change)
    locked.status = PrivilegeChangeStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=locked,
        before={"status": PrivilegeChangeStatus.PENDING},
        after={"status": locked.status},
    )
    return locked


# --- Single sign-on (docs/sso.md): the directory vouches, the group map decides ----------------

_PROFILE_FIELDS = ("first_name", "last_name", "email", "display_name")


@transaction.atomic
def directory_account_sync(
    *,
    source: str,
    username: str,
    role: str,
    department_code: str | None,
    group: str,
    profile: dict[str, str],
) -> User | None:
    """The account of a person the directory (`source` "ldap") or the OpenID Connect
    provider ("oidc") has vouched for, with the role and department its group maps to.

    A first sign-in creates the account without a password; with CREDFILE_PRIVILEGE_APPROVAL
    it stays inactive until an executive approves it. Later a different mapped role or
    department waits likewise as a privilege change the person requested, while the account
    keeps what it has (without approval it applies at once). An account with a credfile
    password is a local one: None, the directory never signs it in. Every write is audited
    with where it came from.
    """
    department = department_by_code(department_code) if department_code else None
    _check_role_department(role, department)
    note = {"via": source, "group": group}
    profile = {k: v[:150] for k, v in profile.items() if k in _PROFILE_FIELDS and v}
    locked = (
        User.objects.select_for_update(of=("self",))
        .select_related("department")
        .filter(username__iexact=username.strip())
        .first()
    )
    if locked is None:
        held = approval_required()
        user = User(
            username=username.strip(),
            role=role,
            department=department,
            is_active=not held,
            is_staff=role_administers(role) and not held,
            is_superuser=role_administers(role) and not held,
            **profile,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=user,
            after={"username": user.username, **_privileges(user), **note},
        )
        if held:
            _submit(
                actor=user, user=user, role=role, department=department, is_active=True, note=note
            )
        return user
    if locked.has_usable_password():
        return None
    changed = {k: v for k, v in profile.items() if getattr(locked, k) != v}
    if changed:
        before = {k: getattr(locked, k) for k in changed}
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(changed))
        audit_record(
            actor=locked, action=AuditAction.UPDATE, obj=locked, before=before, after=changed
        )
    if locked.role == role and locked.department_id == (department.pk if department else None):
        return locked
    if not approval_required():
        administers = role_administers(role)
        _apply(
            actor=locked,
            user=locked,
            values={
                "role": role,
                "department": department,
                "is_staff": administers,
                "is_superuser": administers,
            },
            note=note,
        )
    elif not PrivilegeChange.objects.filter(
        user=locked, status=PrivilegeChangeStatus.PENDING
    ).exists():
        _submit(
            actor=locked,
            user=locked,
            role=role,
            department=department,
            is_active=locked.is_active,
            note=note,
        )
    return locked
