"""REST API v1: the exposure check an ERP calls before taking an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.core.api_schema import problem_responses
from credfile.core.models import Currency
from credfile.customers.api.views import api_user
from credfile.limits.services import exposure_check, find_customers


class ExposureCheckInput(serializers.Serializer[Any]):
    customer = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("Credfile code, external (ERP) code, credit code or ID number."),
    )
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=gettext_lazy("The order's amount."),
    )
    currency = serializers.ChoiceField(Currency.choices)


class ReasonOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class ExposureCheckOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    customer = serializers.CharField(help_text=gettext_lazy("The file's credfile code."))
    allowed = serializers.BooleanField()
    exposure = serializers.DecimalField(max_digits=18, decimal_places=2)
    limit = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    headroom = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    reasons = ReasonOutput(many=True)


class ExposureCheckView(APIView):
    """Exposure check (敞口检查): may an order of this amount be taken? Exposure = open
    receivables in the currency + counted open orders + this order; refused over the limit
    with its tolerance, with no or an expired limit, blocked credit, invoices overdue
    beyond the allowed days, or a grade below the floor. Every check is recorded."""

    @extend_schema(
        request=ExposureCheckInput,
        responses={200: ExposureCheckOutput, **problem_responses(400)},
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        data = ExposureCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        ref = data.validated_data["customer"]
        matches = find_customers(user, ref)
        if not matches:
            # The same answer for a file outside one's scope: it does not exist for them.
            raise serializers.ValidationError(
                {"customer": [_("No customer you may see has this code or number.")]}
            )
        if len(matches) > 1:
            raise serializers.ValidationError(
                {"customer": [_("This names more than one customer; use the customer code.")]}
            )
        customer = matches[0]
        outcome = exposure_check(
            actor=user,
            customer=customer,
            amount=data.validated_data["amount"],
            currency=data.validated_data["currency"],
        )
        assert outcome.check is not None
        body = {
            "id": outcome.check.pk,
            "customer": customer.code,
            "allowed": outcome.allowed,
            "exposure": outcome.exposure,
            "limit": outcome.limit,
            "headroom": outcome.headroom,
            "currency": outcome.currency,
            "reasons": outcome.reasons,
        }
        return Response(ExposureCheckOutput(body).data)


urlpatterns: list[URLPattern] = [
    path("exposure-checks/", ExposureCheckView.as_view(), name="exposure-checks"),
]
