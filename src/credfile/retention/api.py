"""REST API v1: the retention schedule, read only (changes go through approval); the
department head's approval of a destruction list; destruction certificates; a person's
deletion request."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import (
    can_approve_destruction,
    can_see_certificates,
    can_see_retention_rules,
    certificate_scope,
)
from credfile.customers.api.views import api_user, paginate
from credfile.customers.selectors import customer_get
from credfile.retention.destruction import deletion_request_record, destruction_approve
from credfile.retention.models import (
    DeletionRequest,
    DestructionCertificate,
    DestructionList,
    RetentionRule,
)
from credfile.retention.selectors import certificate_list, rule_list


class RetentionRuleOutput(serializers.ModelSerializer[RetentionRule]):
    document_type = serializers.CharField(
        read_only=True, help_text="A document type, or empty for every other type."
    )
    file_status = serializers.CharField(
        read_only=True, help_text="settled, archived, or empty for either (any, for negative)."
    )

    class Meta:
        model = RetentionRule
        fields = [
            "id",
            "record_kind",
            "document_type",
            "file_status",
            "period_years",
            "period_months",
            "counts_from",
            "legal_basis",
            "is_active",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class RetentionRuleListView(generics.GenericAPIView[RetentionRule]):
    """The retention schedule: every rule with its period, the event it counts from and its
    legal basis. For administrators, department heads, executives and auditors; else 404."""

    serializer_class = RetentionRuleOutput
    pagination_class = None  # a short table

    @extend_schema(
        operation_id="retention_rules_list",
        responses={200: RetentionRuleOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not can_see_retention_rules(user):
            raise NotFound
        data: Any = RetentionRuleOutput(rule_list(), many=True).data
        return Response(data)


class CertificateOutput(serializers.ModelSerializer[DestructionCertificate]):
    class Meta:
        model = DestructionCertificate
        fields = [
            "id",
            "kind",
            "customer_id",
            "customer_code",
            "object_id",
            "department",
            "rule",
            "request",
            "legal_basis",
            "due_on",
            "approved_by",
            "destroyed_at",
            "hashes",
            "counts",
            "audit_seq",
        ]
        read_only_fields = fields


class CertificateListView(generics.GenericAPIView[DestructionCertificate]):
    """Destruction certificates, newest first: a department head the department's,
    executives and auditors all; everyone else 404. They hold no destroyed data."""

    serializer_class = CertificateOutput

    @extend_schema(
        operation_id="destruction_certificates_list",
        responses={200: CertificateOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not can_see_certificates(user):
            raise NotFound
        return paginate(
            self, certificate_list(user=user), ("-destroyed_at", "-id"), CertificateOutput
        )


class CertificateDetailView(generics.GenericAPIView[DestructionCertificate]):
    serializer_class = CertificateOutput

    @extend_schema(
        operation_id="destruction_certificates_retrieve",
        responses={200: CertificateOutput, **problem_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        found = DestructionCertificate.objects.filter(certificate_scope(user), pk=pk).first()
        if found is None:
            raise NotFound
        return Response(CertificateOutput(found).data)


# About 50 ms a file on two cores (docs/archive.md): a call stays well within a timeout.
APPROVAL_LIMIT = 500


class ApprovalInput(serializers.Serializer[Any]):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="The items to destroy; all of the list's pending items of your department "
        "if left out.",
    )


class ApprovalOutput(serializers.Serializer[Any]):
    certificates = CertificateOutput(many=True)
    refused = serializers.ListField(child=serializers.DictField())
    remaining = serializers.IntegerField(
        help_text=f"Chosen items left for another call: at most {APPROVAL_LIMIT} go per call."
    )


class DestructionApproveView(generics.GenericAPIView[DestructionList]):
    """Approve a destruction list (its pending items of your department, or those named):
    they are destroyed now, each with a certificate. Department heads; everyone else 404."""

    serializer_class = ApprovalInput

    @extend_schema(
        operation_id="destruction_lists_approve",
        request=ApprovalInput,
        responses={200: ApprovalOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        listing = DestructionList.objects.filter(pk=pk).first()
        if listing is None or not can_approve_destruction(user):
            raise NotFound
        data = ApprovalInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Nothing of the actor's department pending on the list: 403 with the reason.
        outcome = destruction_approve(
            actor=user,
            listing=listing,
            item_ids=data.validated_data.get("items"),
            limit=APPROVAL_LIMIT,
        )
        body: Any = {
            "certificates": CertificateOutput(outcome.certificates, many=True).data,
            "refused": [
                {"item": item.pk, "kind": item.kind, "object_id": item.object_id, "reason": why}
                for item, why in outcome.refused
            ],
            "remaining": outcome.remaining,
        }
        return Response(body)


class DeletionRequestInput(serializers.Serializer[Any]):
    basis = serializers.CharField(
        max_length=500,
        allow_blank=True,
        help_text="How and when the person asked; no personal data (it outlives the file).",
    )
    received_on = serializers.DateField(required=False)


class DeletionRequestOutput(serializers.ModelSerializer[DeletionRequest]):
    class Meta:
        model = DeletionRequest
        fields = ["id", "customer_id", "customer_code", "received_on", "basis", "status"]
        read_only_fields = fields


class DeletionRequestView(generics.GenericAPIView[DeletionRequest]):
    """Record a person's request to delete their file (PIPL art. 47): it is listed for
    destruction at once, for the department head's approval. Department heads of the
    file's department; others 404 (or 403 for a file they may view)."""

    serializer_class = DeletionRequestInput

    @extend_schema(
        operation_id="customers_deletion_request_create",
        request=DeletionRequestInput,
        responses={201: DeletionRequestOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, customer_pk: int) -> Response:
        user = api_user(request)
        # Found as for any write: a file the user may see but not manage answers 403.
        customer = customer_get(user=user, pk=customer_pk, trace=False)
        data = DeletionRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = deletion_request_record(
            actor=user,
            customer=customer,
            basis=data.validated_data["basis"],
            received_on=data.validated_data.get("received_on"),
        )
        return Response(DeletionRequestOutput(made).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("retention-rules/", RetentionRuleListView.as_view(), name="retention-rules"),
    path(
        "destruction-certificates/", CertificateListView.as_view(), name="destruction-certificates"
    ),
    path(
        "destruction-certificates/<id:pk>/",
        CertificateDetailView.as_view(),
        name="destruction-certificate",
    ),
    path(
        "destruction-lists/<id:pk>/approve/",
        DestructionApproveView.as_view(),
        name="destruction-list-approve",
    ),
    path(
        "customers/<id:customer_pk>/deletion-request/",
        DeletionRequestView.as_view(),
        name="customer-deletion-request",
    ),
]
