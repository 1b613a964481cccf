"""Writes of collection actions: one service, called by the file page, the API and tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.customers.services import lock_customer_for_change, only_fields, save_child_record
from credfile.followup.choices import ActionKind
from credfile.followup.models import CollectionAction
from credfile.transactions.models import Invoice

ACTION_FIELDS = (
    "invoice",
    "kind",
    "action_date",
    "note",
    "next_action_on",
    "promised_on",
    "promised_amount",
)
PROMISE_FIELDS = ("promised_on", "promised_amount")


def _validate(action: CollectionAction, invoice: Invoice, errors: dict[str, list[str]]) -> None:
    today = timezone.localdate()
    if action.action_date and action.action_date > today:
        errors["action_date"] = [_("An action is recorded once it has happened: not after today.")]
    if action.next_action_on and action.next_action_on < today:
        errors["next_action_on"] = [_("The next action cannot be planned before today.")]
    if action.kind == ActionKind.PROMISE:
        if action.promised_on is None:
            errors["promised_on"] = [_("A promise to pay needs the promised payment date.")]
        elif action.promised_on < today:
            errors["promised_on"] = [_("The promised payment date cannot be before today.")]
        amount = action.promised_amount
        if amount is None:
            errors["promised_amount"] = [_("A promise to pay needs the promised amount.")]
        elif amount <= 0:
            errors["promised_amount"] = [_("The amount must be above zero.")]
        elif amount > invoice.open_amount:
            errors["promised_amount"] = [
                _("The promised amount is above the invoice's open amount (%(open)s %(currency)s).")
                % {"open": invoice.open_amount, "currency": invoice.currency}
            ]
    else:
        for name in PROMISE_FIELDS:
            if getattr(action, name) is not None:
                errors[name] = [_("Only a promise to pay has a promised date and amount.")]
    if action.kind == ActionKind.DISPUTE and not action.note.strip():
        errors["note"] = [_("Say what the customer disputes.")]


@transaction.atomic
def collection_action_create(
    *, actor: User, customer: Customer, fields: dict[str, Any]
) -> CollectionAction:
    """Record a collection action on an open invoice of the file, audited and versioned with
    the file (whoever may change the file records them)."""
    customer = lock_customer_for_change(actor, customer)
    fields = only_fields(fields, ACTION_FIELDS)
    invoice_ref = fields.pop("invoice", None)
    errors: dict[str, list[str]] = {}
    invoice_pk = invoice_ref.pk if isinstance(invoice_ref, Invoice) else invoice_ref
    # Locked after the file: the one lock order of every writer of invoices.
    invoice = (
        Invoice.objects.select_for_update().filter(pk=invoice_pk, customer=customer).first()
        if invoice_pk is not None
        else None
    )
    if invoice is None:
        raise ValidationError({"invoice": [_("Choose an invoice of this customer.")]})
    if invoice.fully_paid_on is not None:
        raise ValidationError({"invoice": [_("This invoice is paid; it needs no follow-up.")]})
    fields.setdefault("action_date", timezone.localdate())
    if fields.get("note") is None:
        fields["note"] = ""
    action = CollectionAction(customer=customer, invoice=invoice, recorded_by=actor, **fields)
    _validate(action, invoice, errors)
    if action.kind == ActionKind.PROMISE:
        action.open_at_promise = invoice.open_amount
    if isinstance(action.promised_amount, int):
        action.promised_amount = Decimal(action.promised_amount)
    save_child_record(actor=actor, customer=customer, obj=action, errors=errors)
    return action
