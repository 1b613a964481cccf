"""Writes of complaints: recording one, moving it through its states, the deadlines per
severity, and the daily reminders and escalations."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, model_snapshot
from credfile.complaints.choices import (
    DEFAULT_SLA_HOURS,
    OPEN_STATUSES,
    TRANSITIONS,
    Severity,
    Status,
)
from credfile.complaints.models import Complaint, ComplaintEvent, ComplaintSla
from credfile.core.permissions import (
    can_manage_complaint_deadlines,
    complaint_change_scope,
    department_heads_of_any,
)
from credfile.customers.models import Customer
from credfile.customers.services import (
    lock_customer_for_change,
    only_fields,
    save_child_record,
    touch_customer,
)
from credfile.history.choices import Operation
from credfile.history.services import version_record_one

COMPLAINT_FIELDS = (
    "received_at",
    "channel",
    "category",
    "severity",
    "summary",
    "details",
    "owner",
)
# Older times are typing slips.
EARLIEST_YEAR = 1900


# --- deadlines per severity ----------------------------------------------------------------------


def sla_hours() -> dict[str, int]:
    """Hours to resolve a complaint, per severity: the administrators' rows over the defaults."""
    hours = {str(k): v for k, v in DEFAULT_SLA_HOURS.items()}
    hours.update(dict(ComplaintSla.objects.values_list("severity", "hours")))
    return hours


@transaction.atomic
def complaint_sla_set(*, actor: User, severity: str, hours: Any) -> ComplaintSla:
    """Set the hours within which complaints of `severity` are to be resolved."""
    if not can_manage_complaint_deadlines(actor):
        raise PermissionDenied(_("Only administrators set the complaint deadlines."))
    errors: dict[str, list[str]] = {}
    if severity not in Severity.values:
        errors["severity"] = [unknown_severity(severity)]
    try:
        value = int(hours)
    except (TypeError, ValueError):
        value = 0
    if value <= 0:
        errors["hours"] = [_("Give the deadline as a whole number of hours above zero.")]
    if errors:
        raise ValidationError(errors)
    sla = ComplaintSla.objects.select_for_update().filter(severity=severity).first()
    before = model_snapshot(sla) if sla is not None else None
    if sla is None:
        sla = ComplaintSla(severity=severity, hours=value)
    sla.hours = value
    sla.full_clean()
    sla.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=sla,
        before=before,
        after=model_snapshot(sla),
    )
    return sla


def unknown_severity(value: Any) -> str:
    return _("“%(value)s” is not a severity; choose one of: %(choices)s.") % {
        "value": value,
        "choices": ", ".join(str(label) for label in Severity.labels),
    }


# --- recording a complaint -----------------------------------------------------------------------


@transaction.atomic
def complaint_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Complaint:
    """Record a complaint on a file, owned by the file's account manager unless another
    person of the file's department is named; its deadline follows from its severity."""
    customer = lock_customer_for_change(actor, customer)
    values = only_fields(fields, COMPLAINT_FIELDS)
    values.setdefault("received_at", timezone.now())
    values.setdefault("severity", Severity.MEDIUM)
    owner = values.pop("owner", None) or customer.account_manager or actor
    complaint = Complaint(customer=customer, owner=owner, recorded_by=actor, **values)
    errors: dict[str, list[str]] = {}
    severity = complaint.severity
    if severity not in Severity.values:
        errors["severity"] = [unknown_severity(severity)]
    when = complaint.received_at
    if not isinstance(when, datetime.datetime):
        errors["received_at"] = [_("Give the time the complaint was received.")]
    elif when.year < EARLIEST_YEAR or when > timezone.now() + datetime.timedelta(hours=1):
        errors["received_at"] = [
            _("Give the time the complaint was received; it cannot be in the future.")
        ]
    if not _may_own(owner, customer):
        errors["owner"] = [
            _("The owner must be an active account manager or head of the file's department.")
        ]
    if not errors:
        complaint.due_at = when + datetime.timedelta(hours=sla_hours()[severity])
    save_child_record(actor=actor, customer=customer, obj=complaint, errors=errors)
    ComplaintEvent.objects.create(
        complaint=complaint,
        occurred_at=timezone.now(),
        actor=actor,
        from_status="",
        to_status=Status.NEW,
    )
    return complaint


