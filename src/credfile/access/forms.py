"""Forms of the usage application pages (parsing only; access.services validates)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.access.choices import FileSection
from credfile.core.forms import DateInput


class ApplicationForm(forms.Form):
    customer_code = forms.CharField(label=_("Customer code"), max_length=20)
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        choices=FileSection.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
