"""Credit file pages: list and search, the file with its sections, create and edit."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.changes import services as changes
from credfile.changes.choices import FieldGroup
from credfile.changes.registry import needs_approval
from credfile.changes.views import submitted_message
from credfile.consent.services import (
    ConsentMissing,
    consent_record,
    consent_withdraw,
    require_consent,
    valid_consents,
)
from credfile.core.errors import ConfirmationRequired, DuplicateRecord, StaleVersion
from credfile.core.forms import apply_service_errors, cleaned
from credfile.core.htmx import is_htmx, render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import (
    Action,
    Section,
    can_create_customer,
    customer_scope,
    scope_flag,
)
from credfile.customers import forms as cf
from credfile.customers.exports import personal_data_export, personal_data_xlsx
from credfile.customers.models import Contact, Customer
from credfile.customers.report import latest_ratios, payment_behaviour
from credfile.customers.selectors import (
    DEFAULT_SORT,
    SORTS,
    CustomerFilters,
    customer_get,
    customer_search,
    file_read_record,
)
from credfile.customers.services import (
    address_create,
    contact_create,
    customer_create,
    record_report_use,
    sensitive_reveal,
)
from credfile.financials.services import financial_statement_create, individual_financial_create
from credfile.interactions.models import Note, ServiceRecord
from credfile.interactions.services import note_create, service_record_create
from credfile.transactions.models import Invoice
from credfile.transactions.services import contract_create, invoice_create, payment_create


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = cf.CustomerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    department = data.get("department")
    filters = CustomerFilters(
        q=data.get("q", ""),
        kind=data.get("kind", ""),
        category=data.get("category", ""),
        province=data.get("province", ""),
        department=department.pk if department else None,
        status=data.get("status", ""),
    )
    sort = data.get("sort") or DEFAULT_SORT
    # Classification and place are basic information: per row, as the policy answers.
    queryset = (
        customer_search(user=user, filters=filters)
        .select_related("department", "account_manager")
        .annotate(sees_basic=scope_flag(customer_scope(user, Action.VIEW, section=Section.BASIC)))
    )
    page = keyset_paginate(
        queryset, order=SORTS[sort], cursor=request.GET.get("cursor"), size=_page_size(request)
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "total": queryset.count(),
        "query_string": params.urlencode(),
        "can_create": can_create_customer(user),
        "searched": bool(filters.q.strip()),
        # Filters in use stay in sight, also on a phone where they fold away otherwise.
        "filtered": any(data.get(name) for name in form.fields if name != "q"),
    }
    return render_page_or_partial(
        request, "customers/list.html", "customers/_results.html", context
    )


def _page_size(request: HttpRequest) -> int:
    return int(settings.CREDFILE_PAGE_SIZE)


@never_cache
@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=pk, use="file page", trace=False)
    section = next(iter(_allowed_sections(customer)))
    file_read_record(user=user, customer=customer, section=section, use="file page")
    context = _section_context(user, customer, section)
    return render(request, "customers/detail.html", context)


def _allowed_sections(customer: Customer) -> dict[str, Any]:
    """The file's sections this user may open, as the policy answered for this file."""
    access = customer.access  # type: ignore[attr-defined]
    sections = {k: v for k, v in SECTION_TITLES.items() if access.sees(k)}
    if not sections:
        raise Http404
    return sections


# The tab counts, each shown only to whoever sees its section.
_COUNTED = {
    "contacts": (Section.CONTACTS, Contact),
    "invoices": (Section.TRANSACTIONS, Invoice),
    "services": (Section.SERVICES, ServiceRecord),
    "notes": (Section.NOTES, Note),
}


