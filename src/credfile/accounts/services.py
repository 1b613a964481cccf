"""Writes for departments and users."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from credfile.accounts.choices import Role
from credfile.accounts.models import Department, User
from credfile.audit.services import audit_record


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
    if department is None and role in {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD}:
        raise ValidationError(
            {"department": _("An account manager or department head needs a department.")}
        )
    user = User(
        username=username.strip(),
        role=role,
        department=department,
        display_name=display_name,
        email=email,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action="create", obj=user, after={"username": user.username, "role": role}
    )
    return user


@transaction.atomic
def user_password_change(*, user: User, password: str) -> None:
    """Set a new password (already checked against the validators by the caller's form)."""
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
    audit_record(
        actor=actor,
        action="update",
        obj=user,
        before={"otp_devices": [device.name for device in devices]},
        after={"otp_devices": []},
    )
    return len(devices)
