"""Administrators administer but do not grant themselves or anyone access to credit files:
role and department changes wait for an executive, and every admin write is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credfile.accounts.choices import Role
from credfile.accounts.models import PrivilegeChange, User
from credfile.accounts.services import privilege_change_approve, user_privileges_change
from credfile.audit.models import AuditEvent
from credfile.core.permissions import can_decide_privilege_change, raises_privilege
from tests.api.helpers import assert_problem
from tests.conftest import PASSWORD, Personas
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/privilege-changes/"


def _change_form(user: User, **overrides: Any) -> dict[str, Any]:
    """The admin's change form for `user`, as the browser sends it, with `overrides`."""
    joined = timezone.localtime(user.date_joined)
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "display_name": user.display_name,
        "role": user.role,
        "department": user.department_id or "",
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }
    data.update(overrides)
    return {
        key: ("on" if value is True else value) for key, value in data.items() if value is not False
    }


def _privilege_event(user: User, action: str = "update") -> AuditEvent:
    """The one event recording the user's privileges (the admin's own write is another)."""
    events = [
        event
        for event in AuditEvent.objects.filter(
            action=action, object_type="accounts.user", object_id=str(user.pk)
        )
        if "via" not in (event.after or {})
    ]
    assert len(events) == 1, events
    return events[0]


