"""REST API for usage applications and grants."""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.access import selectors, services
from credfile.access.api.serializers import (
    ApplicationInput,
    ApplicationOutput,
    DecisionInput,
    GrantOutput,
)
from credfile.access.models import AccessGrant, UsageApplication
from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user, paginate


class UsageApplicationViewSet(viewsets.GenericViewSet[UsageApplication]):
    """Usage applications (《客户档案使用申请表》): ask to use a file outside your scope."""

    @extend_schema(responses={200: ApplicationOutput, **problem_responses(400)})
    def list(self, request: Request) -> Response:
        """Yours; executives and auditors see all."""
        queryset = selectors.application_queryset(user=api_user(request)).select_related("grant")
        return paginate(self, queryset, ("-id",), ApplicationOutput)

    @extend_schema(
        request=ApplicationInput, responses={201: ApplicationOutput, **problem_responses(400)}
    )
    def create(self, request: Request) -> Response:
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = services.customer_by_code(values.pop("customer_code"))
        application = services.application_create(
            actor=api_user(request), customer=customer, **values
        )
        return Response(ApplicationOutput(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ApplicationOutput, **problem_responses(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(
            ApplicationOutput(selectors.application_get(user=api_user(request), pk=pk)).data
        )

    @extend_schema(
        request=DecisionInput, responses={200: GrantOutput, **problem_responses(400, 403, 404)}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """An executive approves; the applicant gets a grant for the period."""
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = selectors.application_get(user=api_user(request), pk=pk)
        grant = services.application_approve(
            actor=api_user(request), application=application, note=data.validated_data["note"]
        )
        return Response(GrantOutput(grant).data)

    @extend_schema(
        request=DecisionInput,
        responses={200: ApplicationOutput, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """An executive rejects, giving the reason in `note`."""
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = selectors.application_get(user=api_user(request), pk=pk)
        application = services.application_reject(
            actor=api_user(request), application=application, note=data.validated_data["note"]
        )
        return Response(ApplicationOutput(application).data)

    @extend_schema(
        request=None, responses={200: ApplicationOutput, **problem_responses(400, 403, 404)}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        application = selectors.application_get(user=api_user(request), pk=pk)
        application = services.application_withdraw(
            actor=api_user(request), application=application
        )
        return Response(ApplicationOutput(application).data)


class GrantViewSet(viewsets.GenericViewSet[AccessGrant]):
    """Your grants that are in force now."""

    @extend_schema(responses={200: GrantOutput, **problem_responses(400)})
    def list(self, request: Request) -> Response:
        return paginate(
            self, selectors.active_grants(user=api_user(request)), ("-id",), GrantOutput
        )


urlpatterns: list[URLPattern] = [
    path(
        "usage-applications/",
        UsageApplicationViewSet.as_view({"get": "list", "post": "create"}),
        name="usage-application-list",
    ),
    path(
        "usage-applications/<id:pk>/",
        UsageApplicationViewSet.as_view({"get": "retrieve"}),
        name="usage-application-detail",
    ),
    *[
        path(
            f"usage-applications/<id:pk>/{verb}/",
            UsageApplicationViewSet.as_view({"post": verb}),
            name=f"usage-application-{verb}",
        )
        for verb in ("approve", "reject", "withdraw")
    ],
    path("grants/", GrantViewSet.as_view({"get": "list"}), name="grant-list"),
]
