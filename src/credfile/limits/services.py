"""Asking for and deciding credit limits, and the exposure check (docs/limits.md).

A request names an amount; up to CREDFILE_LIMIT_EXECUTIVE_ABOVE a credit manager approves
it, above it the executive, never its requester. An approved request becomes the limit in
force for its currency (the one before is superseded). Every write is one transaction with
its audit event, the exposure check included: each answer is kept and audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.choices import Role
from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.core import identifiers
from credfile.core import permissions as core_permissions
from credfile.core.crypto import blind_index
from credfile.core.permissions import Action, Section, customer_scope
from credfile.customers.hooks import files_changed
from credfile.customers.models import Customer
from credfile.limits.calc import GRADES
from credfile.limits.choices import GroupRelation, LimitStatus, Refusal, RequestStatus
from credfile.limits.facts import open_orders, recommended_limit
from credfile.limits.models import (
    CreditLimit,
    CustomerGroup,
    ExposureCheck,
    GroupMember,
    LimitRequest,
)
from credfile.limits.selectors import exposure_of_group, group_exposure
from credfile.ratings.models import Rating
from credfile.transactions.models import Invoice

CENT = Decimal("0.01")


def approver_role(amount: Decimal) -> str:
    """Who decides a request of `amount`: the executive above the threshold."""
    if amount > settings.CREDFILE_LIMIT_EXECUTIVE_ABOVE:
        return str(Role.EXECUTIVE)
    return str(Role.CREDIT_MANAGER)


def _request_snapshot(r: LimitRequest) -> dict[str, Any]:
    return {
        "amount": str(r.amount),
        "currency": r.currency,
        "valid_until": r.valid_until.isoformat(),
        "status": r.status,
        "approver_role": r.approver_role,
    } | ({"group": r.group_id} if r.group_id else {})


def _check_request(*, amount: Decimal, valid_until: datetime.date, reason: str) -> None:
    """The rules of any limit request, a customer's or a group's: each error names its field."""
    errors: dict[str, list[str]] = {}
    if amount < 0:
        errors["amount"] = [_("A limit cannot be negative.")]
    if valid_until <= timezone.localdate():
        errors["valid_until"] = [_("A limit must be valid beyond today.")]
    if not reason.strip():
        errors["reason"] = [_("Say why this limit is asked for.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def limit_request_create(
    *,
    actor: User,
    customer: Customer,
    amount: Decimal,
    currency: str,
    valid_until: datetime.date,
    reason: str,
) -> LimitRequest:
    locked = (
        Customer.objects.select_for_update()
        .filter(core_permissions.limit_request_scope(actor), pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not ask for a limit on this file."))
    _check_request(amount=amount, valid_until=valid_until, reason=reason)
    # A newer request replaces the one still waiting in the same currency.
    LimitRequest.objects.filter(
        customer=locked, currency=currency, status=RequestStatus.PENDING
    ).update(
        status=RequestStatus.REJECTED,
        decided_at=timezone.now(),
        note=_("Replaced by a newer request."),
    )
    request = LimitRequest.objects.create(
        customer=locked,
        amount=amount,
        currency=currency,
        valid_until=valid_until,
        reason=reason.strip(),
        basis=recommended_limit(locked, currency=currency).basis(),
        requested_by=actor,
        approver_role=approver_role(amount),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        customer_id=locked.pk,
        after=_request_snapshot(request),
    )
    return request


@transaction.atomic
def limit_request_decide(
    *, actor: User, request: LimitRequest, approve: bool, note: str = ""
) -> LimitRequest:
    locked = (
        LimitRequest.objects.select_for_update()
        .filter(core_permissions.limit_decide_scope(actor), pk=request.pk)
        .first()
    )
    if locked is None:
        if request.requested_by_id == actor.pk:
            raise PermissionDenied(_("A limit you asked for is decided by someone else."))
        raise PermissionDenied(_("You may not decide on this limit request."))
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Say why the request is rejected.")]})
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.note = note.strip()
    locked.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    locked.save()
    if approve:
        # The request's subject: a customer, or a customer group (the other one is None).
        subject = {"customer_id": locked.customer_id, "group_id": locked.group_id}
        CreditLimit.objects.filter(
            **subject, currency=locked.currency, status=LimitStatus.ACTIVE
        ).update(status=LimitStatus.SUPERSEDED)
        limit = CreditLimit.objects.create(
            **subject,
            currency=locked.currency,
            amount=locked.amount,
            valid_from=timezone.localdate(),
            valid_until=locked.valid_until,
            basis=locked.basis,
            request=locked,
            approved_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=limit,
            customer_id=locked.customer_id,
            after={"amount": str(limit.amount), "currency": limit.currency},
        )
        if locked.customer_id is not None:
            # The file's next review follows the new limit's end (reviews: the queue).
            files_changed(customer_ids=[locked.customer_id])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=locked,
        customer_id=locked.customer_id,
        after=_request_snapshot(locked) | {"note": locked.note},
    )
    return locked


@transaction.atomic
def limit_block(*, actor: User, limit: CreditLimit, blocked: bool, reason: str) -> CreditLimit:
    """Stop (or restart) credit under a limit in force, saying why: a credit manager or the
    executive (`limit_block_scope`). Setting the flag it already has changes nothing."""
    locked = (
        CreditLimit.objects.select_for_update()
        .filter(core_permissions.limit_block_scope(actor), pk=limit.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not block credit."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why credit is blocked or unblocked.")]})
    if locked.blocked == blocked:
        return locked
    before = {"blocked": locked.blocked, "block_reason": locked.block_reason}
    locked.blocked = blocked
    locked.block_reason = reason
    locked.blocked_by = actor
    locked.blocked_at = timezone.now()
    locked.save(update_fields=["blocked", "block_reason", "blocked_by", "blocked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        customer_id=locked.customer_id,
        before=before,
        after={"blocked": blocked, "block_reason": reason},
    )
    return locked


# --- customer groups (集团客户) ---------------------------------------------------------------


def _may_manage_groups(actor: User) -> None:
    if not core_permissions.can_manage_groups(actor):
        raise PermissionDenied(_("Customer groups are kept by the credit managers."))


def _member_snapshot(m: GroupMember) -> dict[str, Any]:
    return {
        "group": m.group_id,
        "customer": m.customer_id,
        "relation": m.relation,
        "is_head": m.is_head,
    }


@transaction.atomic
def group_create(*, actor: User, name: str, note: str = "") -> CustomerGroup:
    """Open a customer group (a credit manager); its name is unique, whatever the case."""
    _may_manage_groups(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_("Give the group a name.")]})
    if CustomerGroup.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("A customer group with this name exists already.")]})
    group = CustomerGroup(name=name, note=note.strip(), created_by=actor)
    group.full_clean()
    group.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=group,
        after={"name": group.name, "note": group.note},
    )
    return group


def _locked_group(group: CustomerGroup) -> CustomerGroup:
    # The group's row first, then its members: one lock order for every membership change.
    return CustomerGroup.objects.select_for_update().get(pk=group.pk)


@transaction.atomic
def group_member_add(
    *,
    actor: User,
    group: CustomerGroup,
    customer_ref: str,
    relation: str,
    is_head: bool = False,
) -> GroupMember:
    """Put the customer with code `customer_ref` in `group` (a customer is in one group at
    most); as its head company, the head before is a member like the others."""
    _may_manage_groups(actor)
    locked = _locked_group(group)
    errors: dict[str, list[str]] = {}
    if relation not in GroupRelation.values:
        errors["relation"] = [_("Choose how the customer is related to the group.")]
    customer = (
        Customer.objects.filter(
            customer_scope(actor, Action.VIEW, section=Section.LIMITS),
            code=customer_ref.strip().upper(),
        )
        .select_for_update()
        .first()
    )
    if customer is None:
        errors["customer"] = [_("No customer you may see has this code.")]
    else:
        current = GroupMember.objects.filter(customer=customer).select_related("group").first()
        if current is not None:
            errors["customer"] = [
                _("%(customer)s is already in the group %(group)s.")
                % {"customer": customer.code, "group": current.group.name}
            ]
    if errors:
        raise ValidationError(errors)
    assert customer is not None
    if is_head:
        GroupMember.objects.filter(group=locked, is_head=True).update(is_head=False)
    member = GroupMember(
        group=locked, customer=customer, relation=relation, is_head=is_head, added_by=actor
    )
    member.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        customer_id=customer.pk,
        after=_member_snapshot(member),
    )
    return member


@transaction.atomic
def group_member_remove(*, actor: User, group: CustomerGroup, member_id: int) -> None:
    """Take a member out of its group (its own limit and exposure stay as they are)."""
    _may_manage_groups(actor)
    locked = _locked_group(group)
    member = GroupMember.objects.filter(group=locked, pk=member_id).first()
    if member is None:
        raise ValidationError({"member": [_("This customer is not a member of the group.")]})
    before = _member_snapshot(member)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=member,
        customer_id=member.customer_id,
        before=before,
    )
    member.delete()


@transaction.atomic
def group_limit_request_create(
    *,
    actor: User,
    group: CustomerGroup,
    amount: Decimal,
    currency: str,
    valid_until: datetime.date,
    reason: str,
) -> LimitRequest:
    """Ask for a group limit: decided as a customer's limit, by a credit manager up to the
    threshold and by the executive above it, never by the one who asked."""
    _may_manage_groups(actor)
    locked = _locked_group(group)
    _check_request(amount=amount, valid_until=valid_until, reason=reason)
    LimitRequest.objects.filter(
        group=locked, currency=currency, status=RequestStatus.PENDING
    ).update(
        status=RequestStatus.REJECTED,
        decided_at=timezone.now(),
        note=_("Replaced by a newer request."),
    )
    request = LimitRequest.objects.create(
        group=locked,
        amount=amount,
        currency=currency,
        valid_until=valid_until,
        reason=reason.strip(),
        basis={
            "group_exposure": str(group_exposure(locked.pk, currency)),
            "members": GroupMember.objects.filter(group=locked).count(),
        },
        requested_by=actor,
        approver_role=approver_role(amount),
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=request, after=_request_snapshot(request)
    )
    return request


# --- the exposure check ------------------------------------------------------------------------


def find_customers(user: User, ref: str) -> list[Customer]:
    """The files (among those whose limits `user` may see) that `ref` names: by credfile
    code, external code, credit code or ID number."""
    scope = Customer.objects.filter(customer_scope(user, Action.VIEW, section=Section.LIMITS)).only(
        "pk", "code", "name", "kind", "department_id", "account_manager_id"
    )
    ref = ref.strip()
    found = {c.pk: c for c in scope.filter(code=ref.upper())}
    found |= {c.pk: c for c in scope.filter(external_code=ref)}
    found |= {c.pk: c for c in scope.filter(credit_code=ref.upper())}
    try:
        index = blind_index("ric", identifiers.clean_resident_id(ref))
    except ValidationError:
        index = ""
    if index:
        found |= {c.pk: c for c in scope.filter(id_number_bidx=index)}
    return list(found.values())


@dataclass
class GroupOutcome:
    """The member's group in the check: its exposure with the order, limit and headroom."""

    id: int
    name: str
    exposure: Decimal
    limit: Decimal | None
    headroom: Decimal | None