def _file_context(user: User, customer: Customer) -> dict[str, Any]:
    access = customer.access  # type: ignore[attr-defined]
    can_change = access.can_change
    # A deletion that needs approval is requested by whoever may change the file.
    deletion_by_request = needs_approval(FieldGroup.DELETION)
    can_delete = can_change if deletion_by_request else access.can_delete
    counted = {name: model for name, (sec, model) in _COUNTED.items() if access.sees(sec)}
    counts: dict[str, int] = {}
    if counted:
        # One query of independent counts (joins would multiply the rows).
        row: Any = (
            Customer.objects.filter(pk=customer.pk)
            .values("pk")
            .annotate(**{f"n_{name}": _count(model) for name, model in counted.items()})
            .get()
        )
        counts = {name.removeprefix("n_"): value for name, value in row.items() if name != "pk"}
    receivable: list[dict[str, Any]] = []
    if access.sees(Section.TRANSACTIONS):
        receivable = [
            dict(row)
            for row in customer.invoices.filter(fully_paid_on__isnull=True)
            .values("currency")
            .annotate(
                open=Sum("amount") - Sum("amount_paid"),
                overdue=Sum("amount", filter=Q(due_date__lt=_today()))
                - Sum("amount_paid", filter=Q(due_date__lt=_today())),
            )
            .order_by("currency")
        ]
    sees_basic = access.sees(Section.BASIC)
    return {
        "customer": customer,
        "access": access,
        "sections": _allowed_sections(customer),
        "sees_basic": sees_basic,
        "can_change": can_change,
        "can_delete": can_delete,
        "deletion_by_request": deletion_by_request,
        "counts": counts,
        "receivable": receivable,
        "tags": list(customer.tags.values_list("name", flat=True)) if sees_basic else [],
    }


def _count(model: type[Any]) -> Subquery:
    rows = (
        model.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)  # type: ignore[return-value]


def _today() -> datetime.date:
    return timezone.localdate()


# --- create, edit, delete ---------------------------------------------------------------------


def _customer_form_response(
    request: HttpRequest,
    form: cf.CustomerForm,
    *,
    customer: Customer | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "customer": customer, **(extra or {})}
    return render(request, "customers/form.html", context, status=status)


def _handle_customer_errors(form: cf.CustomerForm, exc: ValidationError) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, DuplicateRecord):
        extra["duplicate"] = exc.existing
    if isinstance(exc, ConfirmationRequired):
        extra["similar"] = exc.matches
    apply_service_errors(form, exc)
    return extra


@never_cache
@login_required
def customer_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_create_customer(user):
        raise PermissionDenied
    initial = {
        "kind": "organization",
        "department": user.department,
        "account_manager": user,
        "status": "active",
        "category": "regular",
    }
    form = cf.CustomerForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: v for k, v in form.service_fields().items() if v not in (None, "")}
            customer = customer_create(
                actor=user,
                fields=fields,
                tags=form.tag_names(),
                confirm_similar_name=form.cleaned_data["confirm_similar_name"],
            )
        except ValidationError as exc:
            extra = _handle_customer_errors(form, exc)
            return _customer_form_response(request, form, customer=None, extra=extra, status=422)
        messages.success(request, _("Credit file %(code)s opened.") % {"code": customer.code})
        return redirect("customers:detail", pk=customer.pk)
    status = 422 if request.method == "POST" else 200
    return _customer_form_response(request, form, customer=None, status=status)


