"""Change control (maker-checker) for credit-relevant data and deletions.

A maker submits a change request; it takes effect only when a checker approves it (who may
decide: `credfile.changes.selectors.decide_scope`, written out in docs/permissions.md). The
maker cannot decide their own request; one request per object and field group may be
pending; a rejection needs a reason; the maker may withdraw.

Lock order. Approving writes the file, so it takes the file's row lock first and only then
the request's row, the same order as every writer of a file (file, then its records, then
the audit chain head): an approval can never deadlock with an edit of the same file.
Concurrent deciders of one request queue on the file's row; the first finds the request
pending and decides it, the others find it decided and are refused — exactly one decision.

Applying goes through the services that write the file (`customer_update`, and the private
appliers each app registers in credfile.changes.registry) inside the approval's transaction,
together with the request's new status and its audit event: all of it commits, or none of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.services import audit_record, changed_fields, model_snapshot
from credfile.changes.choices import ChangeKind, ChangeStatus, FieldGroup, NotificationKind
from credfile.changes.models import ChangeNotification, ChangeRequest
from credfile.changes.registry import (
    CUSTOMER_LABEL,
    Target,
    decode,
    needs_approval,
    target_for,
)
from credfile.changes.selectors import decide_scope
from credfile.core.errors import StaleVersion
from credfile.core.permissions import change_deciders, is_department_head
from credfile.customers.models import Customer
from credfile.customers.services import (
    customer_delete,
    customer_update,
    lock_customer_for_change,
    traced_lookups,
)
from credfile.history.selectors import changes_since
from credfile.history.services import approval

logger = logging.getLogger(__name__)

# Columns a proposal never carries: kept by the system, or derived again when applied.
_BOOKKEEPING = frozenset({"id", "uid", "customer_id", "created_at", "updated_at", "version"})


class PendingRequestExists(ValidationError):
    """Another request for the same object and field group is awaiting approval."""

    def __init__(self, existing: ChangeRequest) -> None:
        message = _(
            "Change request #%(id)s by %(maker)s for this %(group)s is already awaiting "
            "approval; wait for its decision or ask %(maker)s to withdraw it."
        ) % {
            "id": existing.pk,
            "maker": existing.maker,
            "group": existing.get_field_group_display(),
        }
        super().__init__({"__all__": [ValidationError(message, code="pending")]})
        self.existing = existing


class ChangeConflict(StaleVersion):
    """The file changed, in the fields a request would change, after the request was made."""

    def __init__(self, current_version: int, changes: dict[str, Any]) -> None:
        super().__init__(current_version, changes)
        lines = [f"{c['label']}: {c['before']} → {c['after']}" for c in changes.values()]
        self.message = _(
            "The file changed after this request was made, in the fields it would change "
            "(%(fields)s). Reject it; the maker can submit it again on the current file."
        ) % {"fields": "; ".join(lines)}

    def __str__(self) -> str:
        return str(self.message)


# --- submitting ----------------------------------------------------------------------------------


def _check_version(customer: Customer, expected_version: int | None) -> None:
    if expected_version is not None and customer.version != expected_version:
        raise StaleVersion(customer.version, changes_since(customer.pk, expected_version))


def _resolve(customer: Customer, target: models.Model | None) -> tuple[Target, models.Model]:
    if target is None or (isinstance(target, Customer) and target.pk == customer.pk):
        return target_for(CUSTOMER_LABEL), customer
    label = target._meta.label_lower
    try:
        spec = target_for(label)
    except KeyError:
        raise ValidationError(
            {"__all__": [_("Changes to this kind of record are not made by request.")]}
        ) from None
    obj = spec.model._default_manager.filter(pk=target.pk).first()
    if obj is None or getattr(obj, "customer_id", None) != customer.pk:
        raise ValidationError({"__all__": [_("This record does not belong to this file.")]})
    return spec, obj


def _dry_run(
    spec: Target,
    *,
    actor: User,
    customer: Customer,
    obj: models.Model,
    changes: dict[str, Any],
    options: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply the change inside a savepoint and roll it back: the services validate it by
    their own rules (errors reach the maker now, not the checker later) and give the
    values as they would be stored. Returns (before, after) of the fields that would change.
    """
    before = model_snapshot(obj)
    savepoint = transaction.savepoint()
    try:
        spec.update(actor, customer, obj, changes, options)
        after = model_snapshot(spec.model._default_manager.get(pk=obj.pk))
    finally:
        transaction.savepoint_rollback(savepoint)
    old, new = changed_fields(before, after)
    allowed = set(spec.fields)
    keep = [k for k in new if k in allowed and k not in _BOOKKEEPING]
    return {k: old[k] for k in keep}, {k: new[k] for k in keep}


