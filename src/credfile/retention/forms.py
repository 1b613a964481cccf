from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.documents.choices import DocumentType
from credfile.retention.choices import CountsFrom, RecordKind, RuleFileStatus
from credfile.retention.models import RetentionRule


class RuleProposalForm(forms.Form):
    """A proposed rule or change; the service checks the values (each error on its field)."""

    rule = forms.ModelChoiceField(
        RetentionRule.objects.all(),
        required=False,
        label=_("Rule to change"),
        empty_label=_("— a new rule —"),
    )
    record_kind = forms.ChoiceField(label=_("record kind"), choices=RecordKind.choices)
    document_type = forms.ChoiceField(
        label=_("document type"),
        choices=[("", _("Every type")), *DocumentType.choices],
        required=False,
    )
    file_status = forms.ChoiceField(
        label=_("file status"), choices=RuleFileStatus.choices, required=False
    )
    period_years = forms.IntegerField(label=_("years"), initial=5)
    period_months = forms.IntegerField(label=_("months"), initial=0)
    counts_from = forms.ChoiceField(label=_("counted from"), choices=CountsFrom.choices)
    legal_basis = forms.CharField(
        label=_("legal basis"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class LegalHoldForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)
    until = forms.DateField(
        label=_("until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a hold until it is lifted."),
    )


class DeletionRequestForm(forms.Form):
    basis = forms.CharField(
        label=pgettext_lazy("a person's deletion request", "request"),
        max_length=500,
        required=False,
        help_text=_(
            "How and when the person asked (a letter's number, a call logged). No personal "
            "data: the request is kept after the file is destroyed."
        ),
    )
    received_on = forms.DateField(
        label=pgettext_lazy("a person's deletion request", "received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
