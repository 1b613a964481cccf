from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.ratings.facts import ASSESSED
from credfile.ratings.inputs import INPUTS


class RatingForm(forms.Form):
    """The assessed inputs of a rating; the rest comes from the file."""

    def __init__(self, *args: Any, initial_assessed: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key in ASSESSED:
            kind = INPUTS[key]
            self.fields[key] = forms.ChoiceField(
                label=str(kind.label),
                required=False,
                choices=[("", _("as in the rating in force")), *kind.choices.items()],
                initial=(initial_assessed or {}).get(key, ""),
            )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
