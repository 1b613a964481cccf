"""Asking for a limit from the file page, deciding requests, and the refused orders."""

from __future__ import annotations

from typing import cast

from django import forms
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
    can_manage_groups,
    can_see_exposure_refusals,
    can_see_groups,
    customer_scope,
    limit_decide_scope,
)
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.limits import selectors
from credfile.limits.forms import GroupForm, GroupMemberForm, LimitDecisionForm, LimitRequestForm
from credfile.limits.models import CustomerGroup, ExposureCheck, LimitRequest
from credfile.limits.services import (
    group_create,
    group_limit_request_create,
    group_member_add,
    group_member_remove,
    limit_request_create,
    limit_request_decide,
    refusal_label,
)


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
    if limit_request.group_id is not None:
        back = reverse("limits:group", args=[limit_request.group_id])
    else:
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
        .select_related("customer", "group", "requested_by")
        .order_by("requested_at", "pk")[:200]
    )
    return render(request, "limits/refusals.html", {"checks": page, "waiting": waiting})


# --- customer groups ---------------------------------------------------------------------------


def _group_page(
    request: HttpRequest,
    user: User,
    group: CustomerGroup,
    *,
    status: int = 200,
    member_form: GroupMemberForm | None = None,
    limit_form: LimitRequestForm | None = None,
) -> HttpResponse:
    members = selectors.visible_members(user=user, group=group)
    requests, deciding = selectors.group_requests(user=user, group=group)
    manage = can_manage_groups(user)
    context = {
        "group": group,
        "members": members,
        "outsiders": selectors.outsider_count(user=user, group=group, shown=len(members)),
        "positions": selectors.group_positions(group.pk),
        "group_requests": requests,
        "group_deciding": deciding,
        "may_manage": manage,
        "member_form": (member_form or GroupMemberForm()) if manage else None,
        "limit_form": (limit_form or LimitRequestForm()) if manage else None,
    }
    return render(request, "limits/group.html", context, status=status)


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@require_GET
@login_required
def groups_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_see_groups(user):
        raise Http404
    groups = list(selectors.group_list(user=user)[:500])
    waiting = selectors.waiting_group_requests([g.pk for g in groups])
    for g in groups:
        g.waiting = waiting.get(g.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "limits/groups.html",
        {"groups": groups, "may_manage": can_manage_groups(user)},
    )


@login_required
def group_new_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_manage_groups(user):
        raise Http404
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Customer group opened; add its members."))
            return redirect(reverse("limits:group", args=[group.pk]))
    status = 422 if request.method == "POST" else 200
    return render(request, "limits/group_new.html", {"form": form}, status=status)


@require_GET
@login_required
def group_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return _group_page(request, user, selectors.group_get(user=user, pk=pk))


@require_POST
@login_required
def group_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_get(user=user, pk=pk)
    if not can_manage_groups(user):
        raise Http404
    form = GroupMemberForm(request.POST)
    if form.is_valid():
        try:
            member = group_member_add(
                actor=user,
                group=group,
                customer_ref=form.cleaned_data["customer"],
                relation=form.cleaned_data["relation"],
                is_head=form.cleaned_data["is_head"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(customer)s added to the group.") % {"customer": member.customer.name},
            )
            return redirect(reverse("limits:group", args=[group.pk]))
    return _group_page(request, user, group, status=422, member_form=form)


@require_POST
@login_required
def group_member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_get(user=user, pk=pk)
    if not can_manage_groups(user):
        raise Http404
    try:
        group_member_remove(actor=user, group=group, member_id=member_pk)
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("Member taken out of the group."))
    return redirect(reverse("limits:group", args=[group.pk]))


@require_POST
@login_required
def group_limit_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_get(user=user, pk=pk)
    if not can_manage_groups(user):
        raise Http404
    form = LimitRequestForm(request.POST)
    if form.is_valid():
        try:
            created = group_limit_request_create(actor=user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Limit of %(currency)s %(amount)s asked for; it waits for approval.")
                % {"currency": created.currency, "amount": f"{created.amount:,.2f}"},
            )
            return redirect(reverse("limits:group", args=[group.pk]))
    return _group_page(request, user, group, status=422, limit_form=form)
