"""Writes of contracts, invoices and payments."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, model_snapshot
from credfile.customers.models import Customer
from credfile.customers.services import (
    delete_child_record,
    lock_customer_for_change,
    only_fields,
    save_child_record,
    save_child_update,
)
from credfile.history.choices import Operation
from credfile.history.services import Change, version_record
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation

CONTRACT_FIELDS = (
    "number",
    "title",
    "signed_on",
    "ends_on",
    "amount",
    "currency",
    "payment_terms_days",
    "status",
    "performance_notes",
)
INVOICE_FIELDS = (
    "number",
    "contract",
    "issue_date",
    "due_date",
    "payment_terms_days",
    "amount",
    "currency",
    "description",
)
PAYMENT_FIELDS = ("received_on", "amount", "currency", "method", "reference")
# What a correction of an invoice may change (a change request when its group needs approval,
# see credfile.changes); the contract it belongs to is set when it is recorded.
INVOICE_CORRECTION_FIELDS = (
    "number",
    "issue_date",
    "due_date",
    "payment_terms_days",
    "amount",
    "currency",
    "description",
)


def _positive(
    value: Any, field: str, errors: dict[str, list[str]], *, zero_ok: bool = False
) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal | int):
        errors.setdefault(field, []).append(_("Enter a number."))
    elif value < 0 or (value == 0 and not zero_ok):
        errors.setdefault(field, []).append(
            _("The amount cannot be negative.")
            if value < 0
            else _("The amount must be above zero.")
        )


@transaction.atomic
def contract_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Contract:
    customer = lock_customer_for_change(actor, customer)
    contract = Contract(customer=customer, **only_fields(fields, CONTRACT_FIELDS))
    errors: dict[str, list[str]] = {}
    _positive(contract.amount, "amount", errors, zero_ok=True)
    if contract.ends_on and contract.signed_on and contract.ends_on < contract.signed_on:
        errors["ends_on"] = [_("The end date cannot be before the signing date.")]
    if (
        contract.number
        and Contract.objects.filter(customer=customer, number=contract.number).exists()
    ):
        errors["number"] = [_("This customer already has a contract with this number.")]
    save_child_record(actor=actor, customer=customer, obj=contract, errors=errors)
    return contract


@transaction.atomic
def invoice_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Invoice:
    """Record an invoice. Without a due date it falls due after the payment terms."""
    customer = lock_customer_for_change(actor, customer)
    fields = only_fields(fields, INVOICE_FIELDS)
    contract = fields.pop("contract", None)
    invoice = Invoice(customer=customer, **fields)
    errors: dict[str, list[str]] = {}
    if contract is not None:
        if isinstance(contract, int):
            contract = Contract.objects.filter(pk=contract).first()
        if contract is None or contract.customer_id != customer.pk:
            errors["contract"] = [_("This contract does not belong to this customer.")]
        else:
            invoice.contract = contract
    _positive(invoice.amount, "amount", errors)
    if invoice.payment_terms_days is None:
        invoice.payment_terms_days = contract.payment_terms_days if contract else 30
    if invoice.issue_date and not invoice.due_date:
        invoice.due_date = invoice.issue_date + datetime.timedelta(days=invoice.payment_terms_days)
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = [_("The due date cannot be before the invoice date.")]
    if invoice.number and Invoice.objects.filter(customer=customer, number=invoice.number).exists():
        errors["number"] = [_("This customer already has an invoice with this number.")]
    save_child_record(actor=actor, customer=customer, obj=invoice, errors=errors)
    return invoice


def invoice_settlement_refresh(*, invoice_ids: Iterable[int]) -> None:
    """Set the paid amount and the day paid in full of these invoices from their allocations,
    in one statement per 500 invoices.

    Paid in full on the latest pay date of the payments that settle it, not on the date of
    the payment recorded last: a payment entered late may be dated earlier, and a correction
    may move a date. The receivables engine relies on it ("paid in full on or before a day:
    nothing open on that day"), so every writer of allocations calls this.
    """
    ids = sorted(set(invoice_ids))
    money = DecimalField(max_digits=18, decimal_places=2)
    allocations = PaymentAllocation.objects.filter(invoice=OuterRef("pk")).order_by()
    paid = Coalesce(
        Subquery(
            allocations.values("invoice").annotate(total=Sum("amount")).values("total"),
            output_field=money,
        ),
        Value(Decimal("0")),
        output_field=money,
    )
    last = Subquery(
        allocations.values("invoice").annotate(last=Max("payment__received_on")).values("last")
    )
    for start in range(0, len(ids), 500):
        Invoice.objects.filter(pk__in=ids[start : start + 500]).update(
            amount_paid=paid,
            fully_paid_on=Case(When(GreaterThanOrEqual(paid, F("amount")), then=last)),
        )


@transaction.atomic
def payment_create(
    *,
    actor: User,
    customer: Customer,
    fields: dict[str, Any],
    allocations: list[tuple[int, Decimal]] | None = None,
) -> Payment:
    """Record a payment and settle invoices with it.

    Without explicit allocations the payment settles the customer's oldest open invoices in
    the payment's currency. An allocation above an invoice's open amount is refused.
    """
    customer = lock_customer_for_change(actor, customer)
    payment = Payment(customer=customer, recorded_by=actor, **only_fields(fields, PAYMENT_FIELDS))
    errors: dict[str, list[str]] = {}
    _positive(payment.amount, "amount", errors)
    if errors:
        raise ValidationError(errors)
    # Invoices are locked after the customer row: the one lock order for all writers.
    open_invoices = (
        Invoice.objects.select_for_update()
        .filter(customer=customer, fully_paid_on__isnull=True)
        .order_by("due_date", "id")
    )
    plan: list[tuple[Invoice, Decimal]] = []
    if allocations:
        wanted = {int(pk): Decimal(amount) for pk, amount in allocations}
        invoices = {inv.pk: inv for inv in open_invoices.filter(pk__in=wanted)}
        for pk, amount in wanted.items():
            invoice = invoices.get(pk)
            if invoice is None:
                errors.setdefault("allocations", []).append(
                    _("Invoice %(id)s is not an open invoice of this customer.") % {"id": pk}
                )
            elif amount <= 0:
                errors.setdefault("allocations", []).append(
                    _("An allocated amount must be above zero.")
                )
            elif amount > invoice.open_amount:
                errors.setdefault("allocations", []).append(
                    _("%(amount)s is more than the open amount %(open)s of invoice %(number)s.")
                    % {"amount": amount, "open": invoice.open_amount, "number": invoice.number}
                )
            elif invoice.currency != payment.currency:
                errors.setdefault("allocations", []).append(
                    _("Invoice %(number)s is in %(currency)s.")
                    % {"number": invoice.number, "currency": invoice.currency}
                )
            else:
                plan.append((invoice, amount))
        if not errors and sum(a for _i, a in plan) > payment.amount:
            errors["amount"] = [_("The allocations add up to more than the payment.")]
    else:
        remaining = payment.amount
        candidates = list(open_invoices.filter(currency=payment.currency))
        total_open = sum((inv.open_amount for inv in candidates), Decimal("0"))
        if payment.amount > total_open:
            errors["amount"] = [
                _("The payment is above the open amount of this customer's invoices (%(open)s).")
                % {"open": total_open}
            ]
        for invoice in candidates:
            if remaining <= 0:
                break
            share = min(remaining, invoice.open_amount)
            plan.append((invoice, share))
            remaining -= share
    save_child_record(actor=actor, customer=customer, obj=payment, errors=errors)
    allocated = PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, invoice=invoice, amount=amount)
        for invoice, amount in plan
    )
    invoices_before = {invoice.pk: model_snapshot(invoice) for invoice, _amount in plan}
    invoice_settlement_refresh(invoice_ids=invoices_before)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=payment,
        after={"allocations": [{"invoice": inv.number, "amount": amt} for inv, amt in plan]},
        customer_id=customer.pk,
    )
    # The allocations and the settled invoices belong to the payment's version of the file.
    if any(a.pk is None for a in allocated):
        allocated = list(PaymentAllocation.objects.filter(payment=payment))
    settled = Invoice.objects.in_bulk(list(invoices_before))
    version_record(
        actor=actor,
        customer_id=customer.pk,
        version=customer.version,
        changes=[Change(obj=a, operation=Operation.CREATE) for a in allocated]
        + [
            Change(obj=settled[pk], operation=Operation.UPDATE, before=before)
            for pk, before in invoices_before.items()
        ],
    )
    return payment


def contract_clean(contract: Contract) -> None:
    """The checks of a new contract that need no other row, as `contract_create` makes
    them: for an importer, which checks numbers set-based over a batch."""
    errors: dict[str, list[str]] = {}
    _positive(contract.amount, "amount", errors, zero_ok=True)
    if contract.ends_on and contract.signed_on and contract.ends_on < contract.signed_on:
        errors["ends_on"] = [_("The end date cannot be before the signing date.")]
    if not errors:
        try:
            contract.full_clean(
                exclude=["customer"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def invoice_clean(invoice: Invoice) -> None:
    """The checks of a new invoice that need no other row, as `invoice_create` makes them:
    for an importer, which checks numbers set-based over a batch."""
    errors: dict[str, list[str]] = {}
    _positive(invoice.amount, "amount", errors)
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = [_("The due date cannot be before the invoice date.")]
    if not errors:
        try:
            invoice.full_clean(
                exclude=["customer", "contract"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _invoice_errors(customer: Customer, invoice: Invoice, errors: dict[str, list[str]]) -> None:
    _positive(invoice.amount, "amount", errors)
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = [_("The due date cannot be before the invoice date.")]
    if (
        invoice.number
        and Invoice.objects.filter(customer=customer, number=invoice.number)
        .exclude(pk=invoice.pk)
        .exists()
    ):
        errors["number"] = [_("This customer already has an invoice with this number.")]


def _lock_invoice(actor: User, invoice: Invoice) -> tuple[Customer, Invoice]:
    # The file first, then the invoice: the one lock order of every writer.
    customer = lock_customer_for_change(actor, Customer(pk=invoice.customer_id))
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk, customer=customer).first()
    if locked is None:
        raise ValidationError({"invoice": [_("This invoice no longer exists.")]})
    return customer, locked


@transaction.atomic
def _invoice_update(*, actor: User, invoice: Invoice, fields: dict[str, Any]) -> Invoice:
    """Correct an invoice (through change control: credfile.changes.services.record_change,
    which calls this directly or once the request is approved). The amount cannot
    fall below what is already paid, nor the currency change once payments settle it."""
    customer, locked = _lock_invoice(actor, invoice)
    before = model_snapshot(locked)
    fields = only_fields(fields, INVOICE_CORRECTION_FIELDS)
    for name, value in fields.items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _invoice_errors(customer, locked, errors)
    if "amount" not in errors and locked.amount is not None and locked.amount < locked.amount_paid:
        message = _("The amount cannot be below the %(paid)s already paid.")
        errors["amount"] = [message % {"paid": locked.amount_paid}]
    if locked.currency != before["currency"] and locked.allocations.exists():
        errors["currency"] = [_("Payments settle this invoice; its currency cannot change.")]
    if not errors and locked.amount is not None:
        # Paid in full on the latest pay date, as invoice_settlement_refresh sets it.
        paid_in_full = locked.amount_paid >= locked.amount
        last = locked.allocations.aggregate(last=Max("payment__received_on"))["last"]
        locked.fully_paid_on = last if paid_in_full else None
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _invoice_delete(*, actor: User, invoice: Invoice) -> None:
    """Delete an invoice (through change control, as `_invoice_update`); one that payments
    settle must have them corrected first."""
    customer, locked = _lock_invoice(actor, invoice)
    if locked.allocations.exists():
        raise ValidationError(
            {"invoice": [_("Payments settle this invoice; it cannot be deleted.")]}
        )
    delete_child_record(actor=actor, customer=customer, obj=locked)


# --- contracts and payments: corrections through change control ---------------------------------


def _lock_record(actor: User, model: type[Any], record: Any) -> tuple[Customer, Any]:
    # The file first, then the record: the one lock order of every writer.
    customer = lock_customer_for_change(actor, Customer(pk=record.customer_id))
    found = model._default_manager.select_for_update().filter(pk=record.pk, customer=customer)
    locked = found.first()
    if locked is None:
        raise ValidationError({"record": [_("This record no longer exists.")]})
    return customer, locked


def _contract_errors(customer: Customer, contract: Contract, errors: dict[str, list[str]]) -> None:
    _positive(contract.amount, "amount", errors, zero_ok=True)
    if contract.ends_on and contract.signed_on and contract.ends_on < contract.signed_on:
        errors["ends_on"] = [_("The end date cannot be before the signing date.")]
    if (
        contract.number
        and Contract.objects.filter(customer=customer, number=contract.number)
        .exclude(pk=contract.pk)
        .exists()
    ):
        errors["number"] = [_("This customer already has a contract with this number.")]


@transaction.atomic
def _contract_update(*, actor: User, contract: Contract, fields: dict[str, Any]) -> Contract:
    customer, locked = _lock_record(actor, Contract, contract)
    before = model_snapshot(locked)
    for name, value in only_fields(fields, CONTRACT_FIELDS).items():
        setattr(locked, name, "" if value is None and name == "performance_notes" else value)
    errors: dict[str, list[str]] = {}
    _contract_errors(customer, locked, errors)
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _contract_delete(*, actor: User, contract: Contract) -> None:
    """Delete a contract; one that invoices refer to keeps them, so it stays."""
    customer, locked = _lock_record(actor, Contract, contract)
    if locked.invoices.exists():
        raise ValidationError(
            {"contract": [_("Invoices refer to this contract; it cannot be deleted.")]}
        )
    delete_child_record(actor=actor, customer=customer, obj=locked)


def _settle_again(
    *,
    actor: User,
    customer: Customer,
    payment: Payment,
    plan: list[tuple[Invoice, Decimal]],
) -> list[Change]:
    """Replace the payment's allocations by `plan` (empty: it settles nothing any more),
    moving the invoices' paid amounts with them, audited. Returns the changes for the
    file's version, which the caller records once the version has moved on."""
    old = list(payment.allocations.all())
    new = {invoice.pk: amount for invoice, amount in plan}
    ids = {a.invoice_id for a in old} | set(new)
    invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=ids)}
    if {a.invoice_id: a.amount for a in old} == new:
        # The same shares on another date: what is paid stays, the day paid in full may move.
        invoice_settlement_refresh(invoice_ids=ids)
        return _settled_changes(ids, invoices)
    removed = [(a, model_snapshot(a)) for a in old]
    PaymentAllocation.objects.filter(payment=payment).delete()
    created = PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, invoice_id=pk, amount=amount)
        for pk, amount in new.items()
    )
    invoice_settlement_refresh(invoice_ids=ids)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=payment,
        before={
            "allocations": [
                {"invoice": invoices[a.invoice_id].number, "amount": a.amount} for a in old
            ]
        },
        after={
            "allocations": [
                {"invoice": invoices[pk].number, "amount": amount} for pk, amount in new.items()
            ]
        },
        customer_id=customer.pk,
    )
    if any(a.pk is None for a in created):
        created = list(PaymentAllocation.objects.filter(payment=payment))
    return (
        [Change(obj=a, operation=Operation.DELETE, before=b) for a, b in removed]
        + [Change(obj=a, operation=Operation.CREATE) for a in created]
        + _settled_changes(ids, invoices)
    )


