"""REST API v1: the file's timeline (`customers/timeline.py`), newest first by keyset."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user
from credfile.customers.selectors import customer_get
from credfile.customers.timeline import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Before,
    timeline_kinds,
    timeline_page,
)


class WholeMinuteOffsetDateTimeField(serializers.DateTimeField):
    """An RFC 3339 date-time whatever the date: a day long ago starts at the zone's local mean
    time (Asia/Shanghai before 1901: +08:05:43), an offset RFC 3339 cannot write, so such a
    time is given in UTC instead."""

    def to_representation(self, value: Any) -> Any:
        if not isinstance(value, datetime.datetime):
            return super().to_representation(value)
        local = self.enforce_timezone(value)
        offset = local.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            local = local.astimezone(datetime.UTC)
        text = local.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class TimelineEntryOutput(serializers.Serializer[Any]):
    """One entry: its kind, time and record id; title and summary in the caller's language."""

    kind = serializers.CharField()
    id = serializers.IntegerField()
    when = WholeMinuteOffsetDateTimeField()
    all_day = serializers.BooleanField(
        help_text=_("A date-only record, placed at its day's start.")
    )
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(help_text=_("The page that shows the record."))
    actor = serializers.CharField()


class TimelineOutput(serializers.Serializer[Any]):
    kinds = serializers.ListField(
        child=serializers.CharField(), help_text=_("The kinds the caller may see on this file.")
    )
    results = TimelineEntryOutput(many=True)
    before = serializers.CharField(
        allow_null=True, help_text=_("The next page's `before`; null on the last page.")
    )
    next = serializers.CharField(allow_null=True, help_text=_("The next page's address."))


class TimelineQuery(serializers.Serializer[Any]):
    kind = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("Kinds to show (repeat the parameter); all the caller may see by default."),
    )
    before = serializers.CharField(
        required=False, help_text=_("The position a page ends at, from the previous page.")
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE
    )

    def validate_kind(self, value: list[str]) -> list[str]:
        known = timeline_kinds()
        unknown = [k for k in value if k not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown kind: %(kinds)s. Known: %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(known)}
            )
        return value

    def validate_before(self, value: str) -> Before:
        try:
            return Before.decode(value)
        except ValueError:
            raise serializers.ValidationError(
                _("This position is not valid; start from the first page.")
            ) from None


class CustomerTimelineView(APIView):
    """The file's timeline: service records, notes, complaints, collection actions, reviews,
    ratings, limit requests and events, newest first — only the kinds of the sections the
    caller may see on the file. Page on with `before`."""

    @extend_schema(
        operation_id="customers_timeline_list",
        parameters=[TimelineQuery],
        responses={200: TimelineOutput, **problem_responses(400, 404)},
    )
    def get(self, request: Request, customer_pk: int) -> Response:
        user = api_user(request)
        query = TimelineQuery(
            data={
                **(
                    {"kind": request.query_params.getlist("kind")}
                    if "kind" in request.query_params
                    else {}
                ),
                **{
                    k: request.query_params[k]
                    for k in ("before", "page_size")
                    if k in request.query_params
                },
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        customer = customer_get(user=user, pk=customer_pk, use="api timeline")
        page = timeline_page(
            user=user,
            customer=customer,
            kinds=data.get("kind"),
            before=data.get("before"),
            limit=data["page_size"],
        )
        following = page.next.encode() if page.next else None
        link = None
        if following:
            params = request.query_params.copy()
            params["before"] = following
            link = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        body = {
            "kinds": [s.kind for s in page.kinds],
            "results": TimelineEntryOutput(page.entries, many=True).data,
            "before": following,
            "next": link,
        }
        return Response(body)


urlpatterns: list[URLPattern] = [
    path(
        "customers/<id:customer_pk>/timeline/",
        CustomerTimelineView.as_view(),
        name="customer-timeline",
    ),
]