def _existing_pending(label: str, pk: int, group: str) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.select_related("maker")
        .filter(target_type=label, target_id=pk, field_group=group, status=ChangeStatus.PENDING)
        .first()
    )


def _audit_request(*, actor: User, action: str, request: ChangeRequest, **details: Any) -> None:
    """An audit event about a change request. The request is named, not passed as `obj`:
    its proposed values may hold any file's amounts, and without an `obj` every personal
    amount in them is masked (audit.services.mask_sensitive)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=ChangeRequest._meta.label_lower,
        object_id=str(request.pk),
        object_repr=str(request),
        **details,
    )


@traced_lookups
@transaction.atomic
def change_request_submit(
    *,
    actor: User,
    customer: Customer,
    field_group: str,
    changes: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
    target: models.Model | None = None,
    kind: str = ChangeKind.UPDATE,
    options: dict[str, Any] | None = None,
) -> ChangeRequest:
    """Submit a change of the file (or of `target`, one of its records) in one field group,
    or its deletion (`kind="delete"`, group "deletion"), for approval.

    `changes` maps field names to new values as the services take them. The change is
    checked by the service that will apply it, so invalid input is refused now; a change
    that would change nothing is refused too. `options` go to the applying service
    (`confirm_similar_name`).
    """
    request = _submit(
        actor=actor,
        customer=customer,
        field_group=field_group,
        changes=changes,
        reason=reason,
        expected_version=expected_version,
        target=target,
        kind=kind,
        options=options or {},
    )
    if request is None:
        raise ValidationError(
            {"__all__": [_("The proposed values are those on file already: nothing to change.")]}
        )
    return request


def _submit(
    *,
    actor: User,
    customer: Customer,
    field_group: str,
    changes: dict[str, Any],
    reason: str,
    expected_version: int | None,
    target: models.Model | None,
    kind: str,
    options: dict[str, Any],
) -> ChangeRequest | None:
    locked = lock_customer_for_change(actor, customer)
    _check_version(locked, expected_version)
    spec, obj = _resolve(locked, target)
    if field_group not in FieldGroup.values:
        raise ValidationError({"field_group": [_("Unknown field group.")]})
    if kind == ChangeKind.DELETE:
        if field_group != FieldGroup.DELETION or changes:
            raise ValidationError(
                {"field_group": [_("A deletion is requested in the deletion group, alone.")]}
            )
        before = {k: v for k, v in model_snapshot(obj).items() if k not in _BOOKKEEPING}
        after: dict[str, Any] = {}
        if spec.label != CUSTOMER_LABEL:
            _dry_run_delete(spec, actor=actor, customer=locked, obj=obj)
    elif kind == ChangeKind.UPDATE:
        allowed = spec.fields_of(field_group)
        wrong = sorted(set(changes) - allowed)
        if wrong:
            raise ValidationError(
                {name: [_("This field is not in the group of this request.")] for name in wrong}
            )
        before, after = _dry_run(
            spec, actor=actor, customer=locked, obj=obj, changes=changes, options=options
        )
        if not after:
            return None
    else:
        raise ValidationError({"kind": [_("Unknown kind of change.")]})
    existing = _existing_pending(spec.label, obj.pk, field_group)
    if existing is not None:
        raise PendingRequestExists(existing)
    request = ChangeRequest(
        customer=locked,
        customer_code=locked.code,
        customer_name=locked.name,
        target_type=spec.label,
        target_id=obj.pk,
        target_repr=str(obj)[:200],
        field_group=field_group,
        kind=kind,
        fields=sorted(after if kind == ChangeKind.UPDATE else []),
        base_version=locked.version,
        maker=actor,
        reason=(reason or "").strip(),
    )
    request.proposal = {"changes": after, "before": before, "options": options}
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another maker's request for the same object and group committed meanwhile.
        existing = _existing_pending(spec.label, obj.pk, field_group)
        if existing is not None:
            raise PendingRequestExists(existing) from None
        raise
    _audit_request(
        actor=actor,
        action="submit",
        request=request,
        customer_id=locked.pk,
        after={
            "target": f"{spec.label}:{obj.pk}",
            "field_group": field_group,
            "kind": kind,
            "changes": after,
            "reason": request.reason,
        },
    )
    _notify(request, NotificationKind.SUBMITTED, list(approvers(request)))
    return request


def _dry_run_delete(spec: Target, *, actor: User, customer: Customer, obj: models.Model) -> None:
    savepoint = transaction.savepoint()
    try:
        spec.delete(actor, customer, obj)
    finally:
        transaction.savepoint_rollback(savepoint)


# --- deciding ------------------------------------------------------------------------------------


def _lock(request: ChangeRequest) -> tuple[Customer | None, ChangeRequest]:
    """The file's row, then the request's (see the module's note on lock order)."""
    customer = None
    if request.customer_id is not None:
        customer = Customer.objects.select_for_update().filter(pk=request.customer_id).first()
    locked = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(
            {
                "status": [
                    _("This request has already been decided: %(status)s.")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    return customer, locked


def _check_decider(actor: User, request: ChangeRequest) -> None:
    if request.maker_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own change request."))
    if not ChangeRequest.objects.filter(decide_scope(actor), pk=request.pk).exists():
        raise PermissionDenied(
            _(
                "Only a department head of the file's department decides this request (for a "
                "department head's own request: another head or an executive)."
            )
        )


def _applier(request: ChangeRequest, checker: User) -> User:
    """Whose rights carry out the change: the maker's, as it is their change; a file's
    deletion, the department head's who approves it (or who asked, for a head's own)."""
    if request.kind == ChangeKind.DELETE and request.target_type == CUSTOMER_LABEL:
        return checker if is_department_head(checker) else request.maker
    return request.maker


def _moved(spec: Target, obj: models.Model, before: dict[str, Any]) -> dict[str, Any]:
    """Fields of the proposal whose value on file is no longer what the maker saw."""
    from credfile.history.selectors import display_value, field_label

    now = model_snapshot(obj)
    moved: dict[str, Any] = {}
    for name, then in before.items():
        if name in now and now[name] != then:
            moved[f"{spec.label}:{obj.pk}:{name}"] = {
                "object": str(obj),
                "field": name,
                "label": field_label(spec.label, name),
                "before": display_value(spec.label, name, then, row={**now, **before}),
                "after": display_value(spec.label, name, now[name], row=now),
            }
    return moved


@traced_lookups
@transaction.atomic
def change_request_approve(
    *, actor: User, request: ChangeRequest, expected_version: int | None = None
) -> ChangeRequest:
    """Approve and apply a request. `expected_version`: the file's version the checker saw;
    refused (StaleVersion, with what changed) if it moved on since."""
    _check_decider(actor, request)
    customer, locked = _lock(request)
    if customer is None:
        raise ValidationError({"customer": [_("The file of this request no longer exists.")]})
    _check_version(customer, expected_version)
    spec = target_for(locked.target_type)
    obj = (
        customer
        if spec.label == CUSTOMER_LABEL
        else spec.model._default_manager.filter(pk=locked.target_id, customer=customer).first()
    )
    if obj is None:
        raise ValidationError({"__all__": [_("The record of this request no longer exists.")]})
    proposal = locked.proposal
    if customer.version != locked.base_version and locked.kind == ChangeKind.UPDATE:
        moved = _moved(spec, obj, proposal.get("before", {}))
        if moved:
            raise ChangeConflict(customer.version, moved)
    applier = _applier(locked, actor)
    if locked.kind == ChangeKind.DELETE:
        # Requests about what is deleted can no longer be carried out.
        _supersede_pending(
            customer=customer,
            target_type=locked.target_type,
            target_id=locked.target_id,
            actor=actor,
            by=locked,
        )
    fields = {name: decode(spec.model, name, v) for name, v in proposal["changes"].items()}
    try:
        with approval(checker_id=actor.pk, request_id=locked.pk):
            if locked.kind == ChangeKind.DELETE:
                spec.delete(applier, customer, obj)
            else:
                spec.update(applier, customer, obj, fields, proposal.get("options", {}))
    except PermissionDenied:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "%(maker)s may no longer change this file, so the change cannot be "
                        "carried out in their name; reject the request."
                    )
                    % {"maker": locked.maker}
                ]
            }
        ) from None
    version = Customer.objects.filter(pk=customer.pk).values_list("version", flat=True).first()
    if locked.kind == ChangeKind.DELETE and spec.label == CUSTOMER_LABEL:
        locked.customer = None  # the file is gone (the database has cleared the reference)
    locked.status = ChangeStatus.APPROVED
    locked.checker = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "checker", "decided_at", "customer", "updated_at"])
    _audit_request(
        actor=actor,
        action="approve",
        request=locked,
        customer_id=customer.pk,
        before={"status": ChangeStatus.PENDING, "values": proposal.get("before", {})},
        after={
            "status": locked.status,
            "kind": locked.kind,
            "values": proposal["changes"],
            "maker": locked.maker_id,
            "version": version,
        },
    )
    _resolve_notifications(locked)
    _notify(locked, NotificationKind.APPROVED, [locked.maker])
    return locked


