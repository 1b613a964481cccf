"""REST API of change requests: list, detail, approve, reject, withdraw."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.changes import selectors, services
from credfile.changes.api.serializers import (
    ApproveInput,
    ChangeRequestOutput,
    ChangeRequestQuery,
    RejectInput,
)
from credfile.changes.models import ChangeRequest
from credfile.core.api import KeysetPagination
from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user


class ChangeRequestViewSet(viewsets.GenericViewSet[ChangeRequest]):
    """Change requests (变更申请): credit-relevant changes and deletions awaiting approval."""

    @extend_schema(
        parameters=[ChangeRequestQuery],
        responses={200: ChangeRequestOutput, **problem_responses(400)},
    )
    def list(self, request: Request) -> Response:
        """Requests you may see: yours, those you may decide, those of files you may view."""
        user = api_user(request)
        query = ChangeRequestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        queryset = (
            selectors.awaiting_decision(user=user)
            if params["scope"] == "decide"
            else selectors.request_queryset(user=user)
        )
        if params["scope"] == "mine":
            queryset = queryset.filter(maker=user)
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("customer"):
            queryset = queryset.filter(customer_id=params["customer"])
        paginator = self.paginator
        assert isinstance(paginator, KeysetPagination)
        paginator.ordering = ("-id",)
        page = list(paginator.paginate_queryset(queryset, request, view=self) or [])
        # The page's diffs with one query per kind of object changed, not one per request.
        context = {"diffs": selectors.request_diffs(page)}
        return paginator.get_paginated_response(
            ChangeRequestOutput(page, many=True, context=context).data
        )

    @extend_schema(responses={200: ChangeRequestOutput, **problem_responses(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        change = selectors.request_get(user=api_user(request), pk=pk)
        return Response(ChangeRequestOutput(change).data)

    @extend_schema(
        request=ApproveInput,
        responses={200: ChangeRequestOutput, **problem_responses(400, 403, 404, 409)},
    )
    def approve(self, request: Request, pk: int) -> Response:
        """Approve and apply. A department head of the file's department (for a head's own
        request: another head or an executive); never the maker."""
        user = api_user(request)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = selectors.request_get(user=user, pk=pk)
        change = services.change_request_approve(
            actor=user, request=change, expected_version=data.validated_data.get("version")
        )
        return Response(ChangeRequestOutput(change).data)

    @extend_schema(
        request=RejectInput,
        responses={200: ChangeRequestOutput, **problem_responses(400, 403, 404)},
    )
    def reject(self, request: Request, pk: int) -> Response:
        """Reject, with the reason."""
        user = api_user(request)
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = selectors.request_get(user=user, pk=pk)
        change = services.change_request_reject(
            actor=user, request=change, reason=data.validated_data["reason"]
        )
        return Response(ChangeRequestOutput(change).data)

    @extend_schema(
        request=None, responses={200: ChangeRequestOutput, **problem_responses(400, 403, 404)}
    )
    def withdraw(self, request: Request, pk: int) -> Response:
        """The maker withdraws a pending request."""
        user = api_user(request)
        change = selectors.request_get(user=user, pk=pk)
        change = services.change_request_withdraw(actor=user, request=change)
        return Response(ChangeRequestOutput(change).data)
