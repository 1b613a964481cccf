"""The PDF reports' pages: a file's report (the button on the file page) and the portfolio
summary. Without the report font they answer 503 with a page that says what is missing."""

from __future__ import annotations

import io
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from credfile.accounts.models import User
from credfile.core.permissions import can_print_file_report, can_see_portfolio_report
from credfile.customers.selectors import customer_get
from credfile.reports.fonts import FontMissing, configured_path
from credfile.reports.services import ReportFile, file_report_pdf, portfolio_report_pdf

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def pdf_response(report: ReportFile) -> FileResponse:
    response = FileResponse(
        io.BytesIO(report.content),
        as_attachment=True,
        filename=report.filename,
        content_type=report.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def font_missing(request: HttpRequest, error: FontMissing) -> HttpResponse:
    # The file's path and the reason are the operator's (`credfile check`), not the page's.
    logger.warning("PDF report refused: CREDFILE_PDF_FONT=%s: %s", configured_path(), error)
    return render(request, "reports/font_missing.html", status=503)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def file_report_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the report masked; POST with reveal=1 (the file page's form): in clear, for a
    reader with the file's reveal right — a link cannot reveal anything."""
    user = _user(request)
    customer = customer_get(user=user, pk=pk, trace=False, use="file report")
    # A file lent through a grant is read on the page, not taken away as a copy.
    if not can_print_file_report(user, customer):
        raise Http404
    reveal = request.method == "POST" and request.POST.get("reveal") == "1"
    try:
        report = file_report_pdf(actor=user, customer=customer, reveal=reveal)
    except FontMissing as exc:
        return font_missing(request, exc)
    except PermissionDenied:
        raise Http404 from None
    return pdf_response(report)


@never_cache
@require_http_methods(["GET"])
@login_required
def portfolio_report_view(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    # The policy decides; a user outside it finds no page.
    if not can_see_portfolio_report(user):
        raise Http404
    try:
        report = portfolio_report_pdf(actor=user)
    except FontMissing as exc:
        return font_missing(request, exc)
    return pdf_response(report)
