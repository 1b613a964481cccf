"""The receivables ageing through the API: the same figures as `credfile ageing`."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.core.api_schema import problem_responses
from credfile.customers.api.views import api_user
from credfile.transactions.receivables import (
    GROUPINGS,
    ageing_document,
    ageing_report,
    receivables_scope,
)


class AgeingQuery(serializers.Serializer[Any]):
    as_of = serializers.DateField(
        required=False, help_text=_("The day the ageing is taken on; today if not given.")
    )
    by = serializers.ChoiceField(
        sorted(GROUPINGS), required=False, help_text=_("Group the ageing.")
    )


def _amounts(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(
        **kwargs,
        child=serializers.DictField(child=serializers.CharField()),
        help_text=_(
            "Per currency, the open amount in each ageing bucket (current, d1_30, d31_60, "
            "d61_90, d90_plus unless configured otherwise) and the total, as decimal strings."
        ),
    )


class AgeingGroupOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    currencies = _amounts()


class AgeingOutput(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    by = serializers.ChoiceField(sorted(GROUPINGS), required=False)
    # The portfolio's document has the currencies; a grouped one (by=…) has the groups.
    currencies = _amounts(required=False)
    groups = AgeingGroupOutput(many=True, required=False)


class AgeingView(APIView):
    """Receivables ageing (应收账款账龄) per currency, of the files the caller may see: open
    amounts as of a date, counting only payments received by then."""

    @extend_schema(
        parameters=[AgeingQuery],
        responses={200: AgeingOutput, **problem_responses(400)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        query = AgeingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of: datetime.date = query.validated_data.get("as_of") or timezone.localdate()
        by = query.validated_data.get("by")
        figures = ageing_report(scope=receivables_scope(user), as_of=as_of, by=by)
        return Response(ageing_document(figures, as_of=as_of, by=by))


urlpatterns: list[URLPattern] = [
    path("receivables/ageing/", AgeingView.as_view(), name="receivables-ageing"),
]
