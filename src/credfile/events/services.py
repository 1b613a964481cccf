"""Writes of customer events: each service one transaction with its audit events.

An event belongs to a department; its people organise it (`core.permissions.
event_change_scope`). An invitation is a record of the customer's file, written by whoever
may add records to that file (`invitation_create_scope`): the bulk invitation locks the
event, then the files in id order, and saves every invitation or none.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, audit_record_many, model_snapshot
from credfile.core.permissions import (
    can_organise_events,
    event_change_scope,
    invitation_change_scope,
    invitation_create_scope,
)
from credfile.customers.models import Customer
from credfile.customers.services import only_fields
from credfile.events.choices import (
    ATTENDANCE,
    EVENT_TRANSITIONS,
    INVITATION_TRANSITIONS,
    REPLIES,
    TAKING_A_PLACE,
    EventStatus,
    InvitationStatus,
)
from credfile.events.models import CustomerEvent, Invitation

EVENT_FIELDS = ("title", "kind", "starts_at", "ends_at", "place", "capacity", "description")
# How many files one bulk invitation may name.
MAX_BULK = 1000
# The years an event may fall in: an earlier or later one is a typing slip.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def _check_times(event: CustomerEvent, errors: dict[str, list[str]]) -> None:
    starts, ends = event.starts_at, event.ends_at
    for name, when in (("starts_at", starts), ("ends_at", ends)):
        if isinstance(when, datetime.datetime) and not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
            errors.setdefault(name, []).append(
                _("Give a time in the years %(first)d to %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
    dated = isinstance(starts, datetime.datetime) and isinstance(ends, datetime.datetime)
    if dated and ends <= starts:
        errors.setdefault("ends_at", []).append(_("The event must end after it starts."))
    if event.capacity is not None and isinstance(event.capacity, int) and event.capacity < 1:
        errors.setdefault("capacity", []).append(_("An event has room for at least one guest."))


def _validate(event: CustomerEvent, errors: dict[str, list[str]]) -> None:
    _check_times(event, errors)
    if not errors:
        try:
            event.full_clean(exclude=["department", "created_by"], validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, actor: User, fields: dict[str, Any]) -> CustomerEvent:
    """Plan an event of the actor's department."""
    if not can_organise_events(actor):
        raise PermissionDenied(_("You may not organise customer events."))
    values = only_fields(fields, EVENT_FIELDS)
    department_id = actor.department_id
    assert department_id is not None  # can_organise_events: a department's people
    event = CustomerEvent(department_id=department_id, created_by=actor, **values)
    _validate(event, {})
    event.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=event, after=model_snapshot(event))
    return event


def _lock_event(actor: User, event: CustomerEvent | int) -> CustomerEvent:
    pk = event if isinstance(event, int) else event.pk
    locked = (
        CustomerEvent.objects.select_for_update()
        .filter(event_change_scope(actor), pk=pk)
        .select_related("department")
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not change this event."))
    return locked


def _taken(event: CustomerEvent) -> int:
    return event.invitations.filter(status__in=TAKING_A_PLACE).count()


@transaction.atomic
def event_update(*, actor: User, event: CustomerEvent, fields: dict[str, Any]) -> CustomerEvent:
    """Correct a planned or open event; its invitations keep the event's start."""
    event = _lock_event(actor, event)
    values = only_fields(fields, EVENT_FIELDS)
    if event.status not in {EventStatus.PLANNED, EventStatus.OPEN}:
        raise ValidationError(
            {"__all__": [_("A held or cancelled event cannot be changed any more.")]}
        )
    before = model_snapshot(event)
    for name, value in values.items():
        setattr(event, name, value)
    errors: dict[str, list[str]] = {}
    taken = _taken(event)
    if isinstance(event.capacity, int) and event.capacity < taken:
        errors["capacity"] = [
            ngettext(
                "%(count)d place is taken already; the capacity cannot be lower.",
                "%(count)d places are taken already; the capacity cannot be lower.",
                taken,
            )
            % {"count": taken}
        ]
    _validate(event, errors)
    event.save()
    if before.get("starts_at") != model_snapshot(event).get("starts_at"):
        event.invitations.update(starts_at=event.starts_at)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=event,
        before=before,
        after=model_snapshot(event),
    )
    return event


