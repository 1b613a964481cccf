from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.customers.api.serializers import CustomerListQuery
from credfile.imports.columns import KINDS
from credfile.imports.exports import FORMATS
from credfile.imports.parsing import MAX_FILE_BYTES


class ImportInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=sorted(KINDS), help_text=_("what the file holds"))
    file = serializers.FileField(
        max_length=200, help_text=_("a CSV (UTF-8 or GB18030) or xlsx file")
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("the department to file the rows in that name none"),
    )
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate_file(self, value: object) -> object:
        if getattr(value, "size", 0) > MAX_FILE_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES >> 20}
            )
        return value


class RowErrorOutput(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text=_("the row in the file; 0 for the file as a whole"))
    column = serializers.CharField()
    message = serializers.CharField()


class ImportOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    sha256 = serializers.CharField()
    dry_run = serializers.BooleanField()
    imported = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "errors" is the name of a serializer's own attribute, so it cannot be declared.
        fields = super().get_fields()
        fields["errors"] = RowErrorOutput(many=True)
        return fields


class ExportQuery(CustomerListQuery):
    """The customer list's filters (as `GET /api/v1/customers/` takes them), the format, and
    whether to show ID and phone numbers in clear."""

    ordering = None  # type: ignore[assignment]  # an export is in file order
    file_format = serializers.ChoiceField(
        choices=list(FORMATS), default="csv", help_text=_("csv (UTF-8 with BOM) or xlsx")
    )
    reveal = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "ID and phone numbers in clear, on the files whose reveal right you hold (the "
            "others stay masked); each file shown in clear is recorded in the audit trail."
        ),
    )
