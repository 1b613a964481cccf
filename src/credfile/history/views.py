"""History pages of a credit file: its versions, a difference between two, the file as of a
date. Only for users who reach the file through their role (not a usage grant)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from credfile.accounts.models import User
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Section
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.history import selectors
from credfile.history.forms import AsOfForm, DiffForm
from credfile.history.models import FileVersion

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def history_customer(user: User, pk: int, use: str) -> Customer:
    """The file, if the user reaches it through their role: a usage grant is for named
    sections and a purpose, not for the file's whole past."""
    return customer_get(user=user, pk=pk, section=Section.HISTORY, use=use)


def _versions(customer: Customer) -> list[int]:
    return list(
        FileVersion.objects.filter(customer_id=customer.pk)
        .order_by("-version")
        .values_list("version", flat=True)
        .distinct()
    )


@never_cache
@login_required
def history_list(request: HttpRequest, pk: int) -> HttpResponse:
    customer = history_customer(_user(request), pk, "history")
    page = keyset_paginate(
        selectors.versions_queryset(customer.pk),
        order="-pk",
        cursor=request.GET.get("cursor"),
        size=PAGE_SIZE,
        unique=True,
    )
    versions = _versions(customer)
    context: dict[str, Any] = {
        "customer": customer,
        "page": page,
        "rows": selectors.version_rows(page.items),
        "versions": versions,
        "diff_form": DiffForm(
            initial={
                "from_version": versions[1] if len(versions) > 1 else customer.version,
                "to_version": customer.version,
            }
        ),
        "as_of_form": AsOfForm(initial={"date": timezone.localdate()}),
        "tab": "list",
    }
    return render(request, "history/list.html", context)


@never_cache
@login_required
def history_diff(request: HttpRequest, pk: int) -> HttpResponse:
    customer = history_customer(_user(request), pk, "history diff")
    form = DiffForm.from_query(request.GET)
    context: dict[str, Any] = {"customer": customer, "diff_form": form, "tab": "diff"}
    status = 200
    if form.is_valid():
        first, second = form.cleaned_data["from_version"], form.cleaned_data["to_version"]
        a = selectors.file_state_at_version(customer.pk, first)
        b = selectors.file_state_at_version(customer.pk, second)
        if a is None or b is None:
            form.add_error(None, _("This file has no recorded version with that number."))
            status = 422
        else:
            context.update(diffs=selectors.diff_states(a, b), first=first, second=second)
    else:
        status = 422 if request.GET else 200
    context["versions"] = _versions(customer)
    return render(request, "history/diff.html", context, status=status)


@never_cache
@login_required
def history_as_of(request: HttpRequest, pk: int) -> HttpResponse:
    customer = history_customer(_user(request), pk, "as of")
    form = AsOfForm(request.GET or {"date": timezone.localdate().isoformat()})
    context: dict[str, Any] = {"customer": customer, "as_of_form": form, "tab": "as_of"}
    if not form.is_valid():
        return render(request, "history/as_of.html", context, status=422)
    day = form.cleaned_data["date"]
    state = selectors.file_state(customer.pk, selectors.end_of_day(day))
    rebuilt = selectors.file_as_of(state)
    context.update(day=day, state=state, rebuilt=rebuilt)
    if rebuilt is not None:
        records = rebuilt.records
        context.update(
            then=rebuilt.customer,
            tags=rebuilt.tags,
            contacts=records["customers.contact"],
            addresses=records["customers.address"],
            individual_financials=records["financials.individualfinancial"],
            statements=records["financials.financialstatement"],
            contracts=records["transactions.contract"],
            invoices=records["transactions.invoice"],
            payments=records["transactions.payment"],
            service_records=records["interactions.servicerecord"],
            notes=records["interactions.note"],
            today=day,
        )
    return render(request, "history/as_of.html", context)
