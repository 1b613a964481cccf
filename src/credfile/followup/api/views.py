"""REST API v1: a file's collection actions and the overdue list."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, can_see_overdue_list
from credfile.customers.api.views import ChildResource, CustomerChildViewSet, api_user
from credfile.followup.api.serializers import ActionInput, ActionOutput, OverdueOutput, OverdueQuery
from credfile.followup.models import CollectionAction
from credfile.followup.selectors import OverdueFilters, overdue_invoices
from credfile.followup.services import collection_action_create
from credfile.transactions.models import Invoice


class CollectionActionViewSet(CustomerChildViewSet):
    """Collection actions on the file's invoices (reminders, calls, visits, letters,
    promises to pay, disputes). Recording one needs the right to change the file; a
    recorded action is not changed."""

    resource = ChildResource(
        segment="collection-actions",
        section=Section.TRANSACTIONS,
        model=CollectionAction,
        input=ActionInput,
        output=ActionOutput,
        create=collection_action_create,
        ordering=("-action_date", "-id"),
    )


class OverdueInvoiceViewSet(viewsets.GenericViewSet[Invoice]):
    """The overdue list: open invoices past their due date in your files."""

    @extend_schema(
        parameters=[OverdueQuery], responses={200: OverdueOutput, **problem_responses(400, 404)}
    )
    def list(self, request: Request) -> Response:
        """An account manager gets the files they manage, a department head the department,
        credit managers, executives and auditors every file; ordered by the next-action
        date, invoices without one last. Amounts per invoice in its currency."""
        user = api_user(request)
        if not can_see_overdue_list(user):
            raise NotFound
        query = OverdueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        filters = OverdueFilters(
            department=data.get("department"),
            manager=data.get("manager"),
            broken=bool(data.get("broken")),
            band=data.get("band", ""),
        )
        today = timezone.localdate()
        queryset = overdue_invoices(user=user, filters=filters, today=today)
        paginator = self.paginator
        assert paginator is not None
        paginator.ordering = ("next_key", "id")  # type: ignore[attr-defined]
        page = paginator.paginate_queryset(queryset, request, view=self)
        output = OverdueOutput(page, many=True, context={"today": today})
        return paginator.get_paginated_response(output.data)


urlpatterns: list[URLPattern] = [
    CollectionActionViewSet.urlpattern(),
    path(
        "overdue-invoices/", OverdueInvoiceViewSet.as_view({"get": "list"}), name="overdue-invoices"
    ),
]
