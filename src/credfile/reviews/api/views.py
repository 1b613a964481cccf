"""REST API v1: the review queue, a file's reviews, review policies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section
from credfile.customers.api.views import (
    ChildResource,
    CustomerChildViewSet,
    api_user,
    paginate,
)
from credfile.reviews import selectors, services
from credfile.reviews.api.serializers import (
    PolicyInput,
    PolicyOutput,
    PolicyUpdateInput,
    QueueEntryOutput,
    QueueQuery,
    ReviewInput,
    ReviewOutput,
)
from credfile.reviews.models import Review, ReviewPolicy, ReviewSchedule


class ReviewQueueViewSet(viewsets.GenericViewSet[ReviewSchedule]):
    """Files due or overdue for their periodic review, within your scope."""

    @extend_schema(
        parameters=[QueueQuery], responses={200: QueueEntryOutput, **problem_responses(400)}
    )
    def list(self, request: Request) -> Response:
        """Department heads get their department, account managers their own files, credit
        managers, executives and auditors all departments; ordered by next review date."""
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = selectors.QueueFilters(
            state=query.validated_data["state"],
            department=query.validated_data.get("department"),
            risk=query.validated_data.get("risk", ""),
        )
        queue = selectors.review_queue(user=api_user(request), filters=filters)
        return paginate(self, queue, ("next_review_on", "customer_id"), QueueEntryOutput)


def _review_arguments(data: dict[str, Any]) -> dict[str, Any]:
    data["proposed_changes"] = dict(data.get("proposed_changes") or {})
    return data


class CustomerReviewViewSet(CustomerChildViewSet):
    """Periodic reviews of a credit file. Recording one needs the right to change the file;
    a recorded review cannot be changed."""

    resource = ChildResource(
        segment="reviews",
        section=Section.REVIEWS,
        model=Review,
        input=ReviewInput,
        output=ReviewOutput,
        create=services.review_submit,
        ordering=("-id",),
        prefetch=("reviewer",),
        arguments=_review_arguments,
    )


class ReviewPolicyViewSet(viewsets.GenericViewSet[ReviewPolicy]):
    """Review policies: the review cycle by risk level or category. Everyone reads them;
    credit managers and administrators change them."""

    @extend_schema(responses={200: PolicyOutput, **problem_responses(400)})
    def list(self, request: Request) -> Response:
        return paginate(self, selectors.policy_queryset(), ("id",), PolicyOutput)

    @extend_schema(responses={200: PolicyOutput, **problem_responses(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(PolicyOutput(get_object_or_404(selectors.policy_queryset(), pk=pk)).data)

    @extend_schema(
        request=PolicyInput, responses={201: PolicyOutput, **problem_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        if not services.can_manage_policies(user):
            raise PermissionDenied
        data = PolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.policy_create(actor=user, **data.validated_data)
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PolicyUpdateInput,
        responses={200: PolicyOutput, **problem_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        if not services.can_manage_policies(user):
            raise PermissionDenied
        policy = get_object_or_404(selectors.policy_queryset(), pk=pk)
        data = PolicyUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        policy = services.policy_update(
            actor=user, policy=policy, fields=fields, expected_version=version
        )
        return Response(PolicyOutput(policy).data)


urlpatterns: list[URLPattern] = [
    path("reviews/", ReviewQueueViewSet.as_view({"get": "list"}), name="review-queue"),
    CustomerReviewViewSet.urlpattern(),
    path(
        "review-policies/",
        ReviewPolicyViewSet.as_view({"get": "list", "post": "create"}),
        name="review-policy-list",
    ),
    path(
        "review-policies/<id:pk>/",
        ReviewPolicyViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="review-policy-detail",
    ),
]
