"""Forms of the change request pages (parsing only; changes.services validates)."""

from __future__ import annotations

from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.changes.registry import Target
from credfile.core.forms import form_for


class DecisionForm(forms.Form):
    # The file's version the checker saw: an approval of what has changed since is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tell the approver why (a document, a call with the customer …)."),
    )


# The fields a correction form requires: those the record cannot do without.
_REQUIRED = {
    "transactions.invoice": ("number", "issue_date", "due_date", "amount"),
    "financials.financialstatement": (
        "period_type",
        "period_end",
        "total_assets",
        "total_liabilities",
        "equity",
        "revenue",
        "net_profit",
    ),
    "financials.individualfinancial": (
        "as_of",
        "annual_income",
        "total_assets",
        "total_liabilities",
    ),
}


@cache
def correction_form(target: Target) -> type[forms.Form]:
    """A form of a record's correctable fields."""
    return form_for(
        target.model,
        target.fields,
        name=f"{target.model.__name__}CorrectionForm",
        required=_REQUIRED.get(target.label, ()),
    )
