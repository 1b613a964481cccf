"""Follow-up pages: the actions of one invoice (from the file's transactions section) and
the overdue list with its exports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from credfile.accounts.models import User
from credfile.core.forms import apply_service_errors, cleaned
from credfile.core.htmx import render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Action, Section, can_see_overdue_list
from credfile.customers.selectors import customer_get
from credfile.followup import exports
from credfile.followup.forms import ActionForm, OverdueFilterForm
from credfile.followup.selectors import (
    OverdueFilters,
    invoice_actions,
    overdue_invoices,
    with_followup,
)
from credfile.followup.services import collection_action_create


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def invoice_action_list(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    """The actions of an invoice; whoever may change the file records one here (POST)."""
    user = _user(request)
    posted = request.method == "POST"
    customer = customer_get(
        user=user,
        pk=customer_pk,
        action=Action.CHANGE if posted else Action.VIEW,
        section=None if posted else Section.TRANSACTIONS,
        use="collection actions",
    )
    today = timezone.localdate()
    invoice = get_object_or_404(with_followup(customer.invoices.all(), today=today), pk=pk)
    access = customer.access  # type: ignore[attr-defined]
    form = ActionForm(request.POST if posted else None, initial={"action_date": today})
    status = 200
    if posted:
        if form.is_valid():
            try:
                collection_action_create(
                    actor=user, customer=customer, fields={"invoice": invoice, **cleaned(form)}
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 422
            else:
                return redirect("followup:invoice-actions", customer_pk=customer.pk, pk=invoice.pk)
        else:
            status = 422
    context = {
        "customer": customer,
        "invoice": invoice,
        "actions": list(invoice_actions(user=user, invoice=invoice)[:200]),
        "form": form if access.can_change and invoice.fully_paid_on is None else None,
        "today": today,
    }
    return render(request, "followup/invoice_actions.html", context, status=status)


def _filters(request: HttpRequest) -> tuple[OverdueFilterForm, OverdueFilters]:
    form = OverdueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    department, manager = data.get("department"), data.get("manager")
    return form, OverdueFilters(
        department=department.pk if department else None,
        manager=manager.pk if manager else None,
        broken=bool(data.get("broken")),
        band=data.get("band", ""),
    )


def _overdue_user(request: HttpRequest) -> User:
    user = _user(request)
    # A 404, as for a file outside one's scope: the page does not exist for them.
    if not can_see_overdue_list(user):
        raise Http404
    return user


@never_cache
@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    user = _overdue_user(request)
    form, filters = _filters(request)
    today = timezone.localdate()
    page = keyset_paginate(
        overdue_invoices(user=user, filters=filters, today=today),
        order="next_key",
        cursor=request.GET.get("cursor"),
        size=int(settings.CREDFILE_PAGE_SIZE),
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "today": today,
        "query_string": params.urlencode(),
    }
    return render_page_or_partial(
        request, "followup/overdue.html", "followup/_overdue.html", context
    )


@never_cache
@login_required
def overdue_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    user = _overdue_user(request)
    _form, filters = _filters(request)
    export = exports.overdue_export(actor=user, filters=filters, file_format=fmt)
    name = exports.export_filename(fmt)
    if fmt == "csv":
        response = HttpResponse(
            exports.csv_bytes(export, language=get_language()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        exports.xlsx_file(export),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
