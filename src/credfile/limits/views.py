"""Asking for a limit from the file page, deciding requests, and the refused orders."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from credfile.accounts.models import User
from credfile.core.permissions import (
    Action,
    Section,
    can_see_exposure_refusals,
    customer_scope,
    limit_decide_scope,
)
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.limits.forms import LimitDecisionForm, LimitRequestForm
from credfile.limits.models import ExposureCheck, LimitRequest
from credfile.limits.services import limit_request_create, limit_request_decide, refusal_label


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required


@require_POST
@login_required
def limit_request_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=customer_pk, section=Section.LIMITS, trace=False)
    form = LimitRequestForm(request.POST)
    if not form.is_valid():
        return section_response(
            request, user, customer.pk, Section.LIMITS, status=422, limit_form=form
        )
    try:
        created = limit_request_create(actor=user, customer=customer, **form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return section_response(
            request, user, customer.pk, Section.LIMITS, status=422, limit_form=form
        )
    messages.success(
        request,
        _("Limit of %(currency)s %(amount)s asked for; it waits for approval.")
        % {"currency": created.currency, "amount": f"{created.amount:,.2f}"},
    )
    return section_response(request, user, customer.pk, Section.LIMITS)


@require_POST
@login_required
def limit_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    limit_request = get_object_or_404(LimitRequest.objects.filter(limit_decide_scope(user)), pk=pk)
    back = reverse("customers:section", args=[limit_request.customer_id, Section.LIMITS])
    form = LimitDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject."))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        limit_request_decide(
            actor=user, request=limit_request, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if approve:
        messages.success(request, _("Limit approved and in force."))
    else:
        messages.success(request, _("Limit request rejected."))
    if request.POST.get("next") == "list":
        return redirect(reverse("limits:refusals"))
    return redirect(back)


@require_GET
@login_required
def refusals_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_see_exposure_refusals(user):
        raise Http404
    refused = (
        ExposureCheck.objects.filter(allowed=False)
        .filter(customer_scope(user, Action.VIEW, prefix="customer__", section=Section.LIMITS))
        .select_related("customer", "checked_by")
        .order_by("-checked_at", "-pk")
    )
    page = list(refused[:200])
    for check in page:
        check.labels = [refusal_label(c) for c in check.reasons]  # type: ignore[attr-defined]
    waiting = list(
        LimitRequest.objects.filter(limit_decide_scope(user))
        .select_related("customer", "requested_by")
        .order_by("requested_at", "pk")[:200]
    )
    return render(request, "limits/refusals.html", {"checks": page, "waiting": waiting})