@dataclass
class Outcome:
    allowed: bool
    exposure: Decimal
    limit: Decimal | None
    headroom: Decimal | None
    currency: str
    reasons: list[dict[str, str]] = field(default_factory=list)
    check: ExposureCheck | None = None
    group: GroupOutcome | None = None


def _reason(code: Refusal) -> dict[str, str]:
    return {"code": code.value, "message": str(code.label)}


def open_receivables(customer_id: int, currency: str) -> Decimal:
    total = Invoice.objects.filter(
        customer_id=customer_id, currency=currency, fully_paid_on__isnull=True
    ).aggregate(total=Sum(F("amount") - F("amount_paid")))["total"]
    return Decimal(total or 0).quantize(CENT)


def _below_floor(grade: str) -> bool:
    floor = settings.CREDFILE_EXPOSURE_GRADE_FLOOR
    if grade not in GRADES or floor not in GRADES:
        return False
    return GRADES.index(grade) > GRADES.index(floor)


def _group_check(
    customer_id: int, *, amount: Decimal, currency: str, today: datetime.date
) -> tuple[GroupOutcome, list[dict[str, str]]] | None:
    """The group part of the check, for a member of a group: None for a customer in none.
    A group without a limit in the currency sets no group ceiling; the member's own still
    holds."""
    # The member's group and its exposure in one query.
    member = (
        GroupMember.objects.filter(customer_id=customer_id)
        .select_related("group")
        .only("group__id", "group__name")
        .annotate(group_total=exposure_of_group(OuterRef(OuterRef("group_id")), currency))
        .first()
    )
    if member is None:
        return None
    group = member.group
    limit = (
        CreditLimit.objects.filter(group_id=group.pk, currency=currency, status=LimitStatus.ACTIVE)
        .only("amount", "valid_until", "blocked")
        .first()
    )
    exposure = (Decimal(member.group_total or 0) + amount).quantize(CENT)
    reasons: list[dict[str, str]] = []
    in_force: Decimal | None = None
    if limit is not None and limit.expired(today):
        reasons.append(_reason(Refusal.GROUP_EXPIRED))
    elif limit is not None:
        in_force = limit.amount
        if exposure > limit.amount * (1 + settings.CREDFILE_EXPOSURE_TOLERANCE):
            reasons.append(_reason(Refusal.GROUP_OVER_LIMIT))
    if limit is not None and limit.blocked:
        reasons.append(_reason(Refusal.GROUP_BLOCKED))
    outcome = GroupOutcome(
        id=group.pk,
        name=group.name,
        exposure=exposure,
        limit=in_force,
        headroom=(in_force - exposure).quantize(CENT) if in_force is not None else None,
    )
    return outcome, reasons


