"""REST API: a file's PDF report and the portfolio summary PDF (docs/reports.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from credfile.core.api import PROBLEM_CONTENT_TYPE
from credfile.core.api_schema import ProblemSerializer, problem_responses
from credfile.core.permissions import can_print_file_report, can_see_portfolio_report
from credfile.customers.api.views import api_user
from credfile.customers.selectors import customer_get
from credfile.reports.fonts import FontMissing
from credfile.reports.services import file_report_pdf, portfolio_report_pdf
from credfile.reports.views import pdf_response

_PDF = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY, description=_("The report, as a PDF attachment.")
    )
}
_UNAVAILABLE = {
    (503, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer, description="The server has no usable font for PDF reports."
    )
}


class ReportUnavailable(APIException):
    status_code = 503
    default_detail = _(
        "PDF reports are not available: the server has no usable font for Chinese text."
    )
    default_code = "report_unavailable"


class FileReportView(APIView):
    @extend_schema(
        summary="A credit file as a PDF report",
        description=(
            "The sections of the file you may see — identity, financial trend, ratings with "
            "their basis, receivables per currency, reviews, complaints — with ID and phone "
            "numbers masked as the file page masks them. `reveal=true` shows them in clear "
            "and needs the file's reveal right (else 403). A file you reach only through a "
            "usage grant is not found. Each report is an `export` event in the audit trail "
            "(and a `reveal` event when in clear)."
        ),
        parameters=[OpenApiParameter("reveal", OpenApiTypes.BOOL, required=False)],
        responses={**_PDF, **problem_responses(403, 404), **_UNAVAILABLE},
    )
    def get(self, request: Request, customer_pk: int) -> Any:
        user = api_user(request)
        customer = customer_get(user=user, pk=customer_pk, trace=False, use="api file report")
        if not can_print_file_report(user, customer):
            raise NotFound
        reveal = request.query_params.get("reveal", "").lower() in {"1", "true", "yes", "on"}
        try:
            report = file_report_pdf(actor=user, customer=customer, reveal=reveal)
        except FontMissing:
            raise ReportUnavailable from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return pdf_response(report)


class PortfolioReportView(APIView):
    @extend_schema(
        summary="The portfolio summary as a PDF",
        description=(
            "Per department of your portfolio (every department for credit managers and "
            "executives, your own for a department head): files, exposure and ageing per "
            "currency, and the grades in force. Recorded as an `export` event."
        ),
        responses={**_PDF, **problem_responses(404), **_UNAVAILABLE},
    )
    def get(self, request: Request) -> Any:
        user = api_user(request)
        # A role without the portfolio learns nothing: the route is not there.
        if not can_see_portfolio_report(user):
            raise NotFound
        try:
            report = portfolio_report_pdf(actor=user)
        except FontMissing:
            raise ReportUnavailable from None
        return pdf_response(report)


urlpatterns: list[URLPattern] = [
    path(
        "customers/<id:customer_pk>/report.pdf",
        FileReportView.as_view(),
        name="customer-report-pdf",
    ),
    path("reports/portfolio.pdf", PortfolioReportView.as_view(), name="portfolio-report-pdf"),
]
