"""The Django admin, with every write it makes recorded in the audit trail.

Administrators manage users and departments; their writes are audited like anyone else's.
Every ModelAdmin registered on this site — credfile's and those of django-otp or Django's
own groups — gets the mixin below, so no registration can forget it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record


def _admin_audit(request: HttpRequest, action: str, obj: models.Model, message: Any) -> None:
    audit_record(
        actor=request.user, action=action, obj=obj, after={"via": "admin", "change": message}
    )


class AuditedAdminMixin:
    """Writes an audit event beside each admin LogEntry (addition, change, deletion)."""

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _admin_audit(request, AuditAction.CREATE, obj, message)
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _admin_audit(request, AuditAction.UPDATE, obj, message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> Any:
        objects = list(queryset)
        entries = super().log_deletions(request, objects)  # type: ignore[misc]
        for obj in objects:
            _admin_audit(request, AuditAction.DELETE, obj, [{"deleted": {}}])
        return entries


class AuditedAdminSite(admin.AdminSite):
    """The default admin site of credfile (settings: `AuditedAdminConfig`)."""

    def register(
        self,
        model_or_iterable: Any,
        admin_class: Any = None,
        **options: Any,
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
