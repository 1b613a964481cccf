"""Change request pages: the approvers' queue, a request, decisions (htmx), corrections of
records, notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.changes import selectors, services
from credfile.changes.choices import ChangeStatus, FieldGroup
from credfile.changes.forms import DecisionForm, DeleteReasonForm, ReasonForm, correction_form
from credfile.changes.models import ChangeRequest
from credfile.changes.registry import CUSTOMER_LABEL, needs_approval, target_by_slug
from credfile.core.errors import StaleVersion
from credfile.core.forms import apply_service_errors
from credfile.core.htmx import is_htmx
from credfile.core.masking import mask
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Action, can_decide_changes
from credfile.core.sealed import Sealed
from credfile.customers.selectors import customer_get
from credfile.customers.services import sensitive_reveal


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def waiting_for(change: ChangeRequest) -> str:
    """Who the maker waits for, by name (for the 'submitted' message)."""
    names = [str(u) for u in services.approvers(change)]
    return "、".join(names) if names else _("a department head")


def submitted_message(changes: list[ChangeRequest]) -> str:
    groups = "、".join(str(c.get_field_group_display()) for c in changes)
    return _("%(groups)s: submitted for approval, waiting for %(who)s.") % {
        "groups": groups,
        "who": waiting_for(changes[0]),
    }


def _card_context(
    user: User,
    change: ChangeRequest,
    *,
    reveal: bool = False,
    lines: list[selectors.DiffLine] | None = None,
    can_decide: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if can_decide is None:
        can_decide = selectors.may_decide(user=user, request=change)
    version = change.customer.version if change.customer is not None else None
    return {
        "change": change,
        "lines": lines if lines is not None else selectors.request_diff(change, reveal=reveal),
        "revealed": reveal,
        "can_decide": can_decide,
        "can_withdraw": change.is_pending and change.maker_id == user.pk,
        "can_reveal": change.is_pending and _can_reveal(user, change),
        "form": extra.pop("form", None) or DecisionForm(initial={"version": version}),
        **extra,
    }


def _can_reveal(user: User, change: ChangeRequest) -> bool:
    from credfile.access.selectors import can_reveal

    return change.customer is not None and can_reveal(user=user, customer=change.customer)


TABS = ("decide", "mine", "all")


@never_cache
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tabs = [t for t in TABS if t != "decide" or can_decide_changes(user)]
    tab = request.GET.get("tab") or tabs[0]
    if tab not in tabs:
        tab = tabs[0]
    if tab == "decide":
        queryset = selectors.awaiting_decision(user=user)
    elif tab == "mine":
        queryset = selectors.request_queryset(user=user).filter(maker=user)
    else:
        queryset = selectors.request_queryset(user=user)
    status = request.GET.get("status", "")
    if status in ChangeStatus.values:
        queryset = queryset.filter(status=status)
    customer = request.GET.get("customer", "")
    if customer.isdigit():
        queryset = queryset.filter(customer_id=int(customer))
    page = keyset_paginate(
        queryset, order="-pk", cursor=request.GET.get("cursor"), size=25, unique=True
    )
    # The diffs and the decision rights of the whole page in a few queries.
    diffs = selectors.request_diffs(page.items)
    deciding = selectors.decidable(user=user, requests=page.items)
    cards = [
        _card_context(user, change, lines=diffs[change.pk], can_decide=change.pk in deciding)
        for change in page.items
    ]
    context = {
        "page": page,
        "cards": cards,
        "tab": tab,
        "tabs": tabs,
        "status": status,
        "statuses": ChangeStatus.choices,
        "customer": customer,
    }
    return render(request, "changes/queue.html", context)


@never_cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.request_get(user=user, pk=pk)
    return render(request, "changes/detail.html", _card_context(user, change))


def _answer(
    request: HttpRequest, user: User, pk: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The request's card again (htmx), or its page."""
    change = selectors.request_get(user=user, pk=pk)
    context = _card_context(user, change, **extra)
    if is_htmx(request):
        return render(request, "changes/_card.html", context, status=status)
    if status == 200:
        return redirect("changes:detail", pk=pk)
    return render(request, "changes/detail.html", context, status=status)


