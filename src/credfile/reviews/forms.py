"""Forms of the review pages: they parse input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department
from credfile.customers.choices import (
    LIFECYCLE_STATUS_ERROR,
    SETTABLE_STATUSES,
    CustomerCategory,
    ProfitClass,
)
from credfile.ratings.choices import GRADE_CHOICES
from credfile.reviews.choices import PolicyBasis, QueueState, ReviewConclusion, RiskLevel
from credfile.reviews.services import PROPOSABLE_FIELDS


def _optional(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"), choices=QueueState.choices, required=False, initial=QueueState.OPEN
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=_optional(RiskLevel.choices), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label="—",
    )


class ReviewForm(forms.Form):
    contacts_verified = forms.BooleanField(label=_("Contacts verified"), required=False)
    financials_updated = forms.BooleanField(label=_("Financials updated"), required=False)
    transactions_checked = forms.BooleanField(label=_("Transactions checked"), required=False)
    rating_rechecked = forms.BooleanField(label=_("Rating re-checked"), required=False)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=ReviewConclusion.choices, widget=forms.RadioSelect
    )
    # Proposed updates to the file: submitted for approval, not applied directly.
    category = forms.ChoiceField(
        label=_("Category"), choices=_optional(CustomerCategory.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_optional(SETTABLE_STATUSES),
        required=False,
        error_messages={"invalid_choice": LIFECYCLE_STATUS_ERROR},
    )
    profit_class = forms.ChoiceField(
        label=_("Profit contribution"), choices=_optional(ProfitClass.choices), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    CHECKS = ("contacts_verified", "financials_updated", "transactions_checked", "rating_rechecked")

    def check_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CHECKS]

    def proposal_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PROPOSABLE_FIELDS]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        proposed = {name: data[name] for name in PROPOSABLE_FIELDS if data.get(name)}
        return {
            **{name: data[name] for name in self.CHECKS},
            "findings": data["findings"],
            "conclusion": data["conclusion"],
            "proposed_changes": proposed,
        }


class PolicyForm(forms.Form):
    basis = forms.ChoiceField(label=_("Applies to"), choices=PolicyBasis.choices)
    # One list, grouped: the risk levels, grades and categories have distinct codes.
    value = forms.ChoiceField(
        label=_("Risk level, grade or category"),
        choices=[
            ("", _("— (all other files)")),
            (_("Risk level"), RiskLevel.choices),
            (_("Grade at or below"), GRADE_CHOICES),
            (_("Customer category"), CustomerCategory.choices),
        ],
        required=False,
        help_text=_(
            "A risk level for a risk policy, a grade for a grade policy (that grade and every "
            "worse one), a category for a category policy."
        ),
    )
    cycle_months = forms.IntegerField(label=_("Review cycle (months)"), min_value=1, max_value=60)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PolicyEditForm(forms.Form):
    cycle_months = forms.IntegerField(label=_("Review cycle (months)"), min_value=1, max_value=60)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
