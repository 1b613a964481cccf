"""REST API v1: the retention schedule, read only (changes go through approval)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import can_see_retention_rules
from credfile.customers.api.views import api_user
from credfile.retention.models import RetentionRule
from credfile.retention.selectors import rule_list


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


urlpatterns: list[URLPattern] = [
    path("retention-rules/", RetentionRuleListView.as_view(), name="retention-rules"),
]