def _settled_changes(ids: Iterable[int], invoices: dict[int, Invoice]) -> list[Change]:
    """The invoices whose paid amount or day paid in full moved, for the file's version."""
    settled = Invoice.objects.in_bulk(list(ids))
    return [
        Change(obj=settled[pk], operation=Operation.UPDATE, before=model_snapshot(invoices[pk]))
        for pk in sorted(settled)
        if (settled[pk].amount_paid, settled[pk].fully_paid_on)
        != (invoices[pk].amount_paid, invoices[pk].fully_paid_on)
    ]


@transaction.atomic
def _payment_update(*, actor: User, payment: Payment, fields: dict[str, Any]) -> Payment:
    """Correct a payment. A new amount, currency or date settles the invoices again: first
    those it settled, then the oldest open ones in its currency."""
    customer, locked = _lock_record(actor, Payment, payment)
    before = model_snapshot(locked)
    was = (locked.amount, locked.currency, locked.received_on)
    for name, value in only_fields(fields, PAYMENT_FIELDS).items():
        setattr(locked, name, "" if value is None and name == "reference" else value)
    errors: dict[str, list[str]] = {}
    _positive(locked.amount, "amount", errors)
    moved = (locked.amount, locked.currency, locked.received_on) != was
    plan: list[tuple[Invoice, Decimal]] = []
    if moved and not errors:
        mine = {a.invoice_id: a.amount for a in locked.allocations.all()}
        candidates = list(
            Invoice.objects.select_for_update()
            .filter(customer=customer, currency=locked.currency)
            .filter(Q(pk__in=list(mine)) | Q(fully_paid_on__isnull=True))
            .order_by("due_date", "id")
        )
        # Those it settled first, each open again by what this payment paid of it.
        candidates.sort(key=lambda inv: inv.pk not in mine)
        remaining = locked.amount
        for invoice in candidates:
            open_amount = invoice.open_amount + mine.get(invoice.pk, Decimal("0"))
            if remaining <= 0:
                break
            share = min(remaining, open_amount)
            if share > 0:
                plan.append((invoice, share))
                remaining -= share
        if remaining > 0:
            errors["amount"] = [
                _("The payment is above the open amount of this customer's invoices (%(open)s).")
                % {"open": locked.amount - remaining}
            ]
    changed = save_child_update(
        actor=actor, customer=customer, obj=locked, before=before, errors=errors
    )
    if changed and moved:
        settled = _settle_again(actor=actor, customer=customer, payment=locked, plan=plan)
        version_record(
            actor=actor, customer_id=customer.pk, version=customer.version, changes=settled
        )
    return locked


@transaction.atomic
def _payment_delete(*, actor: User, payment: Payment) -> None:
    """Delete a payment: the invoices it settled are open again by what it paid."""
    customer, locked = _lock_record(actor, Payment, payment)
    settled = _settle_again(actor=actor, customer=customer, payment=locked, plan=[])
    delete_child_record(actor=actor, customer=customer, obj=locked)
    version_record(actor=actor, customer_id=customer.pk, version=customer.version, changes=settled)


def invoice_totals(customer: Customer) -> dict[str, Decimal]:
    """Invoiced, paid and open totals per currency for the file's summary."""
    rows = (
        Invoice.objects.filter(customer=customer)
        .values("currency")
        .annotate(invoiced=Sum("amount"), paid=Sum("amount_paid"))
    )
    return {r["currency"]: r["invoiced"] - r["paid"] for r in rows}
