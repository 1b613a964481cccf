"""The receivables portfolio page: ageing per file and currency over the files the policy
puts in the user's portfolio, filtered and sorted in the database, and its exports."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from credfile.accounts.models import Department, User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.core.models import Currency
from credfile.core.permissions import can_see_portfolio, portfolio_scope
from credfile.customers.choices import CustomerCategory, Industry, Province
from credfile.customers.models import Customer
from credfile.transactions.models import Invoice
from credfile.transactions.receivables import (
    Figures,
    ageing_buckets,
    ageing_report,
    portfolio_totals,
)

PAGE_SIZE = 50
# Offset pages stay cheap only near the top; beyond, narrow the filters or export.
MAX_PAGE = 200
EXPORT_MAX_ROWS = 100_000
SORTS = {"overdue": gettext_lazy("overdue amount"), "total": gettext_lazy("open amount")}


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class PortfolioFilterForm(forms.Form):
    """The portfolio's filters; the choices of departments and managers are those in scope."""

    as_of = forms.DateField(label=gettext_lazy("as of"), required=False)
    currency = forms.ChoiceField(
        label=gettext_lazy("currency"), choices=Currency.choices, required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.none(), required=False
    )
    manager = forms.ModelChoiceField(
        label=gettext_lazy("account manager"), queryset=User.objects.none(), required=False
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("industry"), choices=_blank(Industry.choices), required=False
    )
    region = forms.ChoiceField(
        label=gettext_lazy("province"), choices=_blank(Province.choices), required=False
    )
    category = forms.ChoiceField(
        label=gettext_lazy("category"), choices=_blank(CustomerCategory.choices), required=False
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("sort by"), choices=list(SORTS.items()), required=False
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The departments and managers of files in scope with invoices: asked per department
        # and per user (a few rows, each found in an index), rather than listing the owners
        # of every invoice, which read all of them for the filter's choices.
        has_invoices = Exists(Invoice.objects.filter(customer=OuterRef("pk")))
        invoiced = Customer.objects.filter(portfolio_scope(user, prefix=""), has_invoices)
        department = self.fields["department"]
        manager = self.fields["manager"]
        assert isinstance(department, forms.ModelChoiceField)
        assert isinstance(manager, forms.ModelChoiceField)
        department.queryset = Department.objects.filter(
            Exists(invoiced.filter(department_id=OuterRef("pk")))
        ).order_by("name")
        manager.queryset = User.objects.filter(
            Exists(invoiced.filter(account_manager_id=OuterRef("pk")))
        ).order_by("username")


@dataclass(frozen=True)
class PortfolioQuery:
    as_of: datetime.date
    currency: str
    filters: Q
    sort: str
    page: int
    described: dict[str, str]


def _query(form: PortfolioFilterForm) -> PortfolioQuery:
    # A field in error (a page out of range) falls back alone; the other filters hold.
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        data = form.cleaned_data
    filters = Q()
    described: dict[str, str] = {}
    for name, lookup in (
        ("department", "customer__department"),
        ("manager", "customer__account_manager"),
        ("industry", "customer__industry"),
        ("region", "customer__province"),
        ("category", "customer__category"),
    ):
        value = data.get(name)
        if value:
            filters &= Q(**{lookup: value})
            described[name] = str(getattr(value, "pk", value))
    as_of = data.get("as_of") or timezone.localdate()
    currency = data.get("currency") or Currency.CNY
    described.update(as_of=as_of.isoformat(), currency=currency)
    return PortfolioQuery(
        as_of=as_of,
        currency=currency,
        filters=filters,
        sort=data.get("sort") or "overdue",
        page=data.get("page") or 1,
        described=described,
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    # The policy decides; a user outside it finds no page, as with files outside scope.
    if not isinstance(user, User) or not can_see_portfolio(user):
        raise Http404
    return user


@never_cache
@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PortfolioFilterForm(request.GET or None, user=user)
    query = _query(form)
    scope = portfolio_scope(user)
    totals = portfolio_totals(ageing_report(scope=scope, as_of=query.as_of, filters=query.filters))
    rows = ageing_report(
        scope=scope,
        as_of=query.as_of,
        by="customer",
        filters=query.filters,
        currency=query.currency,
        order=query.sort,
        limit=PAGE_SIZE + 1,
        offset=(query.page - 1) * PAGE_SIZE,
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "transactions/portfolio.html",
        {
            "form": form,
            "query": query,
            "totals": totals,
            "rows": rows[:PAGE_SIZE],
            "buckets": ageing_buckets(),
            "next_page": query.page + 1
            if len(rows) > PAGE_SIZE and query.page < MAX_PAGE
            else None,
            "prev_page": query.page - 1 if query.page > 1 else None,
            "params": params.urlencode(),
        },
    )


def _export_rows(user: User, query: PortfolioQuery) -> Iterator[list[Any]]:
    buckets = ageing_buckets()
    yield [
        _("Customer code"),
        _("Customer"),
        _("Currency"),
        *(_("current") if b.key == "current" else b.label for b in buckets),
        _("Total open"),
    ]
    figures: list[Figures] = ageing_report(
        scope=portfolio_scope(user),
        as_of=query.as_of,
        by="customer",
        filters=query.filters,
        order="overdue",
        limit=EXPORT_MAX_ROWS,
    )
    for row in figures:
        yield [
            row.group["customer__code"],
            row.group["customer__name"],
            row.currency,
            *row.ageing.values(),
            row.total,
        ]


def _defuse(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"}:
        return "'" + value
    return value


@transaction.atomic
def receivables_export_record(*, actor: User, file_format: str, filters: dict[str, str]) -> None:
    """An export of the portfolio ageing: who took which part of it, in which format."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=Invoice._meta.label_lower,
        object_repr=f"receivables ageing ({file_format})",
        after={"format": file_format, "filters": filters},
    )


@never_cache
@login_required
def portfolio_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = _user(request)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    query = _query(PortfolioFilterForm(request.GET or None, user=user))
    receivables_export_record(actor=user, file_format=fmt, filters=query.described)
    name = f"receivables-ageing-{query.as_of.isoformat()}.{fmt}"
    rows = _export_rows(user, query)
    if fmt == "csv":

        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
            for row in rows:
                writer.writerow([_defuse(v) for v in row])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Receivables ageing"))
    for row in rows:
        sheet.append([_defuse(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
