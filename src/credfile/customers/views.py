"""Credit file pages: list and search, the file with its sections, create and edit."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.changes import services as changes
from credfile.changes.choices import FieldGroup
from credfile.changes.registry import needs_approval
from credfile.changes.views import submitted_message
from credfile.core.errors import ConfirmationRequired, DuplicateRecord, StaleVersion
from credfile.core.forms import apply_service_errors, cleaned
from credfile.core.htmx import is_htmx, render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import (
    Action,
    Section,
    can_create_customer,
    can_export_files,
    can_reveal_in_exports,
    customer_scope,
    scope_flag,
)
from credfile.customers import forms as cf
from credfile.customers.exports import personal_data_export, personal_data_xlsx
from credfile.customers.models import Customer
from credfile.customers.sections import Section as FileSection
from credfile.customers.sections import record_kind, section_get, sections
from credfile.customers.selectors import (
    DEFAULT_SORT,
    SORTS,
    customer_get,
    customer_search,
    file_read_record,
)
from credfile.customers.services import (
    contacts_verify,
    customer_create,
    sensitive_reveal,
)
from credfile.customers.timeline import Before as TimelineBefore
from credfile.customers.timeline import timeline_kinds, timeline_page, visible_sources


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = cf.CustomerFilterForm(request.GET or None)
    filters = form.filters()
    data = form.cleaned_data if form.is_valid() else {}
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
        "can_export": can_export_files(user),
        "can_reveal_export": can_reveal_in_exports(user),
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
    section = _allowed_sections(customer)[0]
    file_read_record(user=user, customer=customer, section=section.slug, use="file page")
    context = _section_context(user, customer, section)
    return render(request, "customers/detail.html", context)


def _allowed_sections(customer: Customer) -> list[FileSection]:
    """The file's sections this user may open, as the policy answered for this file."""
    access = customer.access  # type: ignore[attr-defined]
    allowed = [s for s in sections() if access.sees(s.slug)]
    if not allowed:
        raise Http404
    return allowed


def _file_context(user: User, customer: Customer) -> dict[str, Any]:
    access = customer.access  # type: ignore[attr-defined]
    can_change = access.can_change
    # A deletion that needs approval is requested by whoever may change the file.
    deletion_by_request = needs_approval(FieldGroup.DELETION)
    can_delete = can_change if deletion_by_request else access.can_delete
    allowed = _allowed_sections(customer)
    # The tab counts, each shown only to whoever sees its section.
    counted = {s.slug: s.counted for s in allowed if s.counted is not None}
    counts: dict[str, int] = {}
    if counted:
        # One query of independent counts (joins would multiply the rows).
        row: Any = (
            Customer.objects.filter(pk=customer.pk)
            .values("pk")
            .annotate(**{f"n_{slug}": _count(model) for slug, model in counted.items()})
            .get()
        )
        counts = {name.removeprefix("n_"): value for name, value in row.items() if name != "pk"}
    sees_basic = access.sees(Section.BASIC)
    context: dict[str, Any] = {
        "customer": customer,
        "access": access,
        "sections": {s.slug: s.title for s in allowed},
        "tabs": [(s.slug, s.title, counts.get(s.slug)) for s in allowed],
        "sees_basic": sees_basic,
        "can_change": can_change,
        "can_delete": can_delete,
        "deletion_by_request": deletion_by_request,
        "tags": list(customer.tags.values_list("name", flat=True)) if sees_basic else [],
        # The timeline tab, for whoever sees at least one of its kinds.
        "timeline_tab": bool(visible_sources(access)),
    }
    for section in allowed:
        if section.header is not None:
            context.update(section.header(user, customer, access))
    return context


def _count(model: type[Any]) -> Subquery:
    rows = (
        model.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)  # type: ignore[return-value]


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
            actor=user,
            customer=customer,
            what="section basic",
            fields=list(_open_section(Section.BASIC).reveal_fields),
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
# Each app registers its section (credfile.customers.sections); this page only shows them.


def _make_form(kind: Any, customer: Customer, data: Any = None) -> forms.Form:
    return kind.form(data, customer=customer, prefix=kind.slug)


def _section_context(user: User, customer: Customer, section: FileSection) -> dict[str, Any]:
    context = _file_context(user, customer)
    access = context["access"]
    context["section"] = section.slug
    context["section_template"] = section.template
    context["reveal_sections"] = [s.slug for s in sections() if s.reveal_fields]
    if section.context is not None:
        context.update(section.context(user, customer, access))
    if context["can_change"]:
        context["record_forms"] = [
            (k.slug, str(k.title), _make_form(k, customer))
            for k in section.records
            if k.offered(customer)
        ]
    return context


def _open_section(slug: str) -> FileSection:
    section = section_get(slug)
    if section is None:
        raise Http404
    return section


