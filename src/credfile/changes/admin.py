from django.contrib import admin

from credfile.changes.models import ChangeRequest


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin[ChangeRequest]):
    """Metadata only: proposals hold sensitive values; decisions are made on the pages."""

    list_display = ("id", "customer_code", "field_group", "kind", "status", "maker", "checker")
    list_filter = ("status", "field_group", "kind")
    fields = (*list_display, "target_type", "target_id", "created_at", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
