"""Writes for departments and users."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
            {"role": _("Unknown role %(role)s; choose one of: %(roles)s.")
             % {"role": role, "roles": ", ".join(Role.values)}}
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
