"""Archive pages: the retention schedule (propose, approve), what has fallen due, and a
file's life cycle (settle, archive, legal holds)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.core.forms import apply_service_errors
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import (
    Action,
    can_approve_destruction,
    can_decide_retention_rules,
    can_propose_retention_rules,
    can_see_certificates,
    can_see_due_list,
    can_see_retention_rules,
    certificate_scope,
    customer_scope,
    lifecycle_scope,
    retention_decide_scope,
)
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.retention import destruction, selectors, services
from credfile.retention.forms import (
    DecisionForm,
    DeletionRequestForm,
    LegalHoldForm,
    RuleProposalForm,
)
from credfile.retention.models import (
    DeletionRequest,
    DestructionCertificate,
    FileLifecycle,
    LegalHold,
    RetentionRuleChange,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _rules_page(request: HttpRequest, form: RuleProposalForm | None, status: int) -> HttpResponse:
    user = _user(request)
    pending = list(selectors.rule_changes_pending())
    decidable = set(
        RetentionRuleChange.objects.filter(retention_decide_scope(user)).values_list(
            "pk", flat=True
        )
    )
    for change in pending:
        change.may_decide = change.pk in decidable  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "rules": list(selectors.rule_list()),
        "pending": pending,
        "form": form if can_propose_retention_rules(user) else None,
        "decision_form": DecisionForm(),
        "can_decide": can_decide_retention_rules(user),
    }
    return render(request, "retention/rules.html", context, status=status)


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    if not can_see_retention_rules(_user(request)):
        raise Http404
    return _rules_page(request, RuleProposalForm(), 200)


@login_required
@require_POST
def rule_propose(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_propose_retention_rules(user):
        raise Http404
    form = RuleProposalForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        rule, reason = data.pop("rule"), data.pop("reason") or ""
        try:
            services.rule_change_propose(actor=user, rule=rule, fields=data, reason=reason)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Proposal recorded; it applies once approved."))
            return redirect("retention:rules")
    return _rules_page(request, form, 422)


@login_required
@require_POST
def rule_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = get_object_or_404(
        RetentionRuleChange.objects.filter(retention_decide_scope(user)), pk=pk
    )
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.rule_change_decide(actor=user, change=change, approve=approve, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Rule approved.") if approve else _("Proposal rejected."))
    return redirect("retention:rules")


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_see_due_list(user):
        raise Http404
    page = keyset_paginate(
        selectors.due_list(user=user), order="due_on", cursor=request.GET.get("cursor"), size=100
    )
    approvable = selectors.approvable_ids(user=user, items=list(page.items))
    return render(request, "retention/due.html", {"page": page, "approvable": approvable})


@login_required
@require_POST
def due_approve(request: HttpRequest) -> HttpResponse:
    """The department head's approval of the chosen items: they are destroyed now."""
    user = _user(request)
    if not can_approve_destruction(user):
        raise Http404
    ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
    if not ids:
        messages.error(request, _("Choose what to destroy."))
        return redirect("retention:due")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that the chosen records are to be destroyed."))
        return redirect("retention:due")
    try:
        # A page lists 100 items: one approval never takes longer than a page's worth.
        outcome = destruction.destruction_approve(actor=user, item_ids=ids, limit=100)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("retention:due")
    if outcome.certificates:
        messages.success(
            request,
            _("%(count)d destroyed, each with a destruction certificate.")
            % {"count": len(outcome.certificates)},
        )
    if outcome.remaining:
        messages.warning(
            request,
            _("%(count)d chosen items were left for another approval.")
            % {"count": outcome.remaining},
        )
    for item, why in outcome.refused:
        messages.error(
            request,
            _("%(kind)s %(id)s was not destroyed: %(why)s")
            % {"kind": item.get_kind_display(), "id": item.object_id, "why": why},
        )
    return redirect("retention:due")


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_see_certificates(user):
        raise Http404
    page = keyset_paginate(
        selectors.certificate_list(user=user),
        order="-destroyed_at",
        cursor=request.GET.get("cursor"),
        size=100,
    )
    return render(request, "retention/certificates.html", {"page": page})


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    certificate = get_object_or_404(
        DestructionCertificate.objects.filter(certificate_scope(user)).select_related(
            "approved_by", "rule", "request", "department"
        ),
        pk=pk,
    )
    rows = []
    for label, number in (certificate.counts.get("rows") or {}).items():
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = label
        rows.append((name, number))
    return render(request, "retention/certificate.html", {"certificate": certificate, "rows": rows})