def _may_own(owner: Any, customer: Customer) -> bool:
    from credfile.core.permissions import role_needs_department

    return bool(
        owner is not None
        and owner.is_active
        and role_needs_department(owner.role)
        and owner.department_id == customer.department_id
    )


# --- the state machine ---------------------------------------------------------------------------


def transition_refusal(current: str, to: str) -> str:
    allowed = TRANSITIONS.get(current, ())
    if to not in Status.values:
        return _("“%(to)s” is not a status of a complaint.") % {"to": to}
    return _(
        "A complaint cannot go from “%(current)s” to “%(to)s”; from “%(current)s” it goes to: "
        "%(allowed)s."
    ) % {
        "current": Status(current).label,
        "to": Status(to).label,
        "allowed": ", ".join(f"“{Status(s).label}”" for s in allowed) or "—",
    }


@transaction.atomic
def complaint_transition(
    *,
    actor: User,
    complaint: Complaint,
    to: str,
    note: str = "",
    resolution: str = "",
    confirmation: str = "",
    confirmed_at: datetime.datetime | None = None,
    close_reason: str = "",
    now: datetime.datetime | None = None,
) -> Complaint:
    """Move a complaint to `to`, if the state machine allows it and the actor may (its owner,
    a head of the file's department): one event on its timeline and one audit event.

    Resolving needs the resolution; closing the customer's confirmation (`confirmation`,
    the note of it) or, without one, the reason (`close_reason`)."""
    now = now or timezone.now()
    scoped = Complaint.objects.filter(complaint_change_scope(actor), pk=complaint.pk)
    customer_id = scoped.values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise PermissionDenied(_("You may not change the status of this complaint."))
    # The file's row first, as every writer of a file's records locks it.
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    locked = scoped.select_for_update().first()
    if locked is None:
        raise PermissionDenied(_("You may not change the status of this complaint."))
    current = locked.status
    if to not in TRANSITIONS.get(current, ()):
        raise ValidationError({"to": [transition_refusal(current, to)]})
    before = model_snapshot(locked)
    errors: dict[str, list[str]] = {}
    resolution, confirmation = resolution.strip(), confirmation.strip()
    close_reason = close_reason.strip()
    if to == Status.ACKNOWLEDGED:
        locked.acknowledged_at = now
    elif to == Status.RESOLVED:
        if not resolution:
            errors["resolution"] = [
                _("A complaint is not resolved without a resolution: say how it was resolved.")
            ]
        locked.resolution = resolution
        locked.resolved_at = now
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
    elif to == Status.CLOSED:
        if not locked.resolution:
            errors["resolution"] = [_("A complaint closed without a resolution is refused.")]
        if confirmation:
            locked.confirmed_at = confirmed_at or now
            locked.confirmation_note = confirmation
        elif close_reason:
            locked.closed_without_confirmation = close_reason
        else:
            errors["confirmation"] = [
                _("Record the customer's confirmation, or give the reason for closing without it.")
            ]
        locked.closed_at = now
    elif to == Status.IN_PROGRESS and current in {Status.RESOLVED, Status.CLOSED}:
        # Reopened: resolved and closed again later, confirmed again.
        locked.resolved_at = None
        locked.closed_at = None
        locked.confirmed_at = None
        locked.confirmation_note = ""
        locked.closed_without_confirmation = ""
    if errors:
        raise ValidationError(errors)
    locked.status = to
    locked.full_clean(exclude=["customer", "owner", "recorded_by"])
    locked.save()
    ComplaintEvent.objects.create(
        complaint=locked,
        occurred_at=now,
        actor=actor,
        from_status=current,
        to_status=to,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after=model_snapshot(locked),
        customer_id=locked.customer_id,
    )
    # Each step is a version of the file, as a corrected record is.
    version = touch_customer(customer)
    version_record_one(
        actor=actor,
        customer_id=customer.pk,
        version=version,
        obj=locked,
        operation=Operation.UPDATE,
        before=before,
    )
    return locked


# --- figures for the file and for ratings --------------------------------------------------------


@dataclass(frozen=True)
class ComplaintFigures:
    """A file's complaint figures at a moment (`now`)."""

    # Received by then and not resolved by then.
    open: int
    closed_12m: int
    received_12m: int
    # Median hours from receipt to resolution, of those resolved in the 12 months.
    median_response_hours: float | None
    # Open and past their deadline.
    overdue: int = 0


EMPTY_FIGURES = ComplaintFigures(
    open=0, closed_12m=0, received_12m=0, median_response_hours=None, overdue=0
)


