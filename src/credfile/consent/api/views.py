"""REST API: consent records, the credit report and a person's data export."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, views
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.consent.choices import ConsentChannel, ConsentPurpose
from credfile.consent.models import Consent
from credfile.consent.services import consent_record, consent_withdraw, require_consent
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Action, Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet, api_user
from credfile.customers.exports import personal_data_export
from credfile.customers.selectors import customer_get
from credfile.customers.services import record_report_use
from credfile.financials.report import latest_ratios
from credfile.transactions.receivables import behaviour_document, file_figures


class ConsentInput(serializers.Serializer[Any]):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    scope = serializers.CharField()
    channel = serializers.ChoiceField(choices=ConsentChannel.choices)
    given_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.CharField(max_length=200)


class ConsentOutput(serializers.ModelSerializer[Consent]):
    class Meta:
        model = Consent
        fields = (
            "id",
            "customer",
            "purpose",
            "scope",
            "channel",
            "given_on",
            "expires_on",
            "evidence",
            "withdrawn_on",
            "withdrawal_reason",
            "recorded_by",
            "created_at",
        )
        read_only_fields = fields


class WithdrawInput(serializers.Serializer[Any]):
    reason = serializers.CharField()
    withdrawn_on = serializers.DateField(required=False)


class ConsentViewSet(CustomerChildViewSet):
    """Consent records of a customer (purpose, scope, channel, date, evidence, withdrawal)."""

    resource = ChildResource(
        segment="consents",
        section=Section.CONSENTS,
        model=Consent,
        input=ConsentInput,
        output=ConsentOutput,
        create=consent_record,
        ordering=("-given_on", "-id"),
    )


class ConsentWithdrawView(views.APIView):
    @extend_schema(
        request=WithdrawInput, responses={200: ConsentOutput, **problem_responses(400, 403, 404)}
    )
    def post(self, request: Request, customer_pk: int, pk: int) -> Response:
        """Withdraw a consent; it is kept, marked withdrawn, with the reason."""
        # Viewable is enough to find it; the service refuses (403) without the right to change.
        customer = customer_get(user=request.user, pk=customer_pk, trace=False)
        consent = get_object_or_404(Consent, customer=customer, pk=pk)
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_withdraw(
            actor=api_user(request),
            consent=consent,
            reason=data.validated_data["reason"],
            withdrawn_on=data.validated_data.get("withdrawn_on"),
        )
        return Response(ConsentOutput(consent).data)


class CreditReportView(views.APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, **problem_responses(403, 404)})
    def get(self, request: Request, customer_pk: int) -> Response:
        """Payment behaviour (payment index, days beyond terms of the last 12 months'
        payments, weighted by amount) and ageing per currency, and ratios. An individual's
        report needs their consent to a credit report query; the query is logged with it."""
        # The report's own record (with its consent) is the trace of this read.
        customer = customer_get(
            user=request.user, pk=customer_pk, action=Action.REPORT, trace=False
        )
        consent = require_consent(customer=customer, purpose=ConsentPurpose.CREDIT_REPORT)
        record_report_use(actor=api_user(request), customer=customer, consent=consent)
        access = customer.access  # type: ignore[attr-defined]
        body: dict[str, Any] = {
            "customer": customer.pk,
            "consent": consent.pk if consent else None,
            "sections": sorted(access.sections),
        }
        # Each part of the report comes from one section, given only to whoever sees it.
        if access.sees(Section.TRANSACTIONS):
            # Per currency, the figures of the file's transactions section.
            body |= behaviour_document(file_figures(customer.pk, as_of=timezone.localdate()))
        if access.sees(Section.FINANCIALS):
            ratios = latest_ratios(customer)
            body["ratios"] = (
                None
                if ratios is None
                else {
                    k: (str(v) if v is not None else None)
                    for k, v in vars(ratios).items()
                    if k not in {"period_end", "currency", "reasons"}
                }
                | {"period_end": ratios.period_end.isoformat(), "currency": ratios.currency}
            )
        return Response(body)


class PersonalDataView(views.APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, **problem_responses(400, 403, 404)})
    def get(self, request: Request, customer_pk: int) -> Response:
        """All of an individual's personal data, in clear, for an access request (audited)."""
        # Found if viewable (403 without the export right); the export records itself.
        customer = customer_get(user=request.user, pk=customer_pk, trace=False)
        return Response(
            personal_data_export(actor=api_user(request), customer=customer, fmt="json")
        )


urlpatterns: list[URLPattern] = [
    ConsentViewSet.urlpattern(),
    path(
        "customers/<id:customer_pk>/consents/<id:pk>/withdraw/",
        ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "customers/<id:customer_pk>/credit-report/",
        CreditReportView.as_view(),
        name="credit-report",
    ),
    path(
        "customers/<id:customer_pk>/personal-data/",
        PersonalDataView.as_view(),
        name="personal-data",
    ),
]