def _supersede_pending(
    *,
    customer: Customer,
    target_type: str,
    target_id: int,
    actor: User,
    by: ChangeRequest | None = None,
) -> None:
    """Pending requests about an object being deleted (for a file: about any of its objects)
    can no longer be carried out."""
    others = ChangeRequest.objects.select_for_update().filter(status=ChangeStatus.PENDING)
    if target_type == CUSTOMER_LABEL:
        others = others.filter(customer=customer)
    else:
        others = others.filter(target_type=target_type, target_id=target_id)
    if by is not None:
        others = others.exclude(pk=by.pk)
    now = timezone.now()
    for other in others.select_related("maker"):
        other.status = ChangeStatus.SUPERSEDED
        other.decided_at = now
        other.notes = (
            _("Superseded by the approved deletion #%(id)s.") % {"id": by.pk}
            if by is not None
            else _("Superseded: what it would change was deleted.")
        )
        other.save(update_fields=["status", "decided_at", "notes", "updated_at"])
        _audit_request(
            actor=actor,
            action="supersede",
            request=other,
            customer_id=customer.pk,
            before={"status": ChangeStatus.PENDING},
            after={"status": other.status, "by": by.pk if by is not None else None},
        )
        _resolve_notifications(other)
        _notify(other, NotificationKind.SUPERSEDED, [other.maker])


