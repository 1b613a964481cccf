"""Usage application pages: apply, follow, decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.access import selectors, services
from credfile.access.choices import ApplicationStatus
from credfile.access.forms import ApplicationForm, DecisionForm
from credfile.accounts.models import User
from credfile.core.forms import apply_service_errors
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import (
    can_decide_usage_applications,
    can_see_all_usage_applications,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


TABS = ("mine", "decide", "all")


@never_cache
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tabs = ["mine"]
    if can_decide_usage_applications(user):
        tabs.append("decide")
    if can_see_all_usage_applications(user):
        tabs.append("all")
    tab = request.GET.get("tab") or ("decide" if "decide" in tabs else "mine")
    if tab not in tabs:
        tab = "mine"
    if tab == "decide":
        queryset = selectors.pending_for_decision(user=user)
    elif tab == "all":
        queryset = selectors.application_queryset(user=user)
    else:
        queryset = selectors.application_queryset(user=user).filter(applicant=user)
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        queryset = queryset.filter(status=status)
    page = keyset_paginate(queryset, order="-pk", cursor=request.GET.get("cursor"), size=50)
    grants = list(selectors.active_grants(user=user).select_related("customer")[:50])
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "grants": grants,
        "status": status,
        "statuses": ApplicationStatus.choices,
        "now": timezone.now(),
    }
    return render(request, "access/list.html", context)


@never_cache
@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"customer_code": request.GET.get("customer", ""), "starts_on": timezone.localdate()}
    form = ApplicationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer = services.customer_by_code(data["customer_code"])
                application = services.application_create(
                    actor=user,
                    customer=customer,
                    sections=data["sections"],
                    purpose=data["purpose"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "customer" in exc.error_dict:
                    exc.error_dict["customer_code"] = exc.error_dict.pop("customer")
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Application #%(id)s submitted for approval.") % {"id": application.pk},
                )
                return redirect("access:detail", pk=application.pk)
    return render(request, "access/form.html", {"form": form}, status=status)


@never_cache
@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    application = selectors.application_get(user=user, pk=pk)
    return render(request, "access/detail.html", _detail_context(user, application))


def _detail_context(
    user: User, application: Any, form: DecisionForm | None = None
) -> dict[str, Any]:
    pending = application.status == ApplicationStatus.PENDING
    can_decide = (
        pending and can_decide_usage_applications(user) and application.applicant_id != user.pk
    )
    return {
        "application": application,
        "grant": getattr(application, "grant", None) if application.status == "approved" else None,
        "can_decide": can_decide,
        "can_withdraw": pending and application.applicant_id == user.pk,
        "form": form or DecisionForm(),
        "now": timezone.now(),
    }


@never_cache
@require_POST
@login_required
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    application = selectors.application_get(user=user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.application_approve(
                    actor=user, application=application, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Application approved; access granted."))
            else:
                services.application_reject(
                    actor=user, application=application, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Application rejected."))
            return redirect("access:detail", pk=pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
    application.refresh_from_db()
    return render(
        request, "access/detail.html", _detail_context(user, application, form), status=422
    )


@require_POST
@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    application = selectors.application_get(user=user, pk=pk)
    try:
        services.application_withdraw(actor=user, application=application)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("access:detail", pk=pk)
