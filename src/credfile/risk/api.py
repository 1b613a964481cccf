"""REST API v1: the watch list (关注名单) and a file's watch entries."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, can_see_watch_list
from credfile.customers.api.views import api_user, paginate
from credfile.customers.selectors import customer_get
from credfile.risk import selectors
from credfile.risk.choices import WatchStatus
from credfile.risk.display import reason_texts
from credfile.risk.models import WatchEntry


class WatchReasonOutput(serializers.Serializer[Any]):
    condition = serializers.CharField()
    value = serializers.CharField(allow_null=True, required=False)
    threshold = serializers.CharField(allow_null=True, required=False)
    currency = serializers.CharField(allow_null=True, required=False)


class WatchEntryOutput(serializers.ModelSerializer[WatchEntry]):
    """A watch entry: the file, the rule and its measures, the reasons found on `since`."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department = serializers.IntegerField(source="customer.department_id", read_only=True)
    rule_name = serializers.CharField(source="rule.display_name", read_only=True)
    block_credit = serializers.BooleanField(source="rule.block_credit", read_only=True)
    reasons = WatchReasonOutput(many=True, read_only=True)
    reason_texts = serializers.SerializerMethodField()

    class Meta:
        model = WatchEntry
        fields = (
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "department",
            "rule",
            "rule_name",
            "block_credit",
            "status",
            "since",
            "cleared_on",
            "reasons",
            "reason_texts",
        )
        read_only_fields = fields

    def get_reason_texts(self, entry: WatchEntry) -> list[str]:
        """The reasons worded in the caller's language."""
        return reason_texts(entry.reasons)


class WatchListQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        [*WatchStatus.choices, ("all", _("All"))], required=False, default=WatchStatus.ACTIVE
    )
    rule = serializers.IntegerField(required=False, min_value=1)
    department = serializers.IntegerField(required=False, min_value=1)
    blocking = serializers.BooleanField(
        required=False, default=False, help_text=_("Only entries that block new credit.")
    )
    q = serializers.CharField(required=False, max_length=100, help_text=_("Customer name or code."))


class WatchListView(generics.GenericAPIView[WatchEntry]):
    """The watch list: entries of the files one's role views (grants aside), newest first.
    Credit managers and executives see every file, a department head the department's;
    everyone else gets 404."""

    serializer_class = WatchEntryOutput

    @extend_schema(
        operation_id="watch_list_list",
        parameters=[WatchListQuery],
        responses={200: WatchEntryOutput(many=True), **problem_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not can_see_watch_list(user):
            raise NotFound
        query = WatchListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        status = data.get("status") or WatchStatus.ACTIVE
        filters = selectors.WatchFilters(
            status="" if status == "all" else status,
            rule=data.get("rule"),
            department=data.get("department"),
            blocking=bool(data.get("blocking")),
            q=(data.get("q") or "").strip(),
        )
        queryset = selectors.watch_list(user=user, filters=filters)
        return paginate(self, queryset, ("-since", "-id"), WatchEntryOutput)


class CustomerWatchView(generics.GenericAPIView[WatchEntry]):
    """The file's watch entries (its risk measures section), active first."""

    serializer_class = WatchEntryOutput
    pagination_class = None  # the latest 20, as the section shows them

    @extend_schema(
        operation_id="customers_watch_list",
        responses={200: WatchEntryOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request, customer_pk: int) -> Response:
        user = api_user(request)
        customer = customer_get(user=user, pk=customer_pk, section=Section.RISK, use="api watch")
        entries = selectors.file_entries(customer)
        for entry in entries:
            entry.customer = customer
        return Response(WatchEntryOutput(entries, many=True).data)


urlpatterns: list[URLPattern] = [
    path("watch-list/", WatchListView.as_view(), name="watch-list"),
    path("customers/<id:customer_pk>/watch/", CustomerWatchView.as_view(), name="customer-watch"),
]
