"""Reads of inspections, for whoever the policy lets see them (else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from credfile.core.permissions import can_see_inspections
from credfile.inspections.models import Inspection, InspectionFinding


def inspection_list(*, user: Any) -> QuerySet[Inspection]:
    if not can_see_inspections(user):
        raise Http404
    return Inspection.objects.select_related("started_by").order_by("-started_at", "-id")


def inspection_get(*, user: Any, pk: int) -> Inspection:
    found = inspection_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def inspection_findings(inspection: Inspection) -> QuerySet[InspectionFinding]:
    return inspection.findings.order_by("id")