@never_cache
@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    form = cf.CustomerForm(
        request.POST or None, user=user, customer=customer, initial=_edit_initial(customer)
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Identity and classification fields become change requests (credfile.changes).
            outcome = changes.customer_edit(
                actor=user,
                customer=customer,
                fields=form.service_fields(),
                expected_version=form.cleaned_data.get("version"),
                tags=form.tag_names(),
                confirm_similar_name=form.cleaned_data["confirm_similar_name"],
            )
        except StaleVersion as exc:
            form.add_error(
                None,
                _(
                    "Someone changed this credit file after you opened it. "
                    "Reload the page to see the current version, then make "
                    "your change again."
                ),
            )
            extra = {"conflict": list(exc.changes.values())}
            return _customer_form_response(
                request, form, customer=customer, extra=extra, status=409
            )
        except ValidationError as exc:
            extra = _handle_customer_errors(form, exc)
            return _customer_form_response(
                request, form, customer=customer, extra=extra, status=422
            )
        if outcome.customer.version != customer.version:
            messages.success(request, _("Changes saved."))
        if outcome.requests:
            messages.info(request, submitted_message(outcome.requests))
        return redirect("customers:detail", pk=customer.pk)
    status = 422 if request.method == "POST" else 200
    return _customer_form_response(request, form, customer=customer, status=status)


def _edit_initial(customer: Customer) -> dict[str, Any]:
    initial = {name: getattr(customer, name) for name in cf.CUSTOMER_FORM_FIELDS}
    tags = ", ".join(customer.tags.values_list("name", flat=True))
    initial.update(tags=tags, version=customer.version)
    return initial


@never_cache
@require_POST
@login_required
def customer_edit_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the edit form's sealed values in clear: the file page's reveal of its basic
    section, recorded the same way, answered with those fields only (htmx) or the form."""
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.REVEAL, use="reveal basic")
    if not customer.access.can_change:  # type: ignore[attr-defined]
        raise Http404
    try:
        sensitive_reveal(
            actor=user, customer=customer, what="section basic", fields=REVEAL_FIELDS["basic"]
        )
    except PermissionDenied:
        raise Http404 from None
    partial = is_htmx(request)
    form = cf.CustomerForm(
        user=user,
        customer=customer,
        revealed=True,
        swap=partial,
        initial=_edit_initial(customer),
    )
    context = {"form": form, "customer": customer, "revealed": True}
    return render_page_or_partial(
        request, "customers/form.html", "customers/_form_revealed.html", context
    )


@require_POST
@login_required
def customer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    by_request = needs_approval(FieldGroup.DELETION)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE if by_request else Action.DELETE)
    try:
        request_made = changes.customer_remove(
            actor=user, customer=customer, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:detail", pk=customer.pk)
    if request_made is not None:
        messages.info(request, submitted_message([request_made]))
        return redirect("customers:detail", pk=customer.pk)
    messages.success(request, _("Credit file %(code)s deleted.") % {"code": customer.code})
    return redirect("customers:list")


# --- file sections (loaded and updated with htmx) ---------------------------------------------


SECTION_TITLES = {
    "basic": gettext_lazy("Basic information"),
    "contacts": gettext_lazy("Contacts"),
    "financials": gettext_lazy("Financials"),
    "transactions": gettext_lazy("Transactions"),
    "services": gettext_lazy("Service records"),
    "notes": gettext_lazy("Notes"),
    "consents": gettext_lazy("Consent"),
    "reviews": gettext_lazy("Reviews"),
}


@dataclass(frozen=True)
class RecordForm:
    """An 'add a record' form of a section: how to build the form and which service saves it."""

    section: str
    form: Callable[..., forms.Form]
    save: Callable[..., Any]
    title: Any


def _payment_save(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Any:
    invoice = fields.pop("invoice", None)
    allocations = [(invoice.pk, fields["amount"])] if invoice is not None else None
    return payment_create(actor=actor, customer=customer, fields=fields, allocations=allocations)


RECORD_FORMS: dict[str, RecordForm] = {
    "contact": RecordForm(
        "contacts", cf.ContactForm, contact_create, gettext_lazy("Add a contact")
    ),
    "address": RecordForm(
        "contacts", cf.AddressForm, address_create, gettext_lazy("Add an address")
    ),
    "individual_financial": RecordForm(
        "financials",
        cf.IndividualFinancialForm,
        individual_financial_create,
        gettext_lazy("Add financial information"),
    ),
    "financial_statement": RecordForm(
        "financials",
        cf.FinancialStatementForm,
        financial_statement_create,
        gettext_lazy("Add a financial statement"),
    ),
    "contract": RecordForm(
        "transactions", cf.ContractForm, contract_create, gettext_lazy("Add a contract")
    ),
    "invoice": RecordForm(
        "transactions", cf.InvoiceForm, invoice_create, gettext_lazy("Add an invoice")
    ),
    "payment": RecordForm(
        "transactions", cf.PaymentForm, _payment_save, gettext_lazy("Record a payment")
    ),
    "service_record": RecordForm(
        "services",
        cf.ServiceRecordForm,
        service_record_create,
        gettext_lazy("Add a service record"),
    ),
    "note": RecordForm("notes", cf.NoteForm, note_create, gettext_lazy("Add a note")),
    "consent": RecordForm(
        "consents", cf.ConsentForm, consent_record, gettext_lazy("Record a consent")
    ),
}


def _make_form(kind: str, customer: Customer, data: Any = None) -> forms.Form:
    spec = RECORD_FORMS[kind]
    if kind == "payment":
        return spec.form(data, customer=customer, prefix=kind)
    return spec.form(data, prefix=kind)


def _section_forms(section: str, customer: Customer) -> list[tuple[str, str, forms.Form]]:
    kinds = [k for k, spec in RECORD_FORMS.items() if spec.section == section]
    if section == "financials":
        kinds = ["individual_financial" if customer.is_individual else "financial_statement"]
    return [(k, str(RECORD_FORMS[k].title), _make_form(k, customer)) for k in kinds]


def _section_context(user: User, customer: Customer, section: str) -> dict[str, Any]:
    context = _file_context(user, customer)
    context["section"] = section
    context["reveal_sections"] = REVEAL_FIELDS
    if section == "contacts":
        context["contacts"] = list(customer.contacts.all())
        context["addresses"] = list(customer.addresses.all())
    elif section == "financials":
        if customer.is_individual:
            context["individual_financials"] = list(customer.individual_financials.all()[:20])
        else:
            context["statements"] = list(customer.financial_statements.all()[:12])
    elif section == "transactions":
        context["contracts"] = list(customer.contracts.all()[:50])
        context["invoices"] = list(customer.invoices.select_related("contract")[:100])
        context["payments"] = list(customer.payments.prefetch_related("allocations__invoice")[:100])
        context["today"] = _today()
    elif section == "services":
        context["service_records"] = list(
            customer.service_records.select_related("handled_by")[:100]
        )
    elif section == "notes":
        context["notes"] = list(customer.notes.select_related("author")[:100])
    elif section == "consents":
        context["consents"] = list(customer.consents.select_related("recorded_by"))
        context["valid_consents"] = set(
            valid_consents(customer=customer).values_list("pk", flat=True)
        )
    if context["can_change"] and section != "basic":
        context["record_forms"] = _section_forms(section, customer)
    return context


@never_cache
@login_required
def customer_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_TITLES:
        raise Http404
    user = _user(request)
    # The section is part of the file's query: outside it, the file is not found.
    customer = customer_get(user=user, pk=pk, section=section, use=f"section {section}")
    context = _section_context(user, customer, section)
    return render_page_or_partial(
        request, "customers/detail.html", "customers/_section.html", context
    )


# Sections that show sealed values, and which attributes a reveal there shows in clear.
REVEAL_FIELDS = {
    "basic": ["id_number", "passport_number", "birth_date", "phone", "bank_account"],
    "contacts": ["mobile", "phone"],
    "financials": ["annual_income", "total_assets", "total_liabilities"],
}


@never_cache
@require_POST
@login_required
def section_reveal(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Show a section's sealed values in clear: a deliberate, audited action."""
    if section not in REVEAL_FIELDS:
        raise Http404
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.REVEAL, use=f"reveal {section}")
    try:
        sensitive_reveal(
            actor=user, customer=customer, what=f"section {section}", fields=REVEAL_FIELDS[section]
        )
    except PermissionDenied:
        raise Http404 from None
    context = _section_context(user, customer, section)
    context["revealed"] = True
    return render_page_or_partial(
        request, "customers/detail.html", "customers/_section.html", context
    )


