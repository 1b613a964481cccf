"""Input and output shapes of the review API. Inputs only check types; rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.customers.choices import (
    LIFECYCLE_STATUS_ERROR,
    SETTABLE_STATUSES,
    CustomerCategory,
    ProfitClass,
)
from credfile.reviews import rules
from credfile.reviews.choices import PolicyBasis, QueueState, ReviewConclusion, RiskLevel
from credfile.reviews.models import Review, ReviewPolicy, ReviewSchedule


class QueueQuery(serializers.Serializer[Any]):
    state = serializers.ChoiceField(QueueState.choices, default=QueueState.OPEN)
    risk = serializers.ChoiceField(RiskLevel.choices, required=False, allow_blank=True)
    department = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class QueueEntryOutput(serializers.ModelSerializer[ReviewSchedule]):
    """A file's review state: next review date, risk, cycle and data quality with its parts."""

    customer = serializers.IntegerField(source="customer_id", read_only=True)
    code = serializers.CharField(source="customer.code", read_only=True)
    name = serializers.CharField(source="customer.name", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    account_manager = serializers.CharField(source="account_manager.username", read_only=True)
    quality_parts = serializers.SerializerMethodField()
    # Empty until the file's first review.
    last_conclusion = serializers.ChoiceField(
        ReviewConclusion.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = ReviewSchedule
        fields = (
            "customer",
            "code",
            "name",
            "department",
            "account_manager",
            "risk",
            "cycle_months",
            "last_reviewed_on",
            "last_conclusion",
            "next_review_on",
            "escalated_at",
            "quality_score",
            "quality_parts",
        )
        read_only_fields = fields

    def get_quality_parts(self, obj: ReviewSchedule) -> dict[str, bool]:
        return {
            p.field.removeprefix("q_"): bool(getattr(obj, p.field)) for p in rules.QUALITY_PARTS
        }


class ProposedChanges(serializers.Serializer[Any]):
    category = serializers.ChoiceField(CustomerCategory.choices, required=False)
    status = serializers.ChoiceField(
        SETTABLE_STATUSES,
        required=False,
        error_messages={"invalid_choice": LIFECYCLE_STATUS_ERROR},
    )
    profit_class = serializers.ChoiceField(ProfitClass.choices, required=False)
    phone = serializers.CharField(max_length=30, required=False)
    email = serializers.EmailField(required=False)
    remarks = serializers.CharField(required=False)


class ReviewInput(serializers.Serializer[Any]):
    contacts_verified = serializers.BooleanField(default=False)
    financials_updated = serializers.BooleanField(default=False)
    transactions_checked = serializers.BooleanField(default=False)
    rating_rechecked = serializers.BooleanField(default=False)
    findings = serializers.CharField()
    conclusion = serializers.ChoiceField(ReviewConclusion.choices)
    proposed_changes = ProposedChanges(
        required=False,
        help_text=_("Changes to the file the review proposes; submitted for approval."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewOutput(serializers.ModelSerializer[Review]):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    proposed_changes = serializers.DictField(read_only=True)

    class Meta:
        model = Review
        fields = (
            "id",
            "customer",
            "reviewer",
            "reviewed_on",
            "completed_at",
            "contacts_verified",
            "financials_updated",
            "transactions_checked",
            "rating_rechecked",
            "findings",
            "conclusion",
            "proposed_changes",
            "change_request_id",
            "risk",
            "quality_score",
            "was_due_on",
            "next_review_on",
        )
        read_only_fields = fields


class PolicyOutput(serializers.ModelSerializer[ReviewPolicy]):
    class Meta:
        model = ReviewPolicy
        fields = (
            "id",
            "basis",
            "value",
            "cycle_months",
            "is_active",
            "note",
            "version",
            "updated_at",
        )
        read_only_fields = fields


class PolicyInput(serializers.Serializer[Any]):
    basis = serializers.ChoiceField(PolicyBasis.choices)
    value = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    cycle_months = serializers.IntegerField(min_value=1, max_value=60)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PolicyUpdateInput(serializers.Serializer[Any]):
    cycle_months = serializers.IntegerField(min_value=1, max_value=60, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(
        required=False, help_text=_("The version you loaded, to be told of a conflict.")
    )
