"""Usage applications: apply, decide (an executive, never the applicant), withdraw; grant use."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.access.choices import ApplicationStatus, FileSection
from credfile.access.models import PURPOSE_MAX_LENGTH, AccessGrant, UsageApplication
from credfile.accounts.models import User
from credfile.audit.services import audit_record
from credfile.core.permissions import Action, can_decide_usage_applications, customer_scope
from credfile.customers.models import Customer

MAX_PERIOD_DAYS = 366


def customer_by_code(code: str) -> Customer:
    """Find the file an application is about by its exact customer code (nothing else shown)."""
    customer = Customer.objects.filter(code=code.strip().upper()).first()
    if customer is None:
        raise ValidationError({"customer": [_("There is no credit file with this customer code.")]})
    return customer


@transaction.atomic
def application_create(
    *,
    actor: User,
    customer: Customer,
    sections: list[str],
    purpose: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> UsageApplication:
    errors: dict[str, list[str]] = {}
    if Customer.objects.filter(
        customer_scope(actor, Action.VIEW, grants=False), pk=customer.pk
    ).exists():
        errors["customer"] = [_("You can already use this credit file; no application is needed.")]
    clean_sections = sorted(set(sections))
    if not clean_sections:
        errors["sections"] = [_("Choose at least one section of the file.")]
    elif not set(clean_sections) <= set(FileSection.values):
        errors["sections"] = [_("Unknown section.")]
    if not purpose or not purpose.strip():
        errors["purpose"] = [_("State the purpose for which you need the file.")]
    elif len(purpose.strip()) > PURPOSE_MAX_LENGTH:
        errors["purpose"] = [
            _("A purpose can have at most %(limit)d characters (it has %(length)d).")
            % {"limit": PURPOSE_MAX_LENGTH, "length": len(purpose.strip())}
        ]
    today = timezone.localdate()
    if ends_on < starts_on:
        errors["ends_on"] = [_("The period cannot end before it starts.")]
    elif starts_on < today:
        errors["starts_on"] = [_("The period cannot start in the past.")]
    elif (ends_on - starts_on).days > MAX_PERIOD_DAYS:
        errors["ends_on"] = [_("A usage period is at most one year.")]
    if UsageApplication.objects.filter(
        customer=customer, applicant=actor, status=ApplicationStatus.PENDING
    ).exists():
        errors.setdefault("customer", []).append(
            _("You already have an application for this file awaiting approval.")
        )
    if errors:
        raise ValidationError(errors)
    application = UsageApplication.objects.create(
        customer=customer,
        applicant=actor,
        sections=clean_sections,
        purpose=purpose.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit_record(
        actor=actor,
        action="apply",
        obj=application,
        customer_id=customer.pk,
        after={
            "sections": clean_sections,
            "purpose": application.purpose,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return application


def _lock_pending(application: UsageApplication) -> UsageApplication:
    # The row lock makes concurrent decisions queue; the status check then lets one through.
    locked = UsageApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(
            {"status": [_("This application has already been decided or withdrawn.")]}
        )
    return locked


def _check_decider(actor: User, application: UsageApplication) -> None:
    if application.applicant_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own application."))
    if not can_decide_usage_applications(actor):
        raise PermissionDenied(_("Only an executive (company head) decides usage applications."))


@transaction.atomic
def application_approve(
    *, actor: User, application: UsageApplication, note: str = ""
) -> AccessGrant:
    _check_decider(actor, application)
    locked = _lock_pending(application)
    now = timezone.now()
    locked.status = ApplicationStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_note = note.strip()
    locked.save()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(locked.starts_on, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        locked.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    grant = AccessGrant.objects.create(
        application=locked,
        user_id=locked.applicant_id,
        customer_id=locked.customer_id,
        sections=locked.sections,
        purpose=locked.purpose,
        valid_from=max(start, now),
        valid_until=end,
    )
    audit_record(
        actor=actor,
        action="approve",
        obj=locked,
        customer_id=locked.customer_id,
        before={"status": ApplicationStatus.PENDING},
        after={
            "status": locked.status,
            "grant": grant.pk,
            "valid_until": grant.valid_until,
            "note": locked.decision_note,
        },
    )
    return grant


@transaction.atomic
def application_reject(
    *, actor: User, application: UsageApplication, note: str
) -> UsageApplication:
    _check_decider(actor, application)
    if not note or not note.strip():
        raise ValidationError({"note": [_("Give the reason for the rejection.")]})
    locked = _lock_pending(application)
    locked.status = ApplicationStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save()
    audit_record(
        actor=actor,
        action="reject",
        obj=locked,
        customer_id=locked.customer_id,
        before={"status": ApplicationStatus.PENDING},
        after={"status": locked.status, "note": locked.decision_note},
    )
    return locked


@transaction.atomic
def application_withdraw(*, actor: User, application: UsageApplication) -> UsageApplication:
    if application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can withdraw an application."))
    locked = _lock_pending(application)
    locked.status = ApplicationStatus.WITHDRAWN
    locked.save()
    audit_record(
        actor=actor,
        action="withdraw",
        obj=locked,
        customer_id=locked.customer_id,
        before={"status": ApplicationStatus.PENDING},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def grant_revoke(*, actor: User, grant: AccessGrant) -> AccessGrant:
    if not can_decide_usage_applications(actor):
        raise PermissionDenied(_("Only an executive revokes a grant."))
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="revoke",
        obj=grant,
        customer_id=grant.customer_id,
        after={"revoked_at": grant.revoked_at},
    )
    return grant


def grant_use_record(*, user: Any, grant: AccessGrant, customer: Customer, what: str) -> None:
    """Log a use of a file under a grant, with the grant's purpose."""
    audit_record(
        actor=user,
        action="grant_use",
        obj=customer,
        customer_id=customer.pk,
        after={"grant": grant.pk, "purpose": grant.purpose, "what": what},
    )
