"""REST API v1: the archive's integrity inspections, for auditors and the administrator."""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user, paginate
from credfile.inspections.display import inspection_sentence
from credfile.inspections.models import Inspection
from credfile.inspections.selectors import inspection_list


class InspectionOutput(serializers.ModelSerializer[Inspection]):
    """One inspection: when, by whom, its counts and its result, worded in the caller's
    language in `summary`. Its findings are on its page."""

    started_by = serializers.CharField(source="started_by.username", default=None)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = (
            "id",
            "started_at",
            "finished_at",
            "trigger",
            "started_by",
            "result",
            "documents_checked",
            "checksum_mismatches",
            "missing_files",
            "orphaned_files",
            "events_checked",
            "chain_ok",
            "chain_break_seq",
            "seconds",
            "summary",
        )
        read_only_fields = fields

    def get_summary(self, inspection: Inspection) -> str:
        return inspection_sentence(inspection)


class InspectionListView(generics.GenericAPIView[Inspection]):
    """The inspections, newest first: auditors and the administrator; everyone else 404."""

    serializer_class = InspectionOutput

    @extend_schema(
        operation_id="inspections_list",
        responses={200: InspectionOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request) -> Response:
        queryset = inspection_list(user=api_user(request))
        return paginate(self, queryset, ("-started_at", "-id"), InspectionOutput)


urlpatterns: list[URLPattern] = [
    path("inspections/", InspectionListView.as_view(), name="inspections"),
]