@never_cache
@login_required
def customer_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    spec = _open_section(section)
    user = _user(request)
    # The section is part of the file's query: outside it, the file is not found.
    customer = customer_get(user=user, pk=pk, section=section, use=f"section {section}")
    context = _section_context(user, customer, spec)
    return render_page_or_partial(
        request, "customers/detail.html", "customers/_section.html", context
    )


def section_response(
    request: HttpRequest,
    user: User,
    pk: int,
    section: str,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """A section of the file again after a change made from it: the section (htmx), the
    section's page after a success, or the page with the errors."""
    spec = _open_section(section)
    customer = customer_get(user=user, pk=pk, trace=False)
    context = _section_context(user, customer, spec)
    context.update(extra)
    if not is_htmx(request):
        if status == 200:
            return redirect(reverse("customers:section", args=[customer.pk, section]))
        return render(request, "customers/detail.html", context, status=status)
    # htmx swaps only 2xx responses by default; the page's config also swaps 422.
    return render(request, "customers/_section.html", context, status=status)


@never_cache
@require_POST
@login_required
def section_reveal(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Show a section's sealed values in clear: a deliberate, audited action."""
    spec = _open_section(section)
    if not spec.reveal_fields:
        raise Http404
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.REVEAL, use=f"reveal {section}")
    try:
        sensitive_reveal(
            actor=user,
            customer=customer,
            what=f"section {section}",
            fields=list(spec.reveal_fields),
        )
    except PermissionDenied:
        raise Http404 from None
    context = _section_context(user, customer, spec)
    context["revealed"] = True
    return render_page_or_partial(
        request, "customers/detail.html", "customers/_section.html", context
    )


@never_cache
@require_POST
@login_required
def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a record to a file section; the section comes back re-rendered, errors inline."""
    found = record_kind(kind)
    if found is None:
        raise Http404
    section, spec = found
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    form = _make_form(spec, customer, request.POST)
    status = 200
    if form.is_valid():
        try:
            spec.create(actor=user, customer=customer, fields=cleaned(form))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
            status = 422
    else:
        status = 422
    customer = customer_get(user=user, pk=customer.pk, trace=False)
    context = _section_context(user, customer, section)
    if status == 422:
        context["record_forms"] = [
            (k, t, form if k == kind else f) for k, t, f in context["record_forms"]
        ]
        context["open_form"] = kind
    else:
        context["saved"] = str(spec.title)
    if not is_htmx(request):
        if status == 200:
            return redirect(reverse("customers:section", args=[customer.pk, section.slug]))
        return render(request, "customers/detail.html", context, status=status)
    # htmx swaps only 2xx responses by default; the page's config also swaps 422.
    return render(request, "customers/_section.html", context, status=status)


@never_cache
@require_POST
@login_required
def contact_verify(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Mark a contact verified: checked with the customer today, by this user."""
    user = _user(request)
    customer = customer_get(user=user, pk=pk, action=Action.CHANGE)
    contact = get_object_or_404(customer.contacts, pk=contact_pk)
    try:
        contacts_verify(actor=user, customer=customer, contacts=[contact.pk])
    except PermissionDenied:
        raise Http404 from None
    saved = _("Contact %(name)s verified") % {"name": contact}
    return section_response(request, user, pk, Section.CONTACTS, saved=saved)


# --- personal data ----------------------------------------------------------------------------


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


# --- the file's timeline ------------------------------------------------------------------------


@never_cache
@login_required
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Every kind of record of the file the reader may see, newest first, filtered by kind;
    "more" (htmx) brings the next page by its keyset (`customers/timeline.py`)."""
    user = _user(request)
    kinds = [k for k in request.GET.getlist("kind") if k in timeline_kinds()]
    before = None
    if request.GET.get("before"):
        try:
            before = TimelineBefore.decode(request.GET["before"])
        except ValueError:
            raise Http404 from None
    more = before is not None and is_htmx(request)
    # Only the first page is a look at the file; the next pages are the same look.
    customer = customer_get(user=user, pk=pk, use="timeline", trace=not more)
    page = timeline_page(user=user, customer=customer, kinds=kinds, before=before)
    params = [("kind", k) for k in kinds]
    context: dict[str, Any] = {
        "customer": customer,
        "timeline": page,
        "timeline_filtered": bool(kinds),
        "next_query": urlencode([*params, ("before", page.next.encode())]) if page.next else "",
    }
    if more:
        return render(request, "customers/_timeline_entries.html", context)
    context = {**_file_context(user, customer), **context}
    context["section"] = "timeline"
    context["section_template"] = "customers/timeline.html"
    return render_page_or_partial(
        request, "customers/detail.html", "customers/_section.html", context
    )
