"""Forms of the sign-in pages: they only parse input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OTPCodeForm(forms.Form):
    """A six-digit code from the authenticator app (spaces allowed, as apps show them)."""

    otp_token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the six digits shown in the app."))
        return code


class PrivilegeDecisionForm(forms.Form):
    """An executive's decision on a privilege change; a rejection needs its reason."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