@never_cache
@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.request_get(user=user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _answer(request, user, pk, status=422, form=form)
    try:
        services.change_request_approve(
            actor=user, request=change, expected_version=form.cleaned_data.get("version")
        )
    except StaleVersion as exc:
        form.add_error(None, _conflict_message(exc))
        return _answer(
            request, user, pk, status=409, form=form, conflict=list(exc.changes.values())
        )
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _answer(request, user, pk, status=403, form=form)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _answer(request, user, pk, status=422, form=form)
    messages.success(request, _("Change request #%(id)s approved and applied.") % {"id": pk})
    return _answer(request, user, pk, decided=True)


def _conflict_message(exc: StaleVersion) -> str:
    message = getattr(exc, "message", None)
    if message:
        return str(message)
    return _(
        "The file changed after you opened this page (now version %(version)s). Look at the "
        "changes below, then decide again."
    ) % {"version": exc.current_version}


@never_cache
@require_POST
@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.request_get(user=user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _answer(request, user, pk, status=422, form=form)
    try:
        services.change_request_reject(
            actor=user, request=change, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _answer(request, user, pk, status=403, form=form)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _answer(request, user, pk, status=422, form=form)
    messages.success(request, _("Change request #%(id)s rejected.") % {"id": pk})
    return _answer(request, user, pk, decided=True)


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.request_get(user=user, pk=pk)
    try:
        services.change_request_withdraw(actor=user, request=change)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Change request #%(id)s withdrawn.") % {"id": pk})
    return redirect("changes:detail", pk=pk)


@never_cache
@require_POST
@login_required
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the request's sensitive values in clear: as the file's reveal rules allow,
    recorded in the audit trail."""
    user = _user(request)
    change = selectors.request_get(user=user, pk=pk)
    if change.customer_id is None:
        raise Http404
    customer = customer_get(user=user, pk=change.customer_id, use=f"change request {pk}")
    try:
        sensitive_reveal(
            actor=user,
            customer=customer,
            what=f"change request {pk}",
            fields=[line.name for line in selectors.request_diff(change)],
        )
    except PermissionDenied:
        raise Http404 from None
    context = _card_context(user, change, reveal=True)
    template = "changes/_card.html" if is_htmx(request) else "changes/detail.html"
    return render(request, template, context)


@never_cache
@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The navbar's count of unread notifications (loaded by htmx)."""
    unread = selectors.unread_notifications(user=_user(request)).count()
    return render(request, "changes/_badge.html", {"unread": unread})


@never_cache
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        services.notifications_mark_read(user=user)
        return redirect("changes:notifications")
    items = list(
        user.change_notifications.select_related("request", "request__maker").order_by("-id")[:100]
    )
    return render(request, "changes/notifications.html", {"items": items})


def _record_for(request: HttpRequest, kind: str, pk: int) -> tuple[Any, Any, Any]:
    """The registered kind, the record and its file, if the user may change the file
    (else not found: a file outside the user's scope is never confirmed)."""
    target = target_by_slug(kind)
    if target is None or target.label == CUSTOMER_LABEL:
        raise Http404
    record = target.model._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404
    customer = customer_get(
        user=_user(request),
        pk=record.customer_id,  # type: ignore[attr-defined]
        action=Action.CHANGE,
    )
    return target, record, customer


def _pending(customer: Any, target: Any, record: Any) -> Any:
    return selectors.pending_for_customer(customer=customer).filter(
        target_type=target.label, target_id=record.pk
    )


@never_cache
@login_required
def correct(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Edit a record of a file: its form prefilled; saved through change control (a request
    when its group needs approval, else at once). Saved unchanged, nothing is written."""
    user = _user(request)
    target, record, customer = _record_for(request, kind, pk)
    form_class = correction_form(target)
    # Sealed values are not put in the page: shown masked, as on the file page, and kept
    # unless a new value is typed (showing one in clear is the audited reveal's job).
    sealed = {n for n in target.fields if isinstance(getattr(target.model, n, None), Sealed)}
    initial = {name: getattr(record, name) for name in target.fields if name not in sealed}
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=initial)
    for name in sealed:
        field = form.fields[name]
        field.required = False
        field.help_text = _("Leave empty to keep the value on file.")
        value = getattr(record, name)
        if value not in (None, ""):
            field.widget.attrs["placeholder"] = mask(name, value)
    reason_form = ReasonForm(data)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and reason_form.is_valid():
            back = redirect(reverse("customers:section", args=[customer.pk, target.section]))
            # Only what the user changed: a field shown and sent back as it was is no change.
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                messages.info(request, _("Nothing changed."))
                return back
            try:
                change = services.record_change(
                    actor=user,
                    customer=customer,
                    target=record,
                    changes=changes,
                    reason=reason_form.cleaned_data["reason"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if change is not None:
                    messages.info(request, submitted_message([change]))
                else:
                    messages.success(request, _("Changes saved."))
                return back
    context = {
        "customer": customer,
        "record": record,
        "target": target,
        "record_label": target.model._meta.verbose_name,
        "form": form,
        "reason_form": reason_form,
        "needs_approval": needs_approval(target.group),
        "pending": _pending(customer, target, record),
    }
    return render(request, "changes/correct.html", context, status=status)


@never_cache
@login_required
def delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Delete a record of a file, with the reason: a deletion request when deletions need
    approval, else at once."""
    user = _user(request)
    target, record, customer = _record_for(request, kind, pk)
    form = DeleteReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                change = services.record_change(
                    actor=user,
                    customer=customer,
                    target=record,
                    delete=True,
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if change is not None:
                    messages.info(request, submitted_message([change]))
                else:
                    messages.success(
                        request,
                        _("%(record)s deleted.")
                        % {"record": capfirst(str(target.model._meta.verbose_name))},
                    )
                return redirect(reverse("customers:section", args=[customer.pk, target.section]))
    context = {
        "customer": customer,
        "record": record,
        "target": target,
        "record_label": target.model._meta.verbose_name,
        "form": form,
        "needs_approval": needs_approval(FieldGroup.DELETION),
        "pending": _pending(customer, target, record),
    }
    return render(request, "changes/delete.html", context, status=status)
