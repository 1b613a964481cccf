"""Users and departments in the Django admin.

Administrators administer here but never act as anyone: a change of role or department
(or activating an account that reads credit files) goes through
`accounts.services.user_privileges_change` and waits for an executive; API tokens have no
admin at all, so nobody sees or makes another user's token.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from knox.models import AuthToken

from credfile.accounts.models import Department, PrivilegeChange, User
from credfile.accounts.selectors import pending_privilege_change
from credfile.accounts.services import user_admin_created, user_privileges_change
from credfile.core.permissions import can_set_password

# django-rest-knox registers its tokens (with a form that makes one for any user): gone.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)

_PRIVILEGES = ("role", "department", "is_active", "is_staff", "is_superuser")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    readonly_fields = ("pending_privilege_change",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "credfile",
            {"fields": ("display_name", "role", "department", "pending_privilege_change")},
        ),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        ("credfile", {"fields": ("display_name", "role", "department")}),
    )

    @admin.display(description=gettext_lazy("Awaiting approval"))
    def pending_privilege_change(self, obj: User) -> str:
        change = pending_privilege_change(user_id=obj.pk) if obj.pk else None
        if change is None:
            return "—"
        parts = []
        if change.before_role != change.after_role:
            parts.append(f"{change.get_before_role_display()} → {change.get_after_role_display()}")
        if change.before_department_id != change.after_department_id:
            before = change.before_department.name if change.before_department else "—"
            after = change.after_department.name if change.after_department else "—"
            parts.append(f"{before} → {after}")
        if change.before_active != change.after_active:
            parts.append(_("activation") if change.after_active else _("deactivation"))
        return _("#%(id)s: %(what)s (awaiting an executive)") % {
            "id": change.pk,
            "what": "; ".join(parts),
        }

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Only one's own password: an administrator who set another user's password could
        sign in as them. A forgotten password is reset on the server (`credfile
        changepassword USERNAME`, audited, ending the user's tokens)."""
        if not can_set_password(request.user, user_id=id):
            raise PermissionDenied(_("Administrators cannot set another user's password."))
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        if not change:
            super().save_model(request, obj, form, change)
            if pending := user_admin_created(actor=actor, user=obj):
                obj.refresh_from_db()
                messages.warning(request, _pending_message(pending))
            return
        # The form's privilege values go through the approval-aware service; everything
        # else (names, e-mail, groups) is saved as the admin saves it.
        wanted = {name: getattr(obj, name) for name in _PRIVILEGES}
        saved = User.objects.get(pk=obj.pk)
        for name in _PRIVILEGES:
            setattr(obj, name, getattr(saved, name))
        super().save_model(request, obj, form, change)
        try:
            pending = user_privileges_change(actor=actor, user=obj, **wanted)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return
        obj.refresh_from_db()
        if pending is not None:
            messages.warning(request, _pending_message(pending))


def _pending_message(change: PrivilegeChange) -> str:
    return _(
        "The change of role, department or activation waits for an executive's approval "
        "(request #%(id)s); until then the account keeps what it had."
    ) % {"id": change.pk}
