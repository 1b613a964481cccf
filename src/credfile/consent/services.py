"""Recording and withdrawing consent, and the check every consent-bound use goes through."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.services import audit_record
from credfile.consent.choices import ConsentPurpose
from credfile.consent.models import Consent
from credfile.customers.models import Customer
from credfile.customers.services import lock_customer_for_change, only_fields, save_child_record

CONSENT_FIELDS = ("purpose", "scope", "channel", "given_on", "expires_on", "evidence")


class ConsentMissing(PermissionDenied):
    """A use of an individual's data for a purpose the person has not (or no longer)
    consented to."""


@transaction.atomic
def consent_record(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Consent:
    customer = lock_customer_for_change(actor, customer)
    consent = Consent(customer=customer, recorded_by=actor, **only_fields(fields, CONSENT_FIELDS))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if consent.given_on and consent.given_on > today:
        errors["given_on"] = [_("Consent cannot be dated in the future.")]
    if consent.given_on and consent.expires_on and consent.expires_on < consent.given_on:
        errors["expires_on"] = [_("The consent cannot expire before it was given.")]
    if not (consent.evidence or "").strip():
        errors["evidence"] = [_("Say where the evidence of the consent is kept.")]
    save_child_record(actor=actor, customer=customer, obj=consent, errors=errors)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, consent: Consent, reason: str, withdrawn_on: datetime.date | None = None
) -> Consent:
    lock_customer_for_change(actor, consent.customer)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": [_("This consent is already withdrawn.")]})
    if not reason.strip():
        raise ValidationError({"withdrawal_reason": [_("Give the reason for the withdrawal.")]})
    locked.withdrawn_on = withdrawn_on or timezone.localdate()
    if locked.withdrawn_on < locked.given_on:
        raise ValidationError(
            {"withdrawn_on": [_("A consent cannot be withdrawn before it was given.")]}
        )
    locked.withdrawal_reason = reason.strip()
    locked.save()
    audit_record(
        actor=actor,
        action="consent_withdrawn",
        obj=locked,
        customer_id=locked.customer_id,
        after={
            "purpose": locked.purpose,
            "withdrawn_on": locked.withdrawn_on,
            "reason": locked.withdrawal_reason,
        },
    )
    return locked


def valid_consents(*, customer: Customer, on: datetime.date | None = None) -> QuerySet[Consent]:
    day = on or timezone.localdate()
    return customer.consents.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        given_on__lte=day,
    )


def require_consent(*, customer: Customer, purpose: ConsentPurpose | str) -> Consent | None:
    """The consent that allows this use, or ConsentMissing. Organisations' business
    information needs none; an individual's credit assessment or report does."""
    if not customer.is_individual:
        return None
    consent = valid_consents(customer=customer).filter(purpose=purpose).first()
    if consent is None:
        label = ConsentPurpose(purpose).label
        raise ConsentMissing(
            _(
                "%(name)s has given no valid consent to “%(purpose)s”. Record the signed consent "
                "first; without it this use of personal information is not allowed."
            )
            % {"name": customer.name, "purpose": label}
        )
    return consent
