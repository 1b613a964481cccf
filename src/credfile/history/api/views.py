"""REST API of a file's history: versions, the difference between two, the file as of a date."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api import KeysetPagination
from credfile.core.api_schema import problem_responses
from credfile.core.masking import mask
from credfile.customers.api.views import api_user
from credfile.customers.models import Customer
from credfile.history import selectors
from credfile.history.api.serializers import (
    AsOfOutput,
    AsOfQuery,
    DiffOutput,
    DiffQuery,
    VersionOutput,
)
from credfile.history.models import FileVersion
from credfile.history.services import CUSTOMER_LABEL, RECORD_MODELS
from credfile.history.views import history_customer


def masked(label: str, data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with its sealed values masked."""
    sealed = selectors.sealed_names(label)
    return {k: (mask(k, v) if k in sealed else v) for k, v in data.items()}


class FileHistoryViewSet(viewsets.GenericViewSet[FileVersion]):
    """The history of a credit file (档案历史): every version of the file and its records."""

    def _customer(self, request: Request, customer_pk: int, use: str) -> Customer:
        return history_customer(api_user(request), customer_pk, use)

    @extend_schema(responses={200: VersionOutput(many=True), **problem_responses(400, 404)})
    def versions(self, request: Request, customer_pk: int) -> Response:
        """Newest first, each with the fields it changed (sensitive values masked)."""
        customer = self._customer(request, customer_pk, "api history")
        paginator = self.paginator
        assert isinstance(paginator, KeysetPagination)
        paginator.ordering = ("-id",)
        page = paginator.paginate_queryset(
            selectors.versions_queryset(customer.pk), request, view=self
        )
        rows = selectors.version_rows(list(page or []))
        output = VersionOutput(cast(Any, rows), many=True)
        return paginator.get_paginated_response(output.data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
        ],
        responses={200: DiffOutput, **problem_responses(400, 404)},
    )
    def diff(self, request: Request, customer_pk: int) -> Response:
        """What differs between two versions of the file, object by object."""
        customer = self._customer(request, customer_pk, "api history diff")
        query = DiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, second = query.validated_data["from"], query.validated_data["to"]
        a = selectors.file_state_at_version(customer.pk, first)
        b = selectors.file_state_at_version(customer.pk, second)
        if a is None or b is None:
            raise ValidationError(
                {
                    "from" if a is None else "to": [
                        _("This file has no recorded version with that number.")
                    ]
                }
            )
        objects = [d.as_json() for d in selectors.diff_states(a, b)]
        return Response({"from": first, "to": second, "objects": objects})

    @extend_schema(
        parameters=[OpenApiParameter("date", str, required=True, description="YYYY-MM-DD")],
        responses={200: AsOfOutput, **problem_responses(400, 404)},
    )
    def as_of(self, request: Request, customer_pk: int) -> Response:
        """The file and all its records as they were at the end of `date`."""
        customer = self._customer(request, customer_pk, "api as of")
        query = AsOfQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data["date"]
        state = selectors.file_state(customer.pk, selectors.end_of_day(day))
        data = state.objects.get((CUSTOMER_LABEL, customer.pk))
        records = {
            label.split(".", 1)[1]: [masked(label, d) for d in state.of(label).values()]
            for label in RECORD_MODELS
        }
        if data is None:
            records = {label: [] for label in records}
        return Response(
            {
                "date": day.isoformat(),
                "version": state.version if data is not None else None,
                "exists": data is not None,
                "customer": masked(CUSTOMER_LABEL, data) if data is not None else None,
                "records": records,
            }
        )
