"""Input and output shapes of collection actions and the overdue list."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credfile.customers.api.serializers import choice, money, text
from credfile.followup.choices import ActionKind, PastDueBand
from credfile.followup.models import CollectionAction
from credfile.transactions.models import Invoice


class ActionInput(serializers.Serializer[Any]):
    invoice = serializers.IntegerField(help_text=_("An open invoice of this customer."))
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    action_date = serializers.DateField(
        required=False, help_text=_("When it happened; today when left out.")
    )
    note = text()
    next_action_on = serializers.DateField(required=False, allow_null=True)
    promised_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("A promise to pay: today or later.")
    )
    promised_amount = money(required=False, allow_null=True)


class ActionOutput(serializers.ModelSerializer[CollectionAction]):
    class Meta:
        model = CollectionAction
        fields = (
            "id",
            "customer",
            "invoice",
            "kind",
            "action_date",
            "note",
            "recorded_by",
            "next_action_on",
            "promised_on",
            "promised_amount",
            "created_at",
        )
        read_only_fields = fields


class OverdueQuery(serializers.Serializer[Any]):
    department = serializers.IntegerField(required=False)
    manager = serializers.IntegerField(required=False, help_text=_("An account manager's id."))
    broken = serializers.BooleanField(required=False, default=False)
    band = choice(PastDueBand.choices, help_text=_("Days past due."))


class OverdueOutput(serializers.ModelSerializer[Invoice]):
    """An open overdue invoice with its follow-up; the amount is in the invoice's currency."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department = serializers.IntegerField(source="customer.department_id", read_only=True)
    account_manager = serializers.IntegerField(
        source="customer.account_manager_id", read_only=True, allow_null=True
    )
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    days_past_due = serializers.SerializerMethodField()
    last_action_kind = serializers.SerializerMethodField()
    last_action_on = serializers.DateField(read_only=True, allow_null=True)
    next_action_on = serializers.DateField(read_only=True, allow_null=True)
    promise_broken = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = (
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "department",
            "account_manager",
            "number",
            "due_date",
            "days_past_due",
            "currency",
            "open_amount",
            "last_action_kind",
            "last_action_on",
            "next_action_on",
            "promise_broken",
        )
        read_only_fields = fields

    def get_days_past_due(self, invoice: Invoice) -> int:
        return invoice.days_past_due(self.context["today"])

    @extend_schema_field(serializers.ChoiceField(choices=ActionKind.choices, allow_null=True))
    def get_last_action_kind(self, invoice: Invoice) -> str | None:
        return invoice.last_action_kind  # type: ignore[attr-defined]