@transaction.atomic
def event_transition(*, actor: User, event: CustomerEvent, status: str) -> CustomerEvent:
    """Open an event for replies, record it as held (once it has begun) or cancel it."""
    event = _lock_event(actor, event)
    if status not in EVENT_TRANSITIONS.get(event.status, frozenset()):
        raise ValidationError(
            {
                "status": [
                    _("A %(current)s event cannot become %(new)s.")
                    % {
                        "current": EventStatus(event.status).label,
                        "new": EventStatus(status).label
                        if status in EventStatus.values
                        else status,
                    }
                ]
            }
        )
    if status == EventStatus.HELD and event.starts_at > timezone.now():
        raise ValidationError({"status": [_("An event is held once it has begun, not before.")]})
    before = {"status": event.status}
    event.status = status
    event.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=event, before=before, after={"status": status}
    )
    return event


def _when(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


@transaction.atomic
def invitations_create(
    *, actor: User, event: CustomerEvent, customers: Iterable[Customer | int], note: str = ""
) -> list[Invitation]:
    """Invite many files to an event at once: every invitation or none. Refused for an
    event that has begun, is held or cancelled, for a file one may not add records to, a
    file invited already, or more guests than the places left."""
    event = _lock_event(actor, event)
    ids = sorted({c if isinstance(c, int) else c.pk for c in customers})
    if not ids:
        raise ValidationError({"customers": [_("Choose at least one customer to invite.")]})
    if len(ids) > MAX_BULK:
        raise ValidationError(
            {"customers": [_("At most %(n)d customers per invitation.") % {"n": MAX_BULK}]}
        )
    if event.status not in {EventStatus.PLANNED, EventStatus.OPEN}:
        raise ValidationError(
            {
                "event": [
                    _("This event is %(status)s; nobody can be invited to it.")
                    % {"status": EventStatus(event.status).label}
                ]
            }
        )
    if event.starts_at <= timezone.now():
        raise ValidationError(
            {
                "event": [
                    _(
                        "This event began on %(when)s; customers can be invited only before "
                        "it begins."
                    )
                    % {"when": _when(event.starts_at)}
                ]
            }
        )
    # The files, locked in id order (the one lock order of every writer of a file).
    files = list(
        Customer.objects.select_for_update()
        .filter(invitation_create_scope(actor), pk__in=ids)
        .order_by("pk")
        .only("pk", "code", "name")
    )
    errors: list[str] = []
    missing = sorted(set(ids) - {c.pk for c in files})
    if missing:
        errors.append(
            ngettext(
                "%(count)d of the customers cannot be invited by you (not one of the files "
                "you may add records to, or archived).",
                "%(count)d of the customers cannot be invited by you (not files you may add "
                "records to, or archived).",
                len(missing),
            )
            % {"count": len(missing)}
        )
    already = list(
        event.invitations.filter(customer_id__in=ids)
        .select_related("customer")
        .only("customer__code", "customer__name")
    )
    if already:
        names = ", ".join(f"{i.customer.code} {i.customer.name}" for i in already[:5])
        errors.append(
            _("Invited already (%(count)d): %(names)s.") % {"names": names, "count": len(already)}
        )
    left = event.capacity - _taken(event)
    if len(ids) > left:
        errors.append(
            _("%(asked)d customers chosen, but only %(left)d of %(capacity)d places are left.")
            % {"asked": len(ids), "left": max(left, 0), "capacity": event.capacity}
        )
    if errors:
        raise ValidationError({"customers": errors})
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                event=event,
                customer_id=c.pk,
                starts_at=event.starts_at,
                invited_by=actor,
                note=note[:200],
            )
            for c in files
        ]
    )
    # Each file's version moves on with its new record, as for any record of a file.
    Customer.objects.filter(pk__in=[c.pk for c in files]).update(version=F("version") + 1)
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        objects=list(invitations),
        after=[model_snapshot(i) for i in invitations],
        customer_ids=[i.customer_id for i in invitations],
    )
    return invitations