def complaint_figures(
    customer_ids: list[int], *, now: datetime.datetime | None = None
) -> dict[int, ComplaintFigures]:
    """Per file, as they stood at `now` (default: now): open complaints (received and not
    resolved by then) and the overdue among them, those received and closed in the 12 months
    before, and the median hours from receipt to resolution of those resolved in the 12
    months — one query for any number of files."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=365)
    rows = (
        Complaint.objects.filter(customer_id__in=customer_ids, received_at__lte=now)
        .filter(
            Q(resolved_at__isnull=True)
            | Q(resolved_at__gte=since)
            | Q(received_at__gte=since)
            | Q(closed_at__gte=since)
        )
        .values_list("customer_id", "received_at", "due_at", "resolved_at", "closed_at")
        .order_by()
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    hours: dict[int, list[float]] = defaultdict(list)
    for customer_id, received, due, resolved, closed in rows:
        tally = counts[customer_id]
        still_open = resolved is None or resolved > now
        tally[0] += still_open
        tally[1] += bool(closed is not None and since <= closed <= now)
        tally[2] += received >= since
        tally[3] += bool(still_open and due < now)
        if resolved is not None and since <= resolved <= now:
            hours[customer_id].append((resolved - received).total_seconds() / 3600)
    return {
        pk: ComplaintFigures(
            open=counts[pk][0],
            closed_12m=counts[pk][1],
            received_12m=counts[pk][2],
            median_response_hours=statistics.median(hours[pk]) if hours[pk] else None,
            overdue=counts[pk][3],
        )
        for pk in customer_ids
    }


# --- reminders and escalations -------------------------------------------------------------------


def remind_hours() -> int:
    return int(getattr(settings, "CREDFILE_COMPLAINT_REMIND_HOURS", 24))


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": values["customer_id"],
        "code": values["customer__code"],
        "name": f"{values['customer__name']} · {values['summary']}",
        "next_review_on": timezone.localtime(values["due_at"]).strftime("%Y-%m-%d %H:%M"),
    }


_ROW_FIELDS = ("customer_id", "customer__code", "customer__name", "summary", "due_at")


@transaction.atomic
def reminders_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind owners of their open complaints whose deadline falls within the reminder
    window: once per complaint."""
    from credfile.reviews.choices import NotificationKind
    from credfile.reviews.services import _Digest, _send

    now = now or timezone.now()
    due = Complaint.objects.filter(
        status__in=OPEN_STATUSES,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + datetime.timedelta(hours=remind_hours()),
    )
    pending = due.select_for_update(of=("self",))
    owners = {
        u.pk: u for u in User.objects.filter(pk__in=pending.values("owner_id"), is_active=True)
    }
    digests: dict[int, _Digest] = {}
    for values in pending.values("owner_id", *_ROW_FIELDS):
        owner = owners.get(values["owner_id"])
        if owner is not None:
            digests.setdefault(owner.pk, _Digest(owner, [])).rows.append(_row(values))
    sent = _send(NotificationKind.COMPLAINT_DUE, digests)
    marked = due.update(reminded_at=now)
    return {"reminded_complaints": marked, "reminder_notifications": sent}


@transaction.atomic
def escalations_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Escalate open complaints past their deadline to the heads of the file's department,
    once per complaint."""
    from credfile.reviews.choices import NotificationKind
    from credfile.reviews.services import _Digest, _send

    now = now or timezone.now()
    overdue = Complaint.objects.filter(
        status__in=OPEN_STATUSES, escalated_at__isnull=True, due_at__lt=now
    )
    pending = overdue.select_for_update(of=("self",))
    heads: dict[int, list[User]] = defaultdict(list)
    for head in User.objects.filter(
        department_heads_of_any(),
        is_active=True,
        department_id__in=pending.values("customer__department_id"),
    ):
        assert head.department_id is not None
        heads[head.department_id].append(head)
    digests: dict[int, _Digest] = {}
    for values in pending.values("customer__department_id", *_ROW_FIELDS):
        for head in heads.get(values["customer__department_id"], []):
            digests.setdefault(head.pk, _Digest(head, [])).rows.append(_row(values))
    sent = _send(NotificationKind.COMPLAINT_ESCALATION, digests)
    marked = overdue.update(escalated_at=now)
    return {"escalated_complaints": marked, "escalation_notifications": sent}
