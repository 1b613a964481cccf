"""Forms of the risk pages: they parse input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department
from credfile.core.models import Currency
from credfile.ratings.choices import GRADE_CHOICES
from credfile.risk.choices import RatingCap, WatchStatus
from credfile.risk.models import RiskRule


def _optional(choices: Any, empty: Any = "—") -> list[tuple[str, Any]]:
    return [("", empty), *choices]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    grade_at_or_below = forms.ChoiceField(
        label=_("Grade at or below"), choices=_optional(GRADE_CHOICES), required=False
    )
    overdue_90_above = forms.DecimalField(
        label=_("Overdue more than 90 days above"),
        max_digits=18,
        decimal_places=2,
        required=False,
        min_value=0,
    )
    overdue_currency = forms.ChoiceField(
        label=_("In currency"),
        choices=_optional(Currency.choices, _("any currency")),
        required=False,
    )
    max_dbt_above = forms.IntegerField(
        label=_("Days beyond terms above"), required=False, min_value=0
    )
    rating_cap = forms.ChoiceField(
        label=_("Rating capped by"), choices=_optional(RatingCap.choices), required=False
    )
    block_credit = forms.BooleanField(label=_("Block new credit"), required=False)
    review_within_months = forms.IntegerField(
        label=_("Review within (months)"), required=False, min_value=1, max_value=24
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, rule: RiskRule) -> dict[str, Any]:
        return {name: getattr(rule, name) for name in cls.base_fields}


class WatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        choices=[*WatchStatus.choices, ("all", _("All"))],
        required=False,
        initial=WatchStatus.ACTIVE,
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=RiskRule.objects.order_by("name"), required=False, empty_label="—"
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label="—"
    )
    blocking = forms.BooleanField(label=_("New credit blocked"), required=False)
    q = forms.CharField(label=_("Customer"), required=False, max_length=100)
