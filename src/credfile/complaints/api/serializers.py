"""Input and output shapes of complaints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credfile.complaints.choices import Category, Severity, Status
from credfile.complaints.models import Complaint, ComplaintEvent
from credfile.core.fields import IdSerializerField
from credfile.interactions.choices import Channel


class ComplaintInput(serializers.Serializer[Any]):
    customer = IdSerializerField()
    received_at = serializers.DateTimeField(required=False)
    channel = serializers.ChoiceField(Channel.choices, required=False)
    category = serializers.ChoiceField(Category.choices, required=False)
    severity = serializers.ChoiceField(Severity.choices)
    summary = serializers.CharField(max_length=200)
    details = serializers.CharField(required=False, allow_blank=True)
    owner = IdSerializerField(required=False)


class ComplaintTransitionInput(serializers.Serializer[Any]):
    to = serializers.ChoiceField(Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    confirmation = serializers.CharField(required=False, allow_blank=True, default="")
    close_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(Status.choices, required=False)
    severity = serializers.ChoiceField(Severity.choices, required=False)


class ComplaintEventOutput(serializers.ModelSerializer[ComplaintEvent]):
    # Empty on the first step (the receipt has no state before it): the schema says so.
    from_status = serializers.ChoiceField(Status.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ("occurred_at", "actor", "from_status", "to_status", "note")
        read_only_fields = fields


class ComplaintOutput(serializers.ModelSerializer[Complaint]):
    customer_code = serializers.CharField(source="customer.code", read_only=True)

    class Meta:
        model = Complaint
        fields: tuple[str, ...] = (
            "id",
            "customer",
            "customer_code",
            "received_at",
            "channel",
            "category",
            "severity",
            "summary",
            "details",
            "owner",
            "status",
            "due_at",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "confirmed_at",
            "confirmation_note",
            "closed_without_confirmation",
            "escalated_at",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class ComplaintDetailOutput(ComplaintOutput):
    events = ComplaintEventOutput(many=True, read_only=True)

    class Meta(ComplaintOutput.Meta):
        fields = (*ComplaintOutput.Meta.fields, "events")
        read_only_fields = fields


class ComplaintFiguresOutput(serializers.Serializer[Any]):
    open = serializers.IntegerField(help_text="Received and not yet resolved.")
    overdue = serializers.IntegerField(help_text="Open and past their deadline.")
    received_12m = serializers.IntegerField(help_text="Received in the last 12 months.")
    closed_12m = serializers.IntegerField(help_text="Closed in the last 12 months.")
    median_resolution_hours = serializers.FloatField(
        source="median_response_hours",
        allow_null=True,
        help_text="Median hours from receipt to resolution, of those resolved in 12 months.",
    )


class CustomerComplaintsOutput(serializers.Serializer[Any]):
    figures = ComplaintFiguresOutput()
    results = ComplaintOutput(many=True)
