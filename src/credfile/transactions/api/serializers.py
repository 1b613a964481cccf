"""Input and output shapes of contracts, invoices and payments."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credfile.core.models import Currency
from credfile.customers.api.serializers import choice, money, text
from credfile.transactions.choices import ContractStatus, InvoiceState, PaymentMethod
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation


class ContractInput(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    signed_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    amount = money()
    currency = choice(Currency.choices)
    payment_terms_days = serializers.IntegerField(required=False, min_value=0)
    status = choice(ContractStatus.choices)
    performance_notes = text()


class ContractOutput(serializers.ModelSerializer[Contract]):
    class Meta:
        model = Contract
        fields = (
            "id",
            "customer",
            "number",
            "title",
            "signed_on",
            "ends_on",
            "amount",
            "currency",
            "payment_terms_days",
            "status",
            "performance_notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class InvoiceInput(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=50)
    contract = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("A contract of this customer.")
    )
    issue_date = serializers.DateField()
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Defaults to the invoice date plus the payment terms."),
    )
    payment_terms_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text=gettext_lazy("Defaults to the contract's terms, else 30 days."),
    )
    amount = money()
    currency = choice(Currency.choices)
    description = text(200)


class InvoiceOutput(serializers.ModelSerializer[Invoice]):
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = (
            "id",
            "customer",
            "contract",
            "number",
            "issue_date",
            "due_date",
            "payment_terms_days",
            "amount",
            "currency",
            "amount_paid",
            "open_amount",
            "fully_paid_on",
            "state",
            "description",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=InvoiceState.choices))
    def get_state(self, invoice: Invoice) -> str:
        return invoice.state().value


class AllocationInput(serializers.Serializer[Any]):
    invoice = serializers.IntegerField()
    amount = money()


class PaymentInput(serializers.Serializer[Any]):
    """Without allocations the payment settles the oldest open invoices in its currency."""

    received_on = serializers.DateField()
    amount = money()
    currency = choice(Currency.choices)
    method = choice(PaymentMethod.choices)
    reference = text(100)
    allocations = AllocationInput(many=True, required=False)

    def validate_allocations(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        invoices = [item["invoice"] for item in value]
        if len(invoices) != len(set(invoices)):
            raise serializers.ValidationError(_("Allocate to each invoice only once."))
        return value


class AllocationOutput(serializers.ModelSerializer[PaymentAllocation]):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ("invoice", "invoice_number", "amount")
        read_only_fields = fields


class PaymentOutput(serializers.ModelSerializer[Payment]):
    allocations = AllocationOutput(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = (
            "id",
            "customer",
            "received_on",
            "amount",
            "currency",
            "method",
            "reference",
            "recorded_by",
            "allocations",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
