"""Forms of the transactions section (parsing only; transactions.services validates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import form_for
from credfile.customers.models import Customer
from credfile.transactions.models import Contract, Invoice, Payment
from credfile.transactions.services import CONTRACT_FIELDS, INVOICE_FIELDS, PAYMENT_FIELDS

CONTRACT_REQUIRED = ("number", "title", "signed_on", "amount")
INVOICE_REQUIRED = ("number", "issue_date", "amount")
PAYMENT_REQUIRED = ("received_on", "amount")

ContractForm = form_for(Contract, CONTRACT_FIELDS, name="ContractForm", required=CONTRACT_REQUIRED)
InvoiceForm = form_for(
    Invoice,
    tuple(f for f in INVOICE_FIELDS if f != "contract"),
    name="InvoiceForm",
    required=INVOICE_REQUIRED,
)

_PaymentBase = form_for(Payment, PAYMENT_FIELDS, name="_PaymentBase", required=PAYMENT_REQUIRED)


class PaymentForm(_PaymentBase):  # type: ignore[valid-type,misc]
    invoice = forms.ModelChoiceField(
        label=_("Settles invoice"),
        required=False,
        queryset=Invoice.objects.none(),
        empty_label=_("Oldest open invoices first"),
    )

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customer is not None:
            field = self.fields["invoice"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Invoice.objects.filter(
                customer=customer, fully_paid_on__isnull=True
            ).order_by("due_date", "id")
