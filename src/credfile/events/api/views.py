"""REST API v1: customer events, their invitations (in bulk, all or none), replies and
attendance, and a file's events."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, can_see_events, invitation_change_scope
from credfile.customers.api.views import api_user, paginate
from credfile.customers.selectors import customer_get
from credfile.events import services
from credfile.events.api.serializers import (
    AttendanceInput,
    AttendanceOutput,
    EventInput,
    EventOutput,
    EventPatch,
    EventQuery,
    EventTransitionInput,
    InvitationOutput,
    InvitationStatusInput,
    InviteInput,
)
from credfile.events.models import CustomerEvent, Invitation
from credfile.events.selectors import EventFilters, event_get, event_invitations, event_list


def _changeable(user: Any, pk: int) -> CustomerEvent:
    """An event one sees (else 404) and may change (else 403)."""
    event = event_get(user=user, pk=pk)
    if not event.can_change:  # type: ignore[attr-defined]
        raise ApiPermissionDenied
    return event


def _out(user: Any, pk: int) -> dict[str, Any]:
    return dict(EventOutput(event_get(user=user, pk=pk)).data)


class EventListView(generics.GenericAPIView[CustomerEvent]):
    """The events one sees (the department's; every event for the roles that read every
    file), latest first."""

    serializer_class = EventOutput

    @extend_schema(
        operation_id="events_list",
        parameters=[EventQuery],
        responses={200: EventOutput(many=True), **problem_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not can_see_events(user):
            raise Http404
        query = EventQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = EventFilters(
            status=data.get("status", ""), kind=data.get("kind", ""), q=data.get("q", "")
        )
        return paginate(
            self, event_list(user=user, filters=filters), ("-starts_at", "-id"), EventOutput
        )

    @extend_schema(
        operation_id="events_create",
        request=EventInput,
        responses={201: EventOutput, **problem_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        """Plan an event of one's department."""
        user = api_user(request)
        data = EventInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            event = services.event_create(actor=user, fields=dict(data.validated_data))
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(_out(user, event.pk), status=status.HTTP_201_CREATED)


class EventDetailView(generics.GenericAPIView[CustomerEvent]):
    serializer_class = EventOutput

    @extend_schema(
        operation_id="events_retrieve", responses={200: EventOutput, **problem_responses(404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_out(api_user(request), pk))

    @extend_schema(
        operation_id="events_partial_update",
        request=EventPatch,
        responses={200: EventOutput, **problem_responses(400, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Correct a planned or open event."""
        user = api_user(request)
        event = _changeable(user, pk)
        data = EventPatch(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.event_update(actor=user, event=event, fields=dict(data.validated_data))
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(_out(user, pk))


class EventTransitionView(generics.GenericAPIView[CustomerEvent]):
    serializer_class = EventOutput

    @extend_schema(
        operation_id="events_transition",
        request=EventTransitionInput,
        responses={200: EventOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Open the event for replies, record it as held, or cancel it."""
        user = api_user(request)
        event = _changeable(user, pk)
        data = EventTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.event_transition(actor=user, event=event, status=data.validated_data["status"])
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(_out(user, pk))


class EventInvitationsView(generics.GenericAPIView[Invitation]):
    serializer_class = InvitationOutput

    @extend_schema(
        operation_id="events_invitations_list",
        responses={200: InvitationOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        """The event's invitations of the files one may see."""
        user = api_user(request)
        event = event_get(user=user, pk=pk)
        rows = event_invitations(user=user, event=event)
        return paginate(self, rows, ("customer_id", "id"), InvitationOutput)

    @extend_schema(
        operation_id="events_invitations_create",
        request=InviteInput,
        responses={201: InvitationOutput(many=True), **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Invite many files at once: every one, or none (capacity, the event's start, files
        one may add records to and files invited already are checked for all first)."""
        user = api_user(request)
        event = _changeable(user, pk)
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            created = services.invitations_create(
                actor=user,
                event=event,
                customers=data.validated_data["customers"],
                note=data.validated_data.get("note", ""),
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        rows = Invitation.objects.filter(pk__in=[i.pk for i in created]).select_related(
            "customer", "event"
        )
        return Response(InvitationOutput(rows, many=True).data, status=status.HTTP_201_CREATED)


class EventAttendanceView(generics.GenericAPIView[Invitation]):
    serializer_class = AttendanceOutput

    @extend_schema(
        operation_id="events_attendance",
        request=AttendanceInput,
        responses={200: AttendanceOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record who came, once the event has begun."""
        user = api_user(request)
        event = _changeable(user, pk)
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            counts = services.attendance_record(
                actor=user, event=event, attended=data.validated_data["attended"]
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(AttendanceOutput(counts).data)


class InvitationStatusView(generics.GenericAPIView[Invitation]):
    serializer_class = InvitationOutput

    @extend_schema(
        operation_id="invitations_status",
        request=InvitationStatusInput,
        responses={200: InvitationOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record a reply (accepted, declined) or the attendance (attended, no_show)."""
        user = api_user(request)
        invitation = Invitation.objects.filter(pk=pk).select_related("event", "customer").first()
        if invitation is None:
            raise Http404
        # Seen through its file's events section, else not found.
        customer_get(user=user, pk=invitation.customer_id, section=Section.EVENTS, trace=False)
        if not Invitation.objects.filter(invitation_change_scope(user), pk=pk).exists():
            raise ApiPermissionDenied
        data = InvitationStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.invitation_set_status(
                actor=user,
                invitation=invitation,
                status=data.validated_data["status"],
                note=data.validated_data.get("note"),
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        row = Invitation.objects.select_related("customer", "event").get(pk=pk)
        return Response(InvitationOutput(row).data)


class CustomerEventsView(generics.GenericAPIView[Invitation]):
    """The file's invitations (its events section), latest event first."""

    serializer_class = InvitationOutput

    @extend_schema(
        operation_id="customers_events_list",
        responses={200: InvitationOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request, customer_pk: int) -> Response:
        user = api_user(request)
        customer = customer_get(user=user, pk=customer_pk, section=Section.EVENTS, use="api events")
        rows = Invitation.objects.filter(customer_id=customer.pk).select_related(
            "customer", "event"
        )
        return paginate(self, rows, ("-starts_at", "-id"), InvitationOutput)


urlpatterns: list[URLPattern] = [
    path("events/", EventListView.as_view(), name="event-list"),
    path("events/<id:pk>/", EventDetailView.as_view(), name="event-detail"),
    path("events/<id:pk>/transition/", EventTransitionView.as_view(), name="event-transition"),
    path("events/<id:pk>/invitations/", EventInvitationsView.as_view(), name="event-invitations"),
    path("events/<id:pk>/attendance/", EventAttendanceView.as_view(), name="event-attendance"),
    path("invitations/<id:pk>/status/", InvitationStatusView.as_view(), name="invitation-status"),
    path(
        "customers/<id:customer_pk>/events/", CustomerEventsView.as_view(), name="customer-events"
    ),
]
