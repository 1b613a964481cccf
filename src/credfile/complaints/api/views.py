"""REST API v1: complaints — the open list of one's scope, recording, reading, transitions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.accounts.models import User
from credfile.complaints.api.serializers import (
    ComplaintDetailOutput,
    ComplaintInput,
    ComplaintOutput,
    ComplaintQuery,
    ComplaintTransitionInput,
    CustomerComplaintsOutput,
)
from credfile.complaints.models import Complaint
from credfile.complaints.selectors import (
    ComplaintFilters,
    complaint_get,
    complaint_list,
)
from credfile.complaints.services import (
    complaint_create,
    complaint_figures,
    complaint_transition,
)
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, can_see_complaint_list
from credfile.customers.api.views import api_user, paginate
from credfile.customers.selectors import customer_get


class ComplaintListView(generics.GenericAPIView[Complaint]):
    """The open complaints of one's scope (a status filter shows those in that status)."""

    serializer_class = ComplaintOutput

    @extend_schema(
        operation_id="complaints_list",
        parameters=[ComplaintQuery],
        responses={200: ComplaintOutput(many=True), **problem_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not can_see_complaint_list(user):
            raise Http404
        query = ComplaintQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ComplaintFilters(status=data.get("status", ""), severity=data.get("severity", ""))
        return paginate(
            self, complaint_list(user=user, filters=filters), ("due_at", "id"), ComplaintOutput
        )

    @extend_schema(
        request=ComplaintInput,
        responses={201: ComplaintOutput, **problem_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        """Record a complaint on a file one may add records to."""
        user = api_user(request)
        data = ComplaintInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            customer = customer_get(user=user, pk=values.pop("customer"), trace=False)
        except Http404:
            raise serializers.ValidationError({"customer": [_no_customer()]}) from None
        if "owner" in values:
            owner = User.objects.filter(pk=values["owner"]).first()
            if owner is None:
                raise serializers.ValidationError({"owner": [_no_owner()]})
            values["owner"] = owner
        try:
            complaint = complaint_create(actor=user, customer=customer, fields=values)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(ComplaintOutput(complaint).data, status=status.HTTP_201_CREATED)


def _no_customer() -> str:
    from django.utils.translation import gettext as _

    return _("No customer you may see has this id.")


def _no_owner() -> str:
    from django.utils.translation import gettext as _

    return _("No such user.")


class ComplaintDetailView(generics.GenericAPIView[Complaint]):
    serializer_class = ComplaintDetailOutput

    @extend_schema(responses={200: ComplaintDetailOutput, **problem_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        complaint = complaint_get(user=user, pk=pk)
        customer_get(user=user, pk=complaint.customer_id, section="complaints", use="complaint")
        return Response(ComplaintDetailOutput(complaint).data)


class ComplaintTransitionView(generics.GenericAPIView[Complaint]):
    serializer_class = ComplaintTransitionInput

    @extend_schema(
        request=ComplaintTransitionInput,
        responses={200: ComplaintDetailOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Move a complaint to another status: `resolution` to resolve, `confirmation` (the
        customer's) or `close_reason` to close."""
        user = api_user(request)
        complaint = complaint_get(user=user, pk=pk)
        data = ComplaintTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        try:
            moved = complaint_transition(actor=user, complaint=complaint, **values)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(ComplaintDetailOutput(moved).data)


class CustomerComplaintsView(generics.GenericAPIView[Complaint]):
    """The file's complaints section: its figures and its latest 100 complaints."""

    serializer_class = CustomerComplaintsOutput
    pagination_class = None  # the latest 100, as the section shows them

    @extend_schema(
        operation_id="customers_complaints",
        responses={200: CustomerComplaintsOutput, **problem_responses(404)},
    )
    def get(self, request: Request, customer_pk: int) -> Response:
        user = api_user(request)
        customer = customer_get(
            user=user, pk=customer_pk, section=Section.COMPLAINTS, use="api complaints"
        )
        rows = list(
            customer.complaints.select_related("customer", "owner").order_by("-received_at")[:100]
        )
        body = {"figures": complaint_figures([customer.pk])[customer.pk], "results": rows}
        return Response(CustomerComplaintsOutput(body).data)


urlpatterns: list[URLPattern] = [
    path(
        "customers/<id:customer_pk>/complaints/",
        CustomerComplaintsView.as_view(),
        name="customer-complaints",
    ),
    path("complaints/", ComplaintListView.as_view(), name="complaints"),
    path("complaints/<id:pk>/", ComplaintDetailView.as_view(), name="complaint-detail"),
    path(
        "complaints/<id:pk>/transition/",
        ComplaintTransitionView.as_view(),
        name="complaint-transition",
    ),
]
