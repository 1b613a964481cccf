"""Forms of complaints (parsing only; the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.complaints.choices import Severity, Status
from credfile.complaints.models import Complaint
from credfile.core.forms import form_for

COMPLAINT_REQUIRED = ("received_at", "severity", "summary")

_ComplaintBase = form_for(
    Complaint,
    ("received_at", "channel", "category", "severity", "summary", "details"),
    name="ComplaintBaseForm",
    required=COMPLAINT_REQUIRED,
)


class ComplaintForm(_ComplaintBase):  # type: ignore[valid-type,misc]  # a class built by form_for
    """Record a complaint; the owner is a person of the file's department."""

    def __init__(self, data: Any = None, *, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        people = User.objects.none()
        if customer is not None:
            people = User.objects.filter(
                department_id=customer.department_id, is_active=True
            ).order_by("username")
        self.fields["owner"] = forms.ModelChoiceField(
            queryset=people,
            required=False,
            label=_("Owner"),
            empty_label=_("The file's account manager"),
        )


# What each step asks for, beside its note.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    Status.ACKNOWLEDGED: (),
    Status.IN_PROGRESS: (),
    Status.RESOLVED: ("resolution",),
    Status.CLOSED: ("confirmation", "close_reason"),
}


class TransitionForm(forms.Form):
    """Move a complaint on to `to` (the form's prefix): what that step needs."""

    def __init__(self, data: Any = None, *, to: str, **kwargs: Any) -> None:
        super().__init__(data, prefix=to, **kwargs)
        keep = {"note", *STEP_FIELDS.get(to, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirmation = forms.CharField(
        label=_("Customer's confirmation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    close_reason = forms.CharField(
        label=_("Reason for closing without confirmation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open")), *Status.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", "—"), *Severity.choices]
    )