def _lock_invitation(actor: User, invitation: Invitation | int) -> Invitation:
    pk = invitation if isinstance(invitation, int) else invitation.pk
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(invitation_change_scope(actor), pk=pk)
        .select_related("event")
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not change this invitation."))
    return locked


def _status_errors(invitation: Invitation, status: str) -> list[str]:
    event = invitation.event
    if status not in InvitationStatus.values:
        return [_("Unknown status.")]
    if status not in INVITATION_TRANSITIONS.get(invitation.status, frozenset()):
        return [
            _("An invitation that is %(current)s cannot become %(new)s.")
            % {
                "current": InvitationStatus(invitation.status).label,
                "new": InvitationStatus(status).label,
            }
        ]
    if event.status == EventStatus.CANCELLED:
        return [_("The event is cancelled.")]
    began = event.starts_at <= timezone.now()
    if status in REPLIES and began and event.status != EventStatus.HELD:
        return [_("The event has begun: record who came instead of replies.")]
    if status in REPLIES and event.status == EventStatus.HELD:
        return [_("The event has been held: record who came instead of replies.")]
    if status in ATTENDANCE and not began:
        return [_("Attendance is recorded once the event has begun.")]
    return []


@transaction.atomic
def invitation_set_status(
    *, actor: User, invitation: Invitation, status: str, note: str | None = None
) -> Invitation:
    """Record a customer's reply (accepted, declined) or attendance (attended, no-show)."""
    invitation = _lock_invitation(actor, invitation)
    errors = _status_errors(invitation, status)
    if errors:
        raise ValidationError({"status": errors})
    before = {"status": invitation.status}
    if status == InvitationStatus.ACCEPTED and invitation.status == InvitationStatus.DECLINED:
        event = invitation.event
        if _taken(event) >= event.capacity:
            raise ValidationError({"status": [_("The event is full.")]})
    invitation.status = status
    now = timezone.now()
    if status in REPLIES:
        invitation.replied_at = now
    else:
        invitation.attendance_recorded_at = now
    if note is not None:
        invitation.note = note[:200]
    invitation.save()
    Customer.objects.filter(pk=invitation.customer_id).update(version=F("version") + 1)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=invitation,
        before=before,
        after={"status": status},
        customer_id=invitation.customer_id,
    )
    return invitation


@transaction.atomic
def attendance_record(
    *, actor: User, event: CustomerEvent, attended: Iterable[int]
) -> dict[str, int]:
    """Record who came: the chosen invitations attended, every other open one (invited or
    accepted) of the files one may change did not come. Once the event has begun."""
    event = _lock_event(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError({"attended": [_("The event is cancelled.")]})
    if event.starts_at > timezone.now():
        raise ValidationError({"attended": [_("Attendance is recorded once the event has begun.")]})
    chosen = set(attended)
    open_rows = list(
        Invitation.objects.select_for_update(of=("self",))
        .filter(
            invitation_change_scope(actor),
            event=event,
            status__in=[InvitationStatus.INVITED, InvitationStatus.ACCEPTED],
        )
        .order_by("customer_id")
    )
    unknown = chosen - {i.pk for i in open_rows}
    if unknown:
        raise ValidationError(
            {"attended": [_("Some chosen invitations are not open on this event.")]}
        )
    now = timezone.now()
    for row in open_rows:
        row.status = InvitationStatus.ATTENDED if row.pk in chosen else InvitationStatus.NO_SHOW
        row.attendance_recorded_at = now
    Invitation.objects.bulk_update(open_rows, ["status", "attendance_recorded_at"])
    Customer.objects.filter(pk__in=[r.customer_id for r in open_rows]).update(
        version=F("version") + 1
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.UPDATE,
        objects=list(open_rows),
        after=[{"status": r.status} for r in open_rows],
        customer_ids=[r.customer_id for r in open_rows],
    )
    came = sum(1 for r in open_rows if r.status == InvitationStatus.ATTENDED)
    return {"attended": came, "no_show": len(open_rows) - came}