@transaction.atomic
def change_request_reject(*, actor: User, request: ChangeRequest, reason: str) -> ChangeRequest:
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the rejection.")]})
    _check_decider(actor, request)
    _customer, locked = _lock(request)
    locked.status = ChangeStatus.REJECTED
    locked.checker = actor
    locked.decided_at = timezone.now()
    locked.notes = reason.strip()
    locked.save(update_fields=["status", "checker", "decided_at", "notes", "updated_at"])
    _audit_request(
        actor=actor,
        action="reject",
        request=locked,
        customer_id=locked.customer_id,
        before={"status": ChangeStatus.PENDING},
        after={"status": locked.status, "reason": locked.notes},
    )
    _resolve_notifications(locked)
    _notify(locked, NotificationKind.REJECTED, [locked.maker])
    return locked


@transaction.atomic
def change_request_withdraw(*, actor: User, request: ChangeRequest) -> ChangeRequest:
    if request.maker_id != actor.pk:
        raise PermissionDenied(_("Only the maker of a change request can withdraw it."))
    _customer, locked = _lock(request)
    locked.status = ChangeStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    _audit_request(
        actor=actor,
        action="withdraw",
        request=locked,
        customer_id=locked.customer_id,
        before={"status": ChangeStatus.PENDING},
        after={"status": locked.status},
    )
    _resolve_notifications(locked)
    return locked


