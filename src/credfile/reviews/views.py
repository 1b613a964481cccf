"""Review pages: the queue, the review form of a file, the review policies."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.core.errors import StaleVersion
from credfile.core.forms import apply_service_errors
from credfile.core.htmx import render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Action
from credfile.customers.selectors import customer_get
from credfile.reviews import selectors, services
from credfile.reviews.choices import QueueState
from credfile.reviews.forms import PolicyEditForm, PolicyForm, QueueFilterForm, ReviewForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    department = data.get("department")
    filters = selectors.QueueFilters(
        state=data.get("state") or QueueState.OPEN,
        department=department.pk if department else None,
        risk=data.get("risk", ""),
    )
    today = timezone.localdate()
    queryset = selectors.review_queue(user=user, filters=filters, today=today)
    page = keyset_paginate(
        queryset,
        order="next_review_on",
        cursor=request.GET.get("cursor"),
        size=int(settings.CREDFILE_PAGE_SIZE),
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "counts": selectors.queue_counts(user=user, today=today),
        "query_string": params.urlencode(),
        "notifications": selectors.notifications_for(user=user),
        "can_manage_policies": services.can_manage_policies(user),
    }
    return render_page_or_partial(request, "reviews/queue.html", "reviews/_queue.html", context)


@never_cache
@login_required
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The review form of a file: its account manager or the head of its department."""
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE, use="review")
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.review_submit(actor=user, customer=customer, **form.service_arguments())
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Review recorded."))
                return redirect(reverse("customers:section", args=[customer.pk, "reviews"]))
    schedule = selectors.schedule_for(customer=customer)
    context = {
        "customer": customer,
        "form": form,
        "schedule": schedule,
        "quality_parts": selectors.quality_parts(schedule) if schedule is not None else [],
    }
    return render(request, "reviews/review_form.html", context, status=status)


@never_cache
@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_manage = services.can_manage_policies(user)
    form = PolicyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        status = 422
        if form.is_valid():
            try:
                services.policy_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Review policy added; it applies from the next daily run.")
                )
                return redirect("reviews:policies")
    context = {
        "policies": list(selectors.policy_queryset()),
        "form": form if can_manage else None,
        "can_manage": can_manage,
    }
    return render(request, "reviews/policies.html", context, status=status)


@never_cache
@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not services.can_manage_policies(user):
        raise PermissionDenied
    policy = get_object_or_404(selectors.policy_queryset(), pk=pk)
    initial = {
        "cycle_months": policy.cycle_months,
        "note": policy.note,
        "is_active": policy.is_active,
        "version": policy.version,
    }
    form = PolicyEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            fields = dict(form.cleaned_data)
            version = fields.pop("version")
            try:
                services.policy_update(
                    actor=user, policy=policy, fields=fields, expected_version=version
                )
            except StaleVersion:
                form.add_error(
                    None,
                    _(
                        "Someone changed this policy after you opened it. "
                        "Reload the page and make your change again."
                    ),
                )
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Review policy saved; it applies from the next daily run.")
                )
                return redirect("reviews:policies")
    return render(
        request, "reviews/policy_form.html", {"policy": policy, "form": form}, status=status
    )


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=_user(request))
    return redirect("reviews:queue")
