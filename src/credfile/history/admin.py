from django.contrib import admin

from credfile.history.models import FileVersion


@admin.register(FileVersion)
class FileVersionAdmin(admin.ModelAdmin[FileVersion]):
    """Metadata only: the snapshots hold sensitive values and stay out of the admin."""

    list_display = ("customer_id", "version", "changed_at", "operation", "object_type", "object_id")
    list_filter = ("operation", "object_type")
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