@transaction.atomic
def exposure_check(*, actor: User, customer: Customer, amount: Decimal, currency: str) -> Outcome:
    """Whether an order of `amount` may be taken: limit, tolerance, overdue, block, grade."""
    today = timezone.localdate()
    limit = (
        CreditLimit.objects.filter(
            customer_id=customer.pk, currency=currency, status=LimitStatus.ACTIVE
        )
        .only("amount", "valid_until", "blocked")
        .first()
    )
    exposure = open_receivables(customer.pk, currency) + open_orders(customer.pk, currency)
    exposure = (exposure + amount).quantize(CENT)
    reasons: list[dict[str, str]] = []
    in_force: Decimal | None = None
    if limit is None:
        reasons.append(_reason(Refusal.NO_LIMIT))
    elif limit.expired(today):
        reasons.append(_reason(Refusal.EXPIRED))
    else:
        in_force = limit.amount
        ceiling = limit.amount * (1 + settings.CREDFILE_EXPOSURE_TOLERANCE)
        if exposure > ceiling:
            reasons.append(_reason(Refusal.OVER_LIMIT))
    if limit is not None and limit.blocked:
        reasons.append(_reason(Refusal.BLOCKED))
    days = settings.CREDFILE_EXPOSURE_MAX_OVERDUE_DAYS
    if Invoice.objects.filter(
        customer_id=customer.pk,
        fully_paid_on__isnull=True,
        due_date__lt=today - datetime.timedelta(days=days),
    ).exists():
        reasons.append(_reason(Refusal.OVERDUE))
    grade = (
        Rating.objects.filter(customer_id=customer.pk, is_current=True)
        .values_list("grade", flat=True)
        .first()
    )
    if grade and _below_floor(grade):
        reasons.append(_reason(Refusal.GRADE))
    group = _group_check(customer.pk, amount=amount, currency=currency, today=today)
    if group is not None:
        reasons += group[1]
    outcome = Outcome(
        allowed=not reasons,
        exposure=exposure,
        limit=in_force,
        headroom=(in_force - exposure).quantize(CENT) if in_force is not None else None,
        currency=currency,
        reasons=reasons,
        group=group[0] if group else None,
    )
    check = ExposureCheck.objects.create(
        customer_id=customer.pk,
        checked_by=actor,
        amount=amount,
        currency=currency,
        allowed=outcome.allowed,
        reasons=[r["code"] for r in reasons],
        exposure=exposure,
        limit=in_force,
        group_id=outcome.group.id if outcome.group else None,
        group_exposure=outcome.group.exposure if outcome.group else None,
        group_limit=outcome.group.limit if outcome.group else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=check,
        customer_id=customer.pk,
        after={
            "amount": str(amount),
            "currency": currency,
            "allowed": outcome.allowed,
            "reasons": check.reasons,
            "exposure": str(exposure),
        }
        | (
            {"group": outcome.group.id, "group_exposure": str(outcome.group.exposure)}
            if outcome.group
            else {}
        ),
    )
    outcome.check = check
    return outcome


def refusal_label(code: str) -> str:
    try:
        return str(Refusal(code).label)
    except ValueError:
        return code
