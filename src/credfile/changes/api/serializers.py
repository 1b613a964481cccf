"""Input and output shapes of the change request API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.changes.models import ChangeRequest
from credfile.changes.selectors import request_diff
from credfile.core.fields import IdSerializerField


class ChangeLineOutput(serializers.Serializer[Any]):
    """One field: on file when the request was made, on file now, and proposed (masked
    unless revealed)."""

    field = serializers.CharField(source="name")
    # Shadows Field.label for type checkers only: declared fields leave the class.
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.CharField()
    current = serializers.CharField()
    proposed = serializers.CharField()
    moved = serializers.BooleanField(
        help_text=_("The value on file changed since the request was made.")
    )


class ChangeRequestOutput(serializers.ModelSerializer[ChangeRequest]):
    changes = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = (
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "target_type",
            "target_id",
            "target_repr",
            "field_group",
            "kind",
            "status",
            "fields",
            "base_version",
            "maker",
            "checker",
            "reason",
            "notes",
            "created_at",
            "decided_at",
            "changes",
        )
        read_only_fields = fields

    def get_changes(self, obj: ChangeRequest) -> list[dict[str, Any]]:
        diffs = self.context.get("diffs") or {}
        lines = diffs.get(obj.pk)
        if lines is None:
            lines = request_diff(obj, reveal=bool(self.context.get("reveal")))
        return list(ChangeLineOutput(lines, many=True).data)


class ChangeRequestQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=["pending", "approved", "rejected", "withdrawn", "superseded"], required=False
    )
    scope = serializers.ChoiceField(
        choices=["all", "mine", "decide"],
        default="all",
        help_text=_("mine: your requests; decide: those awaiting your decision."),
    )
    customer = IdSerializerField(required=False)


class ApproveInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The file's version you saw; refused with 409 if it moved on."),
    )


class RejectInput(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text=_("Why the change is rejected (required)."))


class SubmittedOutput(serializers.Serializer[Any]):
    """A change accepted for approval (202): the requests, and the file with the changes that
    applied at once."""

    detail = serializers.CharField()
    change_requests = ChangeRequestOutput(many=True)
    customer = serializers.DictField(required=False)