def _file(request: HttpRequest, pk: int) -> tuple[User, Customer]:
    user = _user(request)
    customer = customer_get(user=user, pk=pk, section="basic", use="lifecycle")
    return user, customer


@login_required
def lifecycle_page(request: HttpRequest, customer_pk: int) -> HttpResponse:
    user, customer = _file(request, customer_pk)
    may = Customer.objects.filter(lifecycle_scope(user), pk=customer.pk).exists()
    context = {
        "customer": customer,
        "lifecycle": FileLifecycle.objects.filter(customer=customer).first(),
        "holds": list(selectors.holds_of(customer.pk)),
        "may_manage": may,
        "hold_form": LegalHoldForm(),
        "request_form": DeletionRequestForm(),
        "requests": list(DeletionRequest.objects.filter(customer_id=customer.pk)),
        "read_only": not Customer.objects.filter(
            customer_scope(user, Action.CHANGE), pk=customer.pk
        ).exists()
        and customer.status == "archived",
    }
    return render(request, "retention/lifecycle.html", context)


def _lifecycle_post(request: HttpRequest, customer_pk: int, run: Any, done: str) -> HttpResponse:
    user, customer = _file(request, customer_pk)
    if not Customer.objects.filter(lifecycle_scope(user), pk=customer.pk).exists():
        raise Http404
    try:
        run(user, customer)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except services.ArchiveDamaged as exc:
        messages.error(
            request,
            _("The document %(name)s does not match its checksum; nothing was archived.")
            % {"name": exc},
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("customer-lifecycle:page", customer_pk=customer.pk)


@login_required
@require_POST
def settle(request: HttpRequest, customer_pk: int) -> HttpResponse:
    return _lifecycle_post(
        request,
        customer_pk,
        lambda user, customer: services.file_settle(actor=user, customer=customer),
        _("The file is settled; its retention counts from today."),
    )


@login_required
@require_POST
def archive(request: HttpRequest, customer_pk: int) -> HttpResponse:
    return _lifecycle_post(
        request,
        customer_pk,
        lambda user, customer: services.file_archive(actor=user, customer=customer),
        _("The file is archived and now read only."),
    )


def _form_refused(request: HttpRequest, customer_pk: int, form: Any) -> HttpResponse:
    """Back to the life-cycle page with the form's errors (the file found as for a view)."""
    _unused, customer = _file(request, customer_pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("customer-lifecycle:page", customer_pk=customer.pk)


@login_required
@require_POST
def hold_place(request: HttpRequest, customer_pk: int) -> HttpResponse:
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, customer_pk, form)
    return _lifecycle_post(
        request,
        customer_pk,
        lambda user, customer: services.legal_hold_place(
            actor=user,
            customer=customer,
            reason=form.cleaned_data["reason"] or "",
            until=form.cleaned_data["until"],
        ),
        _("Legal hold placed: nothing of this file is listed for destruction."),
    )


@login_required
@require_POST
def hold_lift(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    def lift(user: User, customer: Customer) -> None:
        hold = get_object_or_404(LegalHold, pk=pk, customer=customer)
        services.legal_hold_lift(actor=user, hold=hold)

    return _lifecycle_post(request, customer_pk, lift, _("Legal hold lifted."))


@login_required
@require_POST
def deletion_request(request: HttpRequest, customer_pk: int) -> HttpResponse:
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, customer_pk, form)
    return _lifecycle_post(
        request,
        customer_pk,
        lambda user, customer: destruction.deletion_request_record(
            actor=user,
            customer=customer,
            basis=form.cleaned_data["basis"] or "",
            received_on=form.cleaned_data["received_on"],
        ),
        _("The deletion request is recorded and the file listed for destruction."),
    )
