"""Customer event pages: the list, planning and editing an event, and the event's page with
its invitations, replies and attendance."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts.models import User
from credfile.core.forms import apply_service_errors, cleaned
from credfile.core.htmx import render_page_or_partial
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import (
    Action,
    can_organise_events,
    can_see_events,
    customer_scope,
    invitation_change_scope,
)
from credfile.customers.models import Customer
from credfile.events import services
from credfile.events.choices import EVENT_TRANSITIONS, INVITATION_TRANSITIONS, EventStatus
from credfile.events.choices import InvitationStatus as Inv
from credfile.events.forms import AttendanceForm, EventFilterForm, EventForm, InviteForm
from credfile.events.models import CustomerEvent, Invitation
from credfile.events.panels import event_panels
from credfile.events.selectors import EventFilters, event_get, event_invitations, event_list


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _seeing(request: HttpRequest) -> User:
    user = _user(request)
    if not can_see_events(user):
        raise Http404
    return user


@never_cache
@login_required
def event_list_page(request: HttpRequest) -> HttpResponse:
    user = _seeing(request)
    form = EventFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = EventFilters(
        status=data.get("status", ""), kind=data.get("kind", ""), q=(data.get("q") or "").strip()
    )
    page = keyset_paginate(
        event_list(user=user, filters=filters),
        order="-starts_at",
        cursor=request.GET.get("cursor"),
        size=int(settings.CREDFILE_PAGE_SIZE),
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "query_string": params.urlencode(),
        "can_organise": can_organise_events(user),
        "now": timezone.now(),
    }
    return render_page_or_partial(request, "events/list.html", "events/_list.html", context)


def _form_page(
    request: HttpRequest, form: Any, event: CustomerEvent | None, status: int = 200
) -> HttpResponse:
    return render(request, "events/form.html", {"form": form, "event": event}, status=status)


@never_cache
@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_organise_events(user):
        raise Http404
    if request.method != "POST":
        return _form_page(request, EventForm(), None)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_create(actor=user, fields=cleaned(form))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The event is planned."))
            return redirect("events:detail", pk=event.pk)
    return _form_page(request, form, None, status=422)


def _changeable(user: User, pk: int) -> CustomerEvent:
    event = event_get(user=user, pk=pk)
    if not event.can_change:  # type: ignore[attr-defined]
        raise Http404
    return event


@never_cache
@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _seeing(request)
    event = _changeable(user, pk)
    fields = ("title", "kind", "starts_at", "ends_at", "place", "capacity", "description")
    if request.method != "POST":
        initial = {name: getattr(event, name) for name in fields}
        initial["starts_at"] = timezone.localtime(event.starts_at)
        initial["ends_at"] = timezone.localtime(event.ends_at)
        return _form_page(request, EventForm(initial=initial), event)
    form = EventForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k in fields}
        values["description"] = values.get("description") or ""
        try:
            services.event_update(actor=user, event=event, fields=values)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:detail", pk=event.pk)
    return _form_page(request, form, event, status=422)


# How each step of the event reads on its button.
STEP_LABELS = {
    EventStatus.OPEN: gettext_lazy("Open for replies"),
    EventStatus.HELD: gettext_lazy("Record as held"),
    EventStatus.CANCELLED: gettext_lazy("Cancel the event"),
}


def _detail(
    request: HttpRequest,
    user: User,
    event: CustomerEvent,
    *,
    invite_form: InviteForm | None = None,
    attendance_form: AttendanceForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    invitations = list(event_invitations(user=user, event=event))
    can_change = bool(event.can_change)  # type: ignore[attr-defined]
    writable: set[int] = set()
    if can_change:
        writable = set(
            Invitation.objects.filter(invitation_change_scope(user), event=event).values_list(
                "pk", flat=True
            )
        )
    now = timezone.now()
    began = event.starts_at <= now
    live = event.status != EventStatus.CANCELLED
    rows = []
    for invitation in invitations:
        steps = []
        if invitation.pk in writable and live:
            allowed = INVITATION_TRANSITIONS.get(invitation.status, frozenset())
            wanted = (
                (Inv.ATTENDED, Inv.NO_SHOW)
                if began
                else (Inv.ACCEPTED, Inv.DECLINED)
                if event.status != EventStatus.HELD
                else ()
            )
            steps = [(str(s), Inv(s).label) for s in wanted if s in allowed]
        rows.append((invitation, steps))
    open_rows = [
        (i.pk, f"{i.customer.code} {i.customer.name}")
        for i in invitations
        if i.pk in writable and i.status in {Inv.INVITED, Inv.ACCEPTED}
    ]
    context = {
        "event": event,
        "rows": rows,
        "hidden": max(event.taken - sum(1 for i in invitations if i.status != Inv.DECLINED), 0),  # type: ignore[attr-defined]
        "can_change": can_change,
        "steps": [(str(s), STEP_LABELS[EventStatus(s)]) for s in EVENT_TRANSITIONS[event.status]]
        if can_change
        else [],
        "may_invite": can_change
        and event.status in {EventStatus.PLANNED, EventStatus.OPEN}
        and not began,
        "invite_form": invite_form or InviteForm(),
        "may_record_attendance": can_change and began and live and bool(open_rows),
        "attendance_form": attendance_form or AttendanceForm(choices=open_rows),
        "errors": errors or [],
        "began": began,
        "left": max(event.capacity - event.taken, 0),  # type: ignore[attr-defined]
        "panels": event_panels(user, event),
    }
    return render(request, "events/detail.html", context, status=status)


def render_event_page(
    request: HttpRequest, event_pk: int, *, errors: list[str], status: int = 422
) -> HttpResponse:
    """The event's page with errors above it: for an action another app's panel posts
    (sending a questionnaire to the attendees) that was refused."""
    user = _user(request)
    return _detail(request, user, event_get(user=user, pk=event_pk), errors=errors, status=status)


@never_cache
@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Also for whoever sees one of its invitations on a file (under a grant, say).
    user = _user(request)
    return _detail(request, user, event_get(user=user, pk=pk))


@never_cache
@require_POST
@login_required
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _seeing(request)
    event = _changeable(user, pk)
    try:
        services.event_transition(actor=user, event=event, status=request.POST.get("to", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return _detail(request, user, event, errors=exc.messages, status=422)
    messages.success(request, _("The event's status is saved."))
    return redirect("events:detail", pk=pk)


@never_cache
@require_POST
@login_required
def event_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite the customers named by code: all of them or none."""
    user = _seeing(request)
    event = _changeable(user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail(request, user, event, invite_form=form, status=422)
    codes: list[str] = form.cleaned_data["codes"]
    found = dict(
        Customer.objects.filter(
            customer_scope(user, Action.VIEW, grants=False), code__in=codes
        ).values_list("code", "pk")
    )
    unknown = [c for c in codes if c not in found]
    if unknown:
        form.add_error(
            "codes",
            _("No file you may see has the code: %(codes)s.") % {"codes": ", ".join(unknown[:10])},
        )
        return _detail(request, user, event, invite_form=form, status=422)
    try:
        created = services.invitations_create(
            actor=user,
            event=event,
            customers=list(found.values()),
            note=form.cleaned_data.get("note") or "",
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error("codes" if name == "customers" else None, message)
        return _detail(request, user, event_get(user=user, pk=pk), invite_form=form, status=422)
    messages.success(request, _("%(count)d customers invited.") % {"count": len(created)})
    return redirect("events:detail", pk=pk)


@never_cache
@require_POST
@login_required
def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    user = _seeing(request)
    event = _changeable(user, pk)
    choices = [
        (i.pk, str(i.pk))
        for i in Invitation.objects.filter(
            invitation_change_scope(user),
            event=event,
            status__in=[Inv.INVITED, Inv.ACCEPTED],
        )
    ]
    form = AttendanceForm(request.POST, choices=choices)
    if not form.is_valid():
        return _detail(request, user, event, status=422)
    try:
        counts = services.attendance_record(
            actor=user, event=event, attended=form.cleaned_data["attended"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return _detail(request, user, event, errors=exc.messages, status=422)
    messages.success(
        request,
        _("Attendance recorded: %(attended)d came, %(no_show)d did not.") % counts,
    )
    return redirect("events:detail", pk=pk)


@never_cache
@require_POST
@login_required
def invitation_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _seeing(request)
    invitation = Invitation.objects.filter(invitation_change_scope(user), pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        services.invitation_set_status(
            actor=user, invitation=invitation, status=request.POST.get("to", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        event = event_get(user=user, pk=invitation.event_id)
        return _detail(request, user, event, errors=exc.messages, status=422)
    return redirect("events:detail", pk=invitation.event_id)
