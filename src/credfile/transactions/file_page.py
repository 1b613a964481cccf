"""The transactions section of the file page (with the open receivables of the file's
header), and its records under change control."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.changes.choices import FieldGroup
from credfile.changes.registry import Target, register_target
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import RecordKind, Section, register_section
from credfile.customers.services import register_file_cleanup
from credfile.followup.selectors import with_followup
from credfile.transactions import forms
from credfile.transactions.charts import history_chart
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from credfile.transactions.receivables import (
    ageing_buckets,
    file_figures,
    invoice_days_late,
    receivables_history,
    statutory_buckets,
)
from credfile.transactions.services import (
    CONTRACT_FIELDS,
    INVOICE_CORRECTION_FIELDS,
    PAYMENT_FIELDS,
    _contract_delete,
    _contract_update,
    _invoice_delete,
    _invoice_update,
    _payment_delete,
    _payment_update,
    contract_create,
    invoice_create,
    payment_create,
)


def _plain(form: Any) -> Any:
    return lambda data=None, customer=None, **kwargs: form(data, **kwargs)


def _payment_save(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Any:
    invoice = fields.pop("invoice", None)
    allocations = [(invoice.pk, fields["amount"])] if invoice is not None else None
    return payment_create(actor=actor, customer=customer, fields=fields, allocations=allocations)


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    today = timezone.localdate()
    # The section is shown only to whoever may see it, so the file itself is the scope.
    scope = Q(customer_id=customer.pk)
    history = receivables_history(scope=scope, as_of=today)
    return {
        "contracts": list(customer.contracts.all()[:50]),
        # With the follow-up columns (last and next action, broken promise) and the days
        # beyond terms of paid invoices (weighted by payment, as the figures), in one query.
        "invoices": list(
            with_followup(customer.invoices.select_related("contract")).annotate(
                days_late=invoice_days_late()
            )[:100]
        ),
        "payments": list(customer.payments.prefetch_related("allocations__invoice")[:100]),
        "today": today,
        "receivables": file_figures(customer.pk, as_of=today),
        "ageing_buckets": ageing_buckets(),
        "statutory_buckets": statutory_buckets(),
        "history": [(currency, history_chart(points)) for currency, points in history.items()],
    }


def _header(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    today = timezone.localdate()
    rows = (
        customer.invoices.filter(fully_paid_on__isnull=True)
        .values("currency")
        .annotate(
            open=Sum("amount") - Sum("amount_paid"),
            overdue=Sum("amount", filter=Q(due_date__lt=today))
            - Sum("amount_paid", filter=Q(due_date__lt=today)),
        )
        .order_by("currency")
    )
    return {"receivable": [dict(row) for row in rows]}


def _file_cleanup(customer_id: int) -> None:
    # Payments reference invoices through allocations (PROTECT), invoices their contract.
    PaymentAllocation.objects.filter(payment__customer_id=customer_id).delete()
    Payment.objects.filter(customer_id=customer_id).delete()
    Invoice.objects.filter(customer_id=customer_id).delete()
    Contract.objects.filter(customer_id=customer_id).delete()


def register() -> None:
    register_section(
        Section(
            slug=Policy.TRANSACTIONS,
            title=_("Transactions"),
            template="transactions/section.html",
            order=30,
            context=_context,
            header=_header,
            records=(
                RecordKind(
                    "contract", _("Add a contract"), _plain(forms.ContractForm), contract_create
                ),
                RecordKind(
                    "invoice", _("Add an invoice"), _plain(forms.InvoiceForm), invoice_create
                ),
                RecordKind("payment", _("Record a payment"), forms.PaymentForm, _payment_save),
            ),
            counted=Invoice,
        )
    )
    register_file_cleanup(_file_cleanup)
    group = FieldGroup.TRANSACTIONS.value
    register_target(
        Target(
            label="transactions.invoice",
            slug="invoice",
            model=Invoice,
            group=group,
            fields=INVOICE_CORRECTION_FIELDS,
            section=Policy.TRANSACTIONS,
            update=lambda actor, customer, obj, fields, options: _invoice_update(
                actor=actor, invoice=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _invoice_delete(actor=actor, invoice=obj),
            required=("number", "issue_date", "due_date", "amount"),
        )
    )
    register_target(
        Target(
            label="transactions.contract",
            slug="contract",
            model=Contract,
            group=group,
            fields=CONTRACT_FIELDS,
            section=Policy.TRANSACTIONS,
            update=lambda actor, customer, obj, fields, options: _contract_update(
                actor=actor, contract=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _contract_delete(actor=actor, contract=obj),
            required=forms.CONTRACT_REQUIRED,
        )
    )
    register_target(
        Target(
            label="transactions.payment",
            slug="payment",
            model=Payment,
            group=group,
            fields=PAYMENT_FIELDS,
            section=Policy.TRANSACTIONS,
            update=lambda actor, customer, obj, fields, options: _payment_update(
                actor=actor, payment=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _payment_delete(actor=actor, payment=obj),
            required=forms.PAYMENT_REQUIRED,
        )
    )
