"""Forms of the follow-up pages (parsing only; followup.services validates)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department, User
from credfile.core.forms import form_for
from credfile.customers.models import Customer
from credfile.followup.choices import PastDueBand
from credfile.followup.models import CollectionAction

ActionForm = form_for(
    CollectionAction,
    ("kind", "action_date", "next_action_on", "promised_on", "promised_amount", "note"),
    name="ActionForm",
    required=("kind", "action_date"),
)


class OverdueFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label="—"
    )
    manager = forms.ModelChoiceField(
        label=_("Account manager"),
        queryset=User.objects.filter(pk__in=Customer.objects.values("account_manager_id")).order_by(
            "username"
        ),
        required=False,
        empty_label="—",
    )
    band = forms.ChoiceField(
        label=_("Days past due"),
        choices=[("", "—"), *PastDueBand.choices],
        required=False,
    )
    # A choice rather than a checkbox, so that it sits in the filter bar like the others.
    broken = forms.ChoiceField(
        label=_("Broken promise"),
        choices=[("", "—"), ("1", _("Broken promises only"))],
        required=False,
    )
