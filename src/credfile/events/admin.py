"""Events in the admin: read only, for the administrator's overview. Events are organised on
their pages (through the services, audited); invitations name customers, which the
administrator's role does not reach, so they are not shown here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from credfile.events.models import CustomerEvent


@admin.register(CustomerEvent)
class CustomerEventAdmin(admin.ModelAdmin[CustomerEvent]):
    list_display = (
        "title",
        "kind",
        "starts_at",
        "place",
        "capacity",
        "invited",
        "department",
        "status",
    )
    list_filter = ("status", "kind", "department")
    search_fields = ("title", "place")
    date_hierarchy = "starts_at"
    fields = (
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "place",
        "capacity",
        "department",
        "status",
        "description",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomerEvent]:
        return super().get_queryset(request).annotate(n_invited=Count("invitations"))

    @admin.display(description=_("invitations"), ordering="n_invited")
    def invited(self, obj: Any) -> int:
        return int(obj.n_invited)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
