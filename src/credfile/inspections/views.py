"""The auditors' pages of the archive's integrity inspections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from credfile.core.permissions import can_run_inspection
from credfile.inspections.display import finding_detail, inspection_sentence
from credfile.inspections.models import InspectionResult
from credfile.inspections.runs import start_from_page
from credfile.inspections.selectors import inspection_findings, inspection_get, inspection_list

PAGE = 100
FINDINGS_SHOWN = 500


@require_GET
@login_required
def inspection_list_view(request: HttpRequest) -> HttpResponse:
    inspections = list(inspection_list(user=request.user)[:PAGE])
    return render(
        request,
        "inspections/list.html",
        {"inspections": inspections, "can_run": can_run_inspection(request.user)},
    )


@require_GET
@login_required
def inspection_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_get(user=request.user, pk=pk)
    findings = inspection_findings(inspection)
    shown = list(findings[:FINDINGS_SHOWN])
    for finding in shown:
        finding.text = finding_detail(finding)  # type: ignore[attr-defined]
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "sentence": inspection_sentence(inspection),
            "findings": shown,
            "finding_count": findings.count(),
            "running": inspection.result == InspectionResult.RUNNING,
        },
    )


@require_POST
@login_required
def inspection_run_view(request: HttpRequest) -> HttpResponse:
    if not can_run_inspection(request.user):
        raise Http404
    inspection = start_from_page(actor=request.user)
    if inspection.result == InspectionResult.RUNNING:
        messages.info(request, _("The inspection has started; this page shows it when done."))
    elif inspection.result == InspectionResult.OK:
        messages.success(request, inspection_sentence(inspection))
    else:
        messages.error(request, inspection_sentence(inspection))
    return redirect("inspections:detail", inspection.pk)
