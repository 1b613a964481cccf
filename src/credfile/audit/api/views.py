"""REST API for the audit trail: the auditor's filters, including who looked at which file."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent
from credfile.audit.selectors import AuditFilters, audit_event_search, can_audit
from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user, paginate


class AuditQuery(serializers.Serializer[Any]):
    actor = serializers.CharField(required=False, max_length=150, help_text=_("Username"))
    customer = serializers.CharField(
        required=False, max_length=40, help_text=_("Customer id or code")
    )
    action = serializers.ChoiceField(AuditAction.choices, required=False)
    object_type = serializers.CharField(required=False, max_length=60)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False, help_text=_("Inclusive."))
    reads = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Only the looks at credit files: views of a file or section, uses under a grant, "
            "reveals, credit reports, exports and lookups. With `customer`: who looked at this "
            "file; with `actor`: what this user looked at."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": [_("The end date is before the start date.")]}
            )
        return attrs


class AuditEventOutput(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label", read_only=True)
    ip = serializers.CharField(read_only=True, allow_null=True)
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = (
            "seq",
            "occurred_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "customer_id",
            "ip",
            "request_id",
            "before",
            "after",
            "hash",
        )
        read_only_fields = fields


class AuditEventViewSet(viewsets.GenericViewSet[AuditEvent]):
    """The audit trail (审计日志), newest first; for auditors (and the administrator)."""

    @extend_schema(
        parameters=[AuditQuery],
        responses={200: AuditEventOutput, **problem_responses(400, 404)},
    )
    def list(self, request: Request) -> Response:
        user = api_user(request)
        if not can_audit(user):
            raise Http404  # as on the pages: the trail does not exist for others
        query = AuditQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = AuditFilters(**query.validated_data)
        return paginate(
            self, audit_event_search(user=user, filters=filters), ("-seq",), AuditEventOutput
        )


urlpatterns: list[URLPattern] = [
    path("audit/events/", AuditEventViewSet.as_view({"get": "list"}), name="audit-events"),
]
