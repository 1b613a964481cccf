"""Input and output shapes of service records and notes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credfile.customers.api.serializers import choice, text
from credfile.interactions.choices import Channel, NoteKind, ServiceKind
from credfile.interactions.models import Note, ServiceRecord


class ServiceRecordInput(serializers.Serializer[Any]):
    occurred_at = serializers.DateTimeField()
    kind = choice(ServiceKind.choices)
    channel = choice(Channel.choices)
    content = serializers.CharField()
    result = text()


class ServiceRecordOutput(serializers.ModelSerializer[ServiceRecord]):
    class Meta:
        model = ServiceRecord
        fields = (
            "id",
            "customer",
            "occurred_at",
            "kind",
            "channel",
            "content",
            "result",
            "handled_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class NoteInput(serializers.Serializer[Any]):
    kind = choice(NoteKind.choices)
    dated = serializers.DateField()
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()


class NoteOutput(serializers.ModelSerializer[Note]):
    class Meta:
        model = Note
        fields = (
            "id",
            "customer",
            "kind",
            "dated",
            "subject",
            "body",
            "author",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
