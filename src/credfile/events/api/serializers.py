"""Input and output of the customer events API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.events.choices import EventKind, EventStatus, InvitationStatus
from credfile.events.models import CustomerEvent, Invitation


class EventOutput(serializers.ModelSerializer[CustomerEvent]):
    department_name = serializers.CharField(source="department.name", read_only=True)
    taken = serializers.IntegerField(read_only=True, help_text=_("Places taken (not declined)."))
    came = serializers.IntegerField(read_only=True, help_text=_("Invitations attended."))

    class Meta:
        model = CustomerEvent
        fields = (
            "id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "taken",
            "came",
            "department",
            "department_name",
            "status",
            "description",
            "created_by",
            "created_at",
        )
        read_only_fields = fields


class EventInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(EventKind.choices, default=EventKind.APPRECIATION)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(min_value=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EventPatch(EventInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class EventQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(EventStatus.choices, required=False)
    kind = serializers.ChoiceField(EventKind.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text=_("Title or place."))


class EventTransitionInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        [(s, s.label) for s in (EventStatus.OPEN, EventStatus.HELD, EventStatus.CANCELLED)]
    )


class InvitationOutput(serializers.ModelSerializer[Invitation]):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)

    class Meta:
        model = Invitation
        fields = (
            "id",
            "event",
            "event_title",
            "customer",
            "customer_code",
            "customer_name",
            "status",
            "starts_at",
            "invited_by",
            "invited_at",
            "replied_at",
            "attendance_recorded_at",
            "note",
        )
        read_only_fields = fields


class InviteInput(serializers.Serializer[Any]):
    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
        help_text=_("The files to invite, by id: every one is invited, or none."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class InvitationStatusInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        [(s, s.label) for s in InvitationStatus if s != InvitationStatus.INVITED]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AttendanceInput(serializers.Serializer[Any]):
    attended = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        help_text=_("Invitations that came; the event's other open ones did not."),
    )


class AttendanceOutput(serializers.Serializer[Any]):
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
