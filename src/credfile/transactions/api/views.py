"""Contracts, invoices and payments in a credit file, through the generic record view."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from credfile.core.permissions import Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet
from credfile.transactions.api.serializers import (
    ContractInput,
    ContractOutput,
    InvoiceInput,
    InvoiceOutput,
    PaymentInput,
    PaymentOutput,
)
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from credfile.transactions.services import contract_create, invoice_create, payment_create


class ContractViewSet(CustomerChildViewSet):
    """Contracts and their performance."""

    resource = ChildResource(
        segment="contracts",
        section=Section.TRANSACTIONS,
        model=Contract,
        input=ContractInput,
        output=ContractOutput,
        create=contract_create,
        ordering=("-signed_on", "-id"),
    )


class InvoiceViewSet(CustomerChildViewSet):
    """Invoices (receivables)."""

    resource = ChildResource(
        segment="invoices",
        section=Section.TRANSACTIONS,
        model=Invoice,
        input=InvoiceInput,
        output=InvoiceOutput,
        create=invoice_create,
        ordering=("-issue_date", "-id"),
    )


def payment_arguments(data: dict[str, Any]) -> dict[str, Any]:
    allocations = data.pop("allocations", None)
    return {
        "fields": data,
        "allocations": [(a["invoice"], a["amount"]) for a in allocations or []] or None,
    }


class PaymentViewSet(CustomerChildViewSet):
    """Payments received and the invoices they settle."""

    resource = ChildResource(
        segment="payments",
        section=Section.TRANSACTIONS,
        model=Payment,
        input=PaymentInput,
        output=PaymentOutput,
        create=payment_create,
        ordering=("-received_on", "-id"),
        prefetch=(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("invoice").order_by("id"),
            ),
        ),
        arguments=payment_arguments,
    )
