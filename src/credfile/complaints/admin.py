"""The deadlines per severity, set by administrators in the admin (through the service)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credfile.complaints.models import ComplaintSla
from credfile.complaints.services import complaint_sla_set
from credfile.core.permissions import can_manage_complaint_deadlines


@admin.register(ComplaintSla)
class ComplaintSlaAdmin(admin.ModelAdmin[ComplaintSla]):
    list_display = ("severity", "hours")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_complaint_deadlines(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_complaint_deadlines(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_complaint_deadlines(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_complaint_deadlines(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ComplaintSla, form: Any, change: bool) -> None:
        saved = complaint_sla_set(actor=request.user, severity=obj.severity, hours=obj.hours)  # type: ignore[arg-type]  # the admin's user is a credfile User
        obj.pk = saved.pk
