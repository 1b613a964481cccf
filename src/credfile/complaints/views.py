"""Complaint pages: the open-complaint list and the case page with its transitions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.complaints.choices import OPEN_STATUSES, TRANSITIONS, Status
from credfile.complaints.forms import ComplaintFilterForm, TransitionForm
from credfile.complaints.models import Complaint
from credfile.complaints.selectors import (
    ComplaintFilters,
    complaint_events,
    complaint_get,
    complaint_list,
)
from credfile.complaints.services import complaint_transition
from credfile.core.forms import apply_service_errors
from credfile.core.htmx import render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Section, can_see_complaint_list
from credfile.customers.selectors import customer_get

# How the button of each step reads.
STEP_LABELS = {
    Status.ACKNOWLEDGED: Status.ACKNOWLEDGED.label,
    Status.IN_PROGRESS: Status.IN_PROGRESS.label,
    Status.RESOLVED: Status.RESOLVED.label,
    Status.CLOSED: Status.CLOSED.label,
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def complaint_list_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # A 404, as for a file outside one's scope: the page does not exist for them.
    if not can_see_complaint_list(user):
        raise Http404
    form = ComplaintFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ComplaintFilters(status=data.get("status", ""), severity=data.get("severity", ""))
    page = keyset_paginate(
        complaint_list(user=user, filters=filters),
        order="due_at",
        cursor=request.GET.get("cursor"),
        size=int(settings.CREDFILE_PAGE_SIZE),
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "open_statuses": [str(s) for s in OPEN_STATUSES],
        "query_string": params.urlencode(),
    }
    return render_page_or_partial(request, "complaints/list.html", "complaints/_list.html", context)


def _page(
    request: HttpRequest,
    complaint: Complaint,
    *,
    posted: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    steps = TRANSITIONS.get(complaint.status, ()) if complaint.may_transition else ()  # type: ignore[attr-defined]
    transitions = [
        (
            str(to),
            STEP_LABELS[Status(to)],
            posted if posted is not None and posted.prefix == to else TransitionForm(to=to),
        )
        for to in steps
    ]
    context = {
        "complaint": complaint,
        "events": complaint_events(complaint),
        "transitions": transitions,
        "open_to": posted.prefix if posted is not None else None,
        "overdue": complaint.status in OPEN_STATUSES and complaint.due_at < timezone.now(),
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "complaints/detail.html", context, status=status)


@never_cache
@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    complaint = complaint_get(user=user, pk=pk)
    # The look at the file's complaints is recorded like any section's.
    customer_get(user=user, pk=complaint.customer_id, section=Section.COMPLAINTS, use="complaint")
    return _page(request, complaint)


@never_cache
@require_POST
@login_required
def complaint_transition_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    complaint = complaint_get(user=user, pk=pk)
    to = request.POST.get("to", "")
    if not complaint.may_transition or to not in Status.values:  # type: ignore[attr-defined]
        raise Http404
    form = TransitionForm(request.POST, to=to)
    if not form.is_valid():
        return _page(request, complaint, posted=form, status=422)
    try:
        complaint_transition(actor=user, complaint=complaint, to=to, **form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _page(request, complaint_get(user=user, pk=pk), posted=form, status=422)
    response = redirect("complaints:detail", pk=pk)
    response["Location"] += "?saved=1"
    return response