def _admin_change(client: Any, user: User, **overrides: Any) -> Any:
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.post(url, _change_form(user, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def test_an_admin_role_change_waits_for_an_executive(personas: Personas, client_for: Any) -> None:
    admin_page = client_for(personas.admin)
    target = personas.account_manager
    _admin_change(admin_page, target, role=Role.CREDIT_MANAGER, department="")
    target.refresh_from_db()
    assert target.role == Role.ACCOUNT_MANAGER
    assert target.department == personas.sales
    change = PrivilegeChange.objects.get(user=target)
    assert (change.status, change.after_role, change.after_department) == (
        "pending",
        Role.CREDIT_MANAGER,
        None,
    )
    assert change.requested_by == personas.admin
    # The admin shows the pending request, not the new value.
    page = admin_page.get(reverse("admin:accounts_user_change", args=[target.pk])).content.decode()
    assert f"#{change.pk}: Account manager → Credit manager" in page
    submitted = AuditEvent.objects.get(action="submit", object_type="accounts.privilegechange")
    assert submitted.actor == personas.admin
    assert submitted.before is not None
    assert submitted.before["role"] == Role.ACCOUNT_MANAGER
    assert submitted.after is not None
    assert submitted.after["role"] == Role.CREDIT_MANAGER


def test_the_change_applies_when_an_executive_approves(personas: Personas, api_for: Any) -> None:
    target = personas.account_manager
    change = user_privileges_change(
        actor=personas.admin,
        user=target,
        role=Role.DEPARTMENT_HEAD,
        department=personas.other,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    response = api_for(personas.executive).post(f"{API}{change.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert response.json()["decided_by"] == "liu.yang"
    target.refresh_from_db()
    assert (target.role, target.department) == (Role.DEPARTMENT_HEAD, personas.other)
    event = _privilege_event(target)
    assert event.actor == personas.executive
    assert event.before == {"role": Role.ACCOUNT_MANAGER, "department": "SALES"}
    assert event.after is not None
    assert event.after["role"] == Role.DEPARTMENT_HEAD
    assert event.after["department"] == "EXPORT"
    assert event.after["requested_by"] == "admin"


def test_the_admin_and_the_target_cannot_approve(personas: Personas, api_for: Any) -> None:
    second = UserFactory(username="ma.jun", role="executive", department=None)
    change = user_privileges_change(
        actor=personas.admin,
        user=personas.executive,
        role=Role.AUDITOR,
        department=None,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    admin_api = api_for(personas.admin)
    assert_problem(admin_api.post(f"{API}{change.pk}/approve/", {}, format="json"), 403)
    target_api = api_for(personas.executive)
    assert_problem(target_api.post(f"{API}{change.pk}/approve/", {}, format="json"), 403)
    for persona in (personas.department_head, personas.account_manager):
        assert_problem(api_for(persona).post(f"{API}{change.pk}/approve/", {}, format="json"), 404)
    change.refresh_from_db()
    assert change.status == "pending"
    personas.executive.refresh_from_db()
    assert personas.executive.role == Role.EXECUTIVE
    # Another executive may.
    assert api_for(second).post(f"{API}{change.pk}/approve/", {}, format="json").status_code == 200


def test_an_executive_who_asked_cannot_approve(personas: Personas) -> None:
    change = user_privileges_change(
        actor=personas.executive,
        user=personas.colleague,
        role=Role.DEPARTMENT_HEAD,
        department=personas.sales,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    with pytest.raises(Exception, match="never the one who asked"):
        privilege_change_approve(actor=personas.executive, change=change)


def test_a_rejection_needs_a_reason_and_changes_nothing(personas: Personas, api_for: Any) -> None:
    change = user_privileges_change(
        actor=personas.admin,
        user=personas.colleague,
        role=Role.DEPARTMENT_HEAD,
        department=personas.sales,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    client = api_for(personas.executive)
    assert_problem(client.post(f"{API}{change.pk}/reject/", {}, format="json"), 400, "reason")
    response = client.post(f"{API}{change.pk}/reject/", {"reason": "不需要"}, format="json")
    assert response.json()["status"] == "rejected"
    personas.colleague.refresh_from_db()
    assert personas.colleague.role == Role.ACCOUNT_MANAGER


def test_one_request_per_user_may_be_pending(personas: Personas, client_for: Any) -> None:
    kwargs: dict[str, Any] = {
        "actor": personas.admin,
        "user": personas.colleague,
        "department": personas.sales,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    user_privileges_change(role=Role.DEPARTMENT_HEAD, **kwargs)
    with pytest.raises(Exception, match="already awaits"):
        user_privileges_change(role=Role.AUDITOR, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivilegeChange.objects.create(
            user=personas.colleague,
            requested_by=personas.admin,
            before_role=Role.ACCOUNT_MANAGER,
            after_role=Role.AUDITOR,
            before_active=True,
            after_active=True,
        )


def test_the_database_refuses_a_maker_or_target_as_checker(personas: Personas) -> None:
    for decided_by, user in (
        (personas.admin, personas.colleague),
        (personas.executive, personas.executive),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PrivilegeChange.objects.create(
                user=user,
                requested_by=personas.admin,
                before_role=user.role,
                after_role=Role.AUDITOR,
                before_active=True,
                after_active=True,
                status="approved",
                decided_by=decided_by,
            )


def test_without_approval_a_change_applies_at_once_and_is_audited(
    personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.CREDFILE_PRIVILEGE_APPROVAL = False
    target = personas.account_manager
    _admin_change(client_for(personas.admin), target, role=Role.DEPARTMENT_HEAD)
    target.refresh_from_db()
    assert target.role == Role.DEPARTMENT_HEAD
    assert not PrivilegeChange.objects.exists()
    event = _privilege_event(target)
    assert event.actor == personas.admin
    assert event.before == {"role": Role.ACCOUNT_MANAGER}
    assert event.after == {"role": Role.DEPARTMENT_HEAD}


def test_deactivation_and_flags_apply_at_once(personas: Personas, client_for: Any) -> None:
    target = personas.colleague
    _admin_change(client_for(personas.admin), target, is_active=False, is_staff=True)
    target.refresh_from_db()
    assert (target.is_active, target.is_staff) == (False, True)
    assert not PrivilegeChange.objects.exists()
    event = _privilege_event(target)
    assert event.before == {"is_active": True, "is_staff": False}
    assert event.after == {"is_active": False, "is_staff": True}


def test_a_new_account_that_reads_files_starts_inactive_until_approved(
    personas: Personas, client_for: Any, api_for: Any
) -> None:
    admin_page = client_for(personas.admin)
    response = admin_page.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.head",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.DEPARTMENT_HEAD,
            "department": personas.sales.pk,
            "display_name": "新主管",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new.head")
    assert not user.is_active
    refused = Client().post(reverse("login"), {"username": "new.head", "password": PASSWORD})
    assert refused.status_code == 200
    change = PrivilegeChange.objects.get(user=user)
    assert (change.before_active, change.after_active) == (False, True)
    api_for(personas.executive).post(f"{API}{change.pk}/approve/", {}, format="json")
    user.refresh_from_db()
    assert user.is_active
    assert user.role == Role.DEPARTMENT_HEAD
    created = _privilege_event(user, "create")
    assert created.actor == personas.admin
    assert created.after is not None
    assert created.after["role"] == Role.DEPARTMENT_HEAD


def test_a_new_account_without_file_access_needs_no_approval(
    personas: Personas, client_for: Any
) -> None:
    client_for(personas.admin).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.admin",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.ADMIN,
        },
    )
    user = User.objects.get(username="new.admin")
    assert user.is_active
    assert not PrivilegeChange.objects.exists()


def test_admin_writes_are_audited(personas: Personas, client_for: Any) -> None:
    admin_page = client_for(personas.admin)
    response = admin_page.post(
        reverse("admin:accounts_department_add"), {"code": "RISK", "name": "风险管理部"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="create", object_type="accounts.department")
    assert event.actor == personas.admin
    assert event.after is not None
    assert event.after["via"] == "admin"
    department = personas.other
    url = reverse("admin:accounts_department_change", args=[department.pk])
    admin_page.post(url, {"code": "EXPORT", "name": "国际业务部"})
    changed = AuditEvent.objects.get(action="update", object_type="accounts.department")
    assert changed.after is not None
    assert changed.after["change"] == [{"changed": {"fields": ["Department name"]}}]
    risk = AuditEvent.objects.get(action="create", object_type="accounts.department").object_id
    admin_page.post(reverse("admin:accounts_department_delete", args=[risk]), {"post": "yes"})
    assert AuditEvent.objects.filter(action="delete", object_type="accounts.department").exists()


def test_executives_decide_on_their_page_with_a_count_in_the_navbar(
    personas: Personas, client_for: Any
) -> None:
    change = user_privileges_change(
        actor=personas.admin,
        user=personas.colleague,
        role=Role.DEPARTMENT_HEAD,
        department=personas.sales,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    page = client_for(personas.executive)
    text = page.get(reverse("customers:list")).content.decode()
    assert 'id="privileges-nav"' in text
    assert 'data-testid="privileges-count">1<' in text
    listing = page.get(reverse("privilege-changes")).content.decode()
    assert "zhao.lei" in listing
    assert "Department head" in listing
    response = page.post(reverse("privilege-decide", args=[change.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert "Change approved" in page.get(reverse("privilege-changes")).content.decode()
    personas.colleague.refresh_from_db()
    assert personas.colleague.role == Role.DEPARTMENT_HEAD


def test_the_admin_sees_his_requests_but_cannot_decide_on_the_page(
    personas: Personas, client_for: Any
) -> None:
    change = user_privileges_change(
        actor=personas.admin,
        user=personas.colleague,
        role=Role.DEPARTMENT_HEAD,
        department=personas.sales,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    page = client_for(personas.admin)
    listing = page.get(reverse("privilege-changes")).content.decode()
    assert reverse("privilege-decide", args=[change.pk]) not in listing
    page.post(reverse("privilege-decide", args=[change.pk]), {"decision": "approve"})
    change.refresh_from_db()
    assert change.status == "pending"
    page.post(reverse("privilege-withdraw", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_others_see_no_privilege_changes(personas: Personas, client_for: Any) -> None:
    page = client_for(personas.account_manager)
    assert 'id="privileges-nav"' not in page.get(reverse("customers:list")).content.decode()
    assert "No privilege changes." in page.get(reverse("privilege-changes")).content.decode()


def test_the_privileges_page_is_in_chinese_too(personas: Personas, client_for: Any) -> None:
    text = client_for(personas.executive, "zh-hans").get(reverse("privilege-changes")).content
    assert "权限变更" in text.decode()


def test_the_command_line_is_a_bootstrap_path_without_approval(db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command(
        "adduser",
        "first.boss",
        "--role",
        "executive",
        stdin=StringIO(f"{PASSWORD}\n"),
        stdout=StringIO(),
    )
    user = User.objects.get(username="first.boss")
    assert user.is_active
    assert user.role == Role.EXECUTIVE
    assert not PrivilegeChange.objects.exists()
    event = AuditEvent.objects.get(action="create", object_type="accounts.user")
    assert event.after is not None
    assert event.after["role"] == Role.EXECUTIVE


def test_the_policy_questions(personas: Personas) -> None:
    same = {"before_active": True, "after_active": True}
    assert raises_privilege(
        before_role="account_manager",
        after_role="auditor",
        before_department_id=1,
        after_department_id=None,
        **same,
    )
    assert raises_privilege(
        before_role="account_manager",
        after_role="account_manager",
        before_department_id=1,
        after_department_id=2,
        **same,
    )
    assert not raises_privilege(
        before_role="auditor",
        after_role="auditor",
        before_department_id=None,
        after_department_id=None,
        **same,
    )
    assert raises_privilege(
        before_role="auditor",
        after_role="auditor",
        before_department_id=None,
        after_department_id=None,
        before_active=False,
        after_active=True,
    )
    assert not raises_privilege(
        before_role="admin",
        after_role="admin",
        before_department_id=None,
        after_department_id=None,
        before_active=False,
        after_active=True,
    )
    executive = personas.executive
    assert can_decide_privilege_change(
        executive, user_id=personas.colleague.pk, requested_by_id=personas.admin.pk
    )
    assert not can_decide_privilege_change(
        executive, user_id=executive.pk, requested_by_id=personas.admin.pk
    )
    assert not can_decide_privilege_change(
        executive, user_id=personas.colleague.pk, requested_by_id=executive.pk
    )
    assert not can_decide_privilege_change(
        personas.admin, user_id=personas.colleague.pk, requested_by_id=executive.pk
    )


def test_an_auditor_sees_the_requests_but_decides_none(personas: Personas, client_for: Any) -> None:
    change = user_privileges_change(
        actor=personas.admin,
        user=personas.colleague,
        role=Role.DEPARTMENT_HEAD,
        department=personas.sales,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert change is not None
    page = client_for(personas.auditor)
    assert (
        'data-testid="privileges-count"' not in page.get(reverse("customers:list")).content.decode()
    )
    listing = page.get(reverse("privilege-changes")).content.decode()
    assert "zhao.lei" in listing
    assert reverse("privilege-decide", args=[change.pk]) not in listing
    page.post(reverse("privilege-decide", args=[change.pk]), {"decision": "approve"})
    change.refresh_from_db()
    assert change.status == "pending"


def test_removing_a_second_factor_in_the_admin_is_audited(
    personas: Personas, client_for: Any
) -> None:
    from tests.conftest import otp_device_for

    device = otp_device_for(personas.auditor)
    admin_page = client_for(personas.admin)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert admin_page.post(url, {"post": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action="delete", object_type="otp_totp.totpdevice")
    assert event.actor == personas.admin
    assert event.object_id == str(device.pk)


def test_an_admin_cannot_set_another_users_password(personas: Personas, client_for: Any) -> None:
    admin_page = client_for(personas.admin)
    target = personas.account_manager
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert admin_page.get(url).status_code == 403
    refused = admin_page.post(url, {"password1": "taken-over-1234", "password2": "taken-over-1234"})
    assert refused.status_code == 403
    target.refresh_from_db()
    assert not target.check_password("taken-over-1234")
    # Their own password they may still change there.
    own = reverse("admin:auth_user_password_change", args=[personas.admin.pk])
    assert admin_page.get(own).status_code == 200