# --- entry points: apply directly or submit, by the approval groups ------------------------------


@dataclass
class EditOutcome:
    """An edit of a file: the file after the changes that applied directly, and the requests
    submitted for the rest (empty when everything applied)."""

    customer: Customer
    requests: list[ChangeRequest]


def _same(current: Any, value: Any) -> bool:
    """Whether a submitted value is the one on file; empty text and no value are one."""
    if current in (None, "") and value in (None, ""):
        return True
    if isinstance(current, models.Model) or isinstance(value, models.Model):
        return getattr(current, "pk", current) == getattr(value, "pk", value)
    return bool(current == value)


@traced_lookups
@transaction.atomic
def customer_edit(
    *,
    actor: User,
    customer: Customer,
    fields: dict[str, Any],
    expected_version: int | None = None,
    tags: list[str] | None = None,
    confirm_similar_name: bool = False,
    reason: str = "",
) -> EditOutcome:
    """An edit of a file from a page or the API: fields in an approval group become one
    change request per group (only the fields that actually change); the rest apply now.
    All of it, or nothing."""
    locked = lock_customer_for_change(actor, customer)
    _check_version(locked, expected_version)
    spec = target_for(CUSTOMER_LABEL)
    direct: dict[str, Any] = {}
    grouped: dict[str, dict[str, Any]] = {}
    for name, value in fields.items():
        if _same(getattr(locked, name, None), value):
            # Sent back as it was: not a change, so never a proposal (nor a clear).
            continue
        group = spec.group_of(name)
        if needs_approval(group):
            assert group is not None
            grouped.setdefault(group, {})[name] = value
        else:
            direct[name] = value
    result = locked
    if direct or tags is not None:
        result = customer_update(
            actor=actor,
            customer=locked,
            fields=direct,
            tags=tags,
            confirm_similar_name=confirm_similar_name,
        )
    requests = []
    for group, changes in grouped.items():
        request = _submit(
            actor=actor,
            customer=result,
            field_group=group,
            changes=changes,
            reason=reason,
            expected_version=None,
            target=None,
            kind=ChangeKind.UPDATE,
            options={"confirm_similar_name": confirm_similar_name},
        )
        if request is not None:
            requests.append(request)
    result.refresh_from_db()
    return EditOutcome(customer=result, requests=requests)


@transaction.atomic
def customer_remove(*, actor: User, customer: Customer, reason: str = "") -> ChangeRequest | None:
    """Delete a file, or request its deletion when deletions need approval (then None is
    never returned: the request is)."""
    if needs_approval(FieldGroup.DELETION):
        return change_request_submit(
            actor=actor,
            customer=customer,
            field_group=FieldGroup.DELETION,
            changes={},
            kind=ChangeKind.DELETE,
            reason=reason,
        )
    locked = lock_customer_for_change(actor, customer)
    _supersede_pending(
        customer=locked, target_type=CUSTOMER_LABEL, target_id=locked.pk, actor=actor
    )
    customer_delete(actor=actor, customer=locked)
    return None


