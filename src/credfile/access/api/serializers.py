from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credfile.access.choices import FileSection
from credfile.access.models import AccessGrant, UsageApplication


class ApplicationInput(serializers.Serializer[dict[str, Any]]):
    customer_code = serializers.CharField(max_length=20)
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=FileSection.choices), allow_empty=False
    )
    purpose = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class DecisionInput(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class GrantOutput(serializers.ModelSerializer[AccessGrant]):
    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "application",
            "user",
            "customer",
            "sections",
            "purpose",
            "valid_from",
            "valid_until",
            "revoked_at",
        ]


class ApplicationOutput(serializers.ModelSerializer[UsageApplication]):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    grant = serializers.SerializerMethodField()

    class Meta:
        model = UsageApplication
        fields = [
            "id",
            "customer",
            "customer_code",
            "applicant",
            "sections",
            "purpose",
            "starts_on",
            "ends_on",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "grant",
        ]

    def get_grant(self, obj: UsageApplication) -> int | None:
        grant = getattr(obj, "grant", None)
        return grant.pk if grant is not None else None
