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


class DeleteReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the deletion"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Say why the record goes (entered in error, a duplicate …)."),
        error_messages={"required": _("Give the reason for the deletion.")},
    )


@cache
def correction_form(target: Target) -> type[forms.Form]:
    """A form of a record's correctable fields."""
    return form_for(
        target.model,
        target.fields,
        name=f"{target.model.__name__}CorrectionForm",
        required=target.required,
    )
