"""Forms of customer events (parsing only; the services validate)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import form_for
from credfile.events.choices import EventKind, EventStatus
from credfile.events.models import CustomerEvent

EVENT_REQUIRED = ("title", "kind", "starts_at", "ends_at", "place", "capacity")

EventForm = form_for(
    CustomerEvent,
    ("title", "kind", "starts_at", "ends_at", "place", "capacity", "description"),
    name="EventForm",
    required=EVENT_REQUIRED,
)


class EventFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *EventStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *EventKind.choices], required=False
    )
    q = forms.CharField(label=_("Title or place"), max_length=100, required=False)


class InviteForm(forms.Form):
    """Invite many customers at once, by their customer codes: all of them or none."""

    codes = forms.CharField(
        label=_("Customer codes"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "C00000001\nC00000002"}),
        help_text=_("One or more customer codes, separated by lines, spaces or commas."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_codes(self) -> list[str]:
        raw: str = self.cleaned_data["codes"]
        codes = [c.strip().upper() for c in re.split(r"[\s,，;；]+", raw) if c.strip()]
        if not codes:
            raise forms.ValidationError(_("Give at least one customer code."))
        return list(dict.fromkeys(codes))


class AttendanceForm(forms.Form):
    """Who came: the ticked invitations attended, the other open ones did not."""

    def __init__(self, data: Any = None, *, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["attended"] = forms.TypedMultipleChoiceField(
            label=_("Came"),
            choices=choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