@traced_lookups
@transaction.atomic
def record_change(
    *,
    actor: User,
    customer: Customer,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    delete: bool = False,
    reason: str = "",
) -> ChangeRequest | None:
    """Correct or delete a record of a file: by request when its group needs approval,
    else at once (None), through the record's app's own services (registered targets).
    The one way a page, the API or a command changes a record; a deletion needs a reason."""
    if delete and not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the deletion.")]})
    spec, obj = _resolve(lock_customer_for_change(actor, customer), target)
    group = FieldGroup.DELETION.value if delete else spec.group
    if needs_approval(group):
        assert group is not None
        return change_request_submit(
            actor=actor,
            customer=customer,
            field_group=group,
            changes={} if delete else dict(changes or {}),
            kind=ChangeKind.DELETE if delete else ChangeKind.UPDATE,
            target=obj,
            reason=reason,
        )
    if delete:
        _supersede_pending(customer=customer, target_type=spec.label, target_id=obj.pk, actor=actor)
        spec.delete(actor, customer, obj)
    else:
        spec.update(actor, customer, obj, dict(changes or {}), {})
    return None


# --- notifications -------------------------------------------------------------------------------


def approvers(request: ChangeRequest) -> QuerySet[User]:
    """Who may decide the request: heads of the file's department (and executives, for a
    department head's own request), never its maker."""
    department_id = (
        Customer.objects.filter(pk=request.customer_id or 0)
        .values_list("department_id", flat=True)
        .first()
    )
    who = change_deciders(department_id=department_id, maker=request.maker)
    return User.objects.filter(who, is_active=True).exclude(pk=request.maker_id).order_by("pk")


def _notify(request: ChangeRequest, kind: str, recipients: list[User]) -> None:
    if not recipients:
        return
    ChangeNotification.objects.bulk_create(
        ChangeNotification(recipient=user, request=request, kind=kind) for user in recipients
    )
    addresses = [user.email for user in recipients if user.email]
    if addresses:
        pk = request.pk
        # Only once the decision is committed: a rolled-back change sends nothing.
        transaction.on_commit(lambda: _send_mail(pk, kind, addresses))


def _send_mail(pk: int, kind: str, addresses: list[str]) -> None:
    from credfile.core.display import field_label

    request = ChangeRequest.objects.select_related("maker", "checker").filter(pk=pk).first()
    if request is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Change request #%(id)s (%(code)s): %(status)s") % {
            "id": request.pk,
            "code": request.customer_code,
            "status": NotificationKind(kind).label,
        }
        body = _(
            "%(group)s of %(name)s (%(code)s), %(object)s, requested by %(maker)s.\n"
            "Fields: %(fields)s\nStatus: %(status)s\n%(note)s\n\nOpen it in credfile: %(url)s\n"
        ) % {
            "group": request.get_field_group_display(),
            "name": request.customer_name,
            "code": request.customer_code,
            "object": request.target_repr,
            "maker": request.maker,
            "fields": ", ".join(field_label(request.target_type, f) for f in request.fields)
            or request.get_kind_display(),
            "status": request.get_status_display(),
            "note": request.notes,
            "url": reverse("changes:detail", args=[request.pk]),
        }
    try:
        # One message per person: recipients do not see each other's addresses.
        send_mass_mail([(subject, body, None, [address]) for address in addresses])
    except Exception:  # an unreachable mail server must not undo a committed decision
        logger.exception("could not send the e-mail about change request %s", pk)


def _resolve_notifications(request: ChangeRequest) -> None:
    """The approvers' 'awaits your approval' messages are settled once it is decided."""
    ChangeNotification.objects.filter(
        request=request, kind=NotificationKind.SUBMITTED, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = ChangeNotification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