@never_cache
@require_POST
@login_required
def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a record to a file section; the section comes back re-rendered, errors inline."""
    spec = RECORD_FORMS.get(kind)
    if spec is None:
        raise Http404
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    form = _make_form(kind, customer, request.POST)
    status = 200
    if form.is_valid():
        try:
            spec.save(actor=user, customer=customer, fields=cleaned(form))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
            status = 422
    else:
        status = 422
    customer = customer_get(user=user, pk=customer.pk, trace=False)
    context = _section_context(user, customer, spec.section)
    if status == 422:
        context["record_forms"] = [
            (k, t, form if k == kind else f) for k, t, f in context["record_forms"]
        ]
        context["open_form"] = kind
    else:
        context["saved"] = str(spec.title)
    if not is_htmx(request):
        if status == 200:
            return redirect(reverse("customers:section", args=[customer.pk, spec.section]))
        return render(request, "customers/detail.html", context, status=status)
    # htmx swaps only 2xx responses by default; the page's config also swaps 422.
    return render(request, "customers/_section.html", context, status=status)


# --- consent, credit report, personal data ----------------------------------------------------


@never_cache
@require_POST
@login_required
def consent_withdraw_view(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    consent = get_object_or_404(customer.consents, pk=consent_pk)
    context_error = None
    try:
        consent_withdraw(actor=user, consent=consent, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        context_error = " ".join(exc.messages)
    customer = customer_get(user=user, pk=pk, trace=False)
    context = _section_context(user, customer, "consents")
    context["withdraw_error"] = context_error
    context["saved"] = None if context_error else _("Consent withdrawn")
    status = 422 if context_error else 200
    if not is_htmx(request):
        if status == 200:
            return redirect(reverse("customers:section", args=[customer.pk, "consents"]))
        return render(request, "customers/detail.html", context, status=status)
    return render(request, "customers/_section.html", context, status=status)


@never_cache
@login_required
def credit_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The credit report (信用报告) of a file; an individual's needs their consent."""
    user = _user(request)
    # The report's own record (with its consent) is the trace of this read.
    customer = customer_get(user=user, pk=pk, action=Action.REPORT, trace=False)
    try:
        consent = require_consent(customer=customer, purpose="credit_report")
    except ConsentMissing as exc:
        return render(
            request,
            "customers/report_refused.html",
            {
                "customer": customer,
                "message": str(exc),
                # A usage grant may not open the consents: then no link that leads nowhere.
                "sees_consents": customer.access.sees(Section.CONSENTS),  # type: ignore[attr-defined]
            },
            status=403,
        )
    record_report_use(actor=user, customer=customer, consent=consent)
    today = _today()
    access = customer.access  # type: ignore[attr-defined]
    # Each part of the report comes from one section, shown only to whoever sees it.
    sees_transactions = access.sees(Section.TRANSACTIONS)
    sees_financials = access.sees(Section.FINANCIALS)
    context = {
        "customer": customer,
        "consent": consent,
        "behaviour": payment_behaviour(customer, as_of=today) if sees_transactions else None,
        "ratios": latest_ratios(customer) if sees_financials else None,
        "sees_transactions": sees_transactions,
        "sees_financials": sees_financials,
        "today": today,
        "access": access,
    }
    return render(request, "customers/report.html", context)


@never_cache
@require_POST
@login_required
def personal_data_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A person's copy of their data, for an access request (JSON or xlsx)."""
    if fmt not in {"json", "xlsx"}:
        raise Http404
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.EXPORT, trace=False)
    try:
        data = personal_data_export(actor=user, customer=customer, fmt=fmt)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:detail", pk=customer.pk)
    name = f"personal-data-{customer.code}.{fmt}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(
            personal_data_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
