"""REST API v1: open orders written by an ERP, and blocking credit under a limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.models import Currency
from credfile.core.permissions import Action, Section, customer_scope
from credfile.customers.api.views import api_user, paginate
from credfile.limits.choices import OrderClosing, OrderKind
from credfile.limits.models import CreditLimit, OpenOrder
from credfile.limits.orders import (
    CREATED,
    REFERENCE_MAX,
    OrderData,
    RowErrors,
    bulk_max,
    open_order_close,
    open_order_put,
    open_orders_bulk,
    resolve_customers,
    visible_orders,
)
from credfile.limits.services import limit_block

CUSTOMER_HELP = gettext_lazy("Credfile code, external (ERP) code, credit code or ID number.")


class OpenOrderInput(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=64, help_text=CUSTOMER_HELP)
    reference = serializers.CharField(
        max_length=REFERENCE_MAX,
        help_text=gettext_lazy("The order's or delivery note's number in the ERP."),
    )
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.ChoiceField(Currency.choices)
    kind = serializers.ChoiceField(OrderKind.choices)


class OpenOrderOutput(serializers.ModelSerializer[OpenOrder]):
    customer_code = serializers.CharField(source="customer.code", read_only=True)

    class Meta:
        model = OpenOrder
        fields = (
            "id",
            "customer",
            "customer_code",
            "reference",
            "amount",
            "currency",
            "kind",
            "is_open",
            "closed_as",
            "closed_at",
            "created_at",
        )
        read_only_fields = fields


class OpenOrderQuery(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=64, required=False, help_text=CUSTOMER_HELP)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(OrderKind.choices, required=False)
    currency = serializers.ChoiceField(Currency.choices, required=False)


class OpenOrderCloseInput(serializers.Serializer[Any]):
    closed_as = serializers.ChoiceField(OrderClosing.choices)


class OpenOrderBulkInput(serializers.Serializer[Any]):
    rows = OpenOrderInput(many=True)


class OpenOrderBulkOutput(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = OpenOrderOutput(many=True)


def _one_customer(user: Any, ref: str, field: str = "customer") -> Any:
    """The file `ref` names, or the exposure check's 400 answers."""
    matches = resolve_customers(user, [ref])[ref]
    if not matches:
        raise serializers.ValidationError(
            {field: [_("No customer you may see has this code or number.")]}
        )
    if len(matches) > 1:
        raise serializers.ValidationError(
            {field: [_("This names more than one customer; use the customer code.")]}
        )
    return matches[0]


def _forbidden(exc: PermissionDenied) -> ApiPermissionDenied:
    return ApiPermissionDenied(str(exc))


