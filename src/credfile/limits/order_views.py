"""Open orders from the file page (add one, close one) and blocking credit under a limit."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.core.permissions import Section, limit_block_scope
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.limits.forms import LimitBlockForm, OpenOrderCloseForm, OpenOrderForm
from credfile.limits.models import CreditLimit
from credfile.limits.orders import (
    CREATED,
    UPDATED,
    OrderData,
    open_order_close,
    open_order_put,
    visible_orders,
)
from credfile.limits.services import limit_block


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required


@require_POST
@login_required
def order_add_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=customer_pk, section=Section.LIMITS, trace=False)
    form = OpenOrderForm(request.POST)

    def again() -> HttpResponse:
        return section_response(
            request, user, customer.pk, Section.LIMITS, status=422, open_order_form=form
        )

    if not form.is_valid():
        return again()
    data = form.cleaned_data
    try:
        written = open_order_put(
            actor=user,
            data=OrderData(
                customer=customer,
                reference=data["reference"],
                amount=data["amount"],
                currency=data["currency"],
                kind=data["kind"],
            ),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return again()
    order = written.order
    values = {"reference": order.reference, "currency": order.currency}
    values["amount"] = f"{order.amount:,.2f}"
    if written.outcome == CREATED:
        text = _("Order %(reference)s of %(currency)s %(amount)s recorded.") % values
    elif written.outcome == UPDATED:
        text = _("Order %(reference)s updated to %(currency)s %(amount)s.") % values
    else:
        text = _("Order %(reference)s is already recorded as it is.") % values
    messages.success(request, text)
    return section_response(request, user, customer.pk, Section.LIMITS)


@require_POST
@login_required
def order_close_view(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    user = _user(request)
    order = get_object_or_404(visible_orders(user).filter(customer_id=customer_pk), pk=pk)
    form = OpenOrderCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the order was invoiced or cancelled."))
        return section_response(request, user, customer_pk, Section.LIMITS)
    try:
        open_order_close(actor=user, order=order, closed_as=form.cleaned_data["closed_as"])
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("Order %(reference)s closed: it no longer counts as exposure.")
        % {"reference": order.reference},
    )
    return section_response(request, user, customer_pk, Section.LIMITS)


@require_POST
@login_required
def limit_block_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    limit = get_object_or_404(CreditLimit.objects.filter(limit_block_scope(user)), pk=pk)
    if limit.customer_id is None:  # a customer group's limit
        back = reverse("limits:group", args=[limit.group_id])
    else:
        back = reverse("customers:section", args=[limit.customer_id, Section.LIMITS])
    form = LimitBlockForm(request.POST)
    if not form.is_valid():
        if form.has_error("reason"):
            messages.error(request, _("Say why credit is blocked or unblocked."))
        else:
            messages.error(request, _("Choose to block or to unblock."))
        return redirect(back)
    try:
        changed = limit_block(
            actor=user,
            limit=limit,
            blocked=form.cleaned_data["blocked"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    values = {"currency": changed.currency}
    if changed.blocked:
        messages.success(request, _("Credit in %(currency)s blocked.") % values)
    else:
        messages.success(request, _("Credit in %(currency)s unblocked.") % values)
    return redirect(back)