class OpenOrderListView(generics.GenericAPIView[OpenOrder]):
    """Open orders (未结订单) of the files whose limits one may view: orders taken and
    shipments not yet invoiced, which count as exposure while open."""

    serializer_class = OpenOrderOutput

    @extend_schema(
        operation_id="open_orders_list",
        parameters=[OpenOrderQuery],
        responses={200: OpenOrderOutput(many=True), **problem_responses(400)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        query = OpenOrderQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        queryset = visible_orders(user).select_related("customer")
        if data.get("customer"):
            ref = data["customer"]
            ids = [c.pk for c in resolve_customers(user, [ref])[ref]]
            queryset = queryset.filter(customer_id__in=ids)
        if data.get("open") is not None:
            queryset = queryset.filter(is_open=data["open"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("currency"):
            queryset = queryset.filter(currency=data["currency"])
        return paginate(self, queryset, ("-id",), OpenOrderOutput)

    @extend_schema(
        request=OpenOrderInput,
        responses={
            200: OpenOrderOutput,
            201: OpenOrderOutput,
            **problem_responses(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        """Record an order: 201 when new; 200 with the order kept under the same reference
        for the customer (updated when the amount, currency or kind differ)."""
        user = api_user(request)
        data = OpenOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = _one_customer(user, values["customer"])
        try:
            written = open_order_put(
                actor=user,
                data=OrderData(
                    customer=customer,
                    reference=values["reference"],
                    amount=values["amount"],
                    currency=values["currency"],
                    kind=values["kind"],
                ),
            )
        except PermissionDenied as exc:
            raise _forbidden(exc) from None
        code = status.HTTP_201_CREATED if written.outcome == CREATED else status.HTTP_200_OK
        return Response(OpenOrderOutput(written.order).data, status=code)


class OpenOrderDetailView(generics.GenericAPIView[OpenOrder]):
    serializer_class = OpenOrderOutput

    @extend_schema(responses={200: OpenOrderOutput, **problem_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        order = get_object_or_404(visible_orders(user).select_related("customer"), pk=pk)
        return Response(OpenOrderOutput(order).data)


class OpenOrderCloseView(generics.GenericAPIView[OpenOrder]):
    serializer_class = OpenOrderCloseInput

    @extend_schema(
        request=OpenOrderCloseInput,
        responses={200: OpenOrderOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Close an order, invoiced or cancelled: it no longer counts as exposure. Closing
        a closed order answers with it unchanged."""
        user = api_user(request)
        order = get_object_or_404(visible_orders(user), pk=pk)
        data = OpenOrderCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            closed = open_order_close(
                actor=user, order=order, closed_as=data.validated_data["closed_as"]
            )
        except PermissionDenied as exc:
            raise _forbidden(exc) from None
        closed = OpenOrder.objects.select_related("customer").get(pk=closed.pk)
        return Response(OpenOrderOutput(closed).data)


class OpenOrderBulkView(generics.GenericAPIView[OpenOrder]):
    serializer_class = OpenOrderBulkInput

    @extend_schema(
        request=OpenOrderBulkInput,
        responses={200: OpenOrderBulkOutput, **problem_responses(400)},
    )
    def post(self, request: Request) -> Response:
        """Record many orders in one transaction: all of them or none. A wrong row is named
        in `errors` as `rows.<index>.<field>`; nothing is written then."""
        user = api_user(request)
        body = request.data if isinstance(request.data, dict) else {}
        rows = body.get("rows")
        if isinstance(rows, list) and len(rows) > bulk_max():
            raise serializers.ValidationError(
                {"rows": [_("At most %(max)d orders in one request.") % {"max": bulk_max()}]}
            )
        data = OpenOrderBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data["rows"]
        if not values:
            raise serializers.ValidationError({"rows": [_("Send at least one order.")]})
        found = resolve_customers(user, [v["customer"] for v in values])
        errors: list[dict[str, list[str]]] = [{} for _row in values]
        for i, v in enumerate(values):
            matches = found[v["customer"]]
            if not matches:
                errors[i]["customer"] = [_("No customer you may see has this code or number.")]
            elif len(matches) > 1:
                errors[i]["customer"] = [
                    _("This names more than one customer; use the customer code.")
                ]
        if any(errors):
            raise serializers.ValidationError({"rows": errors})
        orders = [
            OrderData(
                customer=found[v["customer"]][0],
                reference=v["reference"],
                amount=v["amount"],
                currency=v["currency"],
                kind=v["kind"],
            )
            for v in values
        ]
        try:
            result = open_orders_bulk(actor=user, rows=orders)
        except RowErrors as exc:
            raise serializers.ValidationError({"rows": exc.rows}) from None
        ids = [w.order.pk for w in result.written]
        by_id = {o.pk: o for o in OpenOrder.objects.filter(pk__in=ids).select_related("customer")}
        body = {
            "created": result.count("created"),
            "updated": result.count("updated"),
            "unchanged": result.count("unchanged"),
            "results": [by_id[i] for i in ids],
        }
        return Response(OpenOrderBulkOutput(body).data)


# --- blocking credit ---------------------------------------------------------------------------


class CreditLimitBlockInput(serializers.Serializer[Any]):
    blocked = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=2000, help_text=gettext_lazy("Why credit is blocked or unblocked.")
    )


class CreditLimitBlockOutput(serializers.ModelSerializer[CreditLimit]):
    """A customer's limit (customer set) or a customer group's (group set)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True, allow_null=True)

    class Meta:
        model = CreditLimit
        fields = (
            "id",
            "customer",
            "customer_code",
            "group",
            "currency",
            "amount",
            "valid_until",
            "blocked",
            "block_reason",
            "blocked_by",
            "blocked_at",
        )
        read_only_fields = fields


class CreditLimitBlockView(generics.GenericAPIView[CreditLimit]):
    serializer_class = CreditLimitBlockInput

    @extend_schema(
        request=CreditLimitBlockInput,
        responses={
            200: CreditLimitBlockOutput,
            **problem_responses(400, 403, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Block (暂停授信) or unblock credit under a limit in force, with the reason: a
        credit manager or the executive. While blocked the exposure check refuses every
        order in the limit's currency (`blocked`)."""
        user = api_user(request)
        limit = get_object_or_404(
            CreditLimit.objects.filter(
                customer_scope(user, Action.VIEW, prefix="customer__", section=Section.LIMITS)
            ),
            pk=pk,
        )
        data = CreditLimitBlockInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            limit_block(
                actor=user,
                limit=limit,
                blocked=data.validated_data["blocked"],
                reason=data.validated_data["reason"],
            )
        except PermissionDenied as exc:
            raise _forbidden(exc) from None
        limit = CreditLimit.objects.select_related("customer").get(pk=limit.pk)
        return Response(CreditLimitBlockOutput(limit).data)


urlpatterns: list[URLPattern] = [
    path("open-orders/", OpenOrderListView.as_view(), name="open-orders"),
    path("open-orders/bulk/", OpenOrderBulkView.as_view(), name="open-orders-bulk"),
    path("open-orders/<int:pk>/", OpenOrderDetailView.as_view(), name="open-order-detail"),
    path("open-orders/<int:pk>/close/", OpenOrderCloseView.as_view(), name="open-order-close"),
    path(
        "credit-limits/<int:pk>/block/", CreditLimitBlockView.as_view(), name="credit-limit-block"
    ),
]
