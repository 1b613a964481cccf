"""Forms of the history pages (parsing only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from credfile.core.forms import DateInput


class AsOfForm(forms.Form):
    date = forms.DateField(label=_("As of"), widget=DateInput())


class DiffForm(forms.Form):
    # "from"/"to" in the query string; Python names cannot be `from`.
    from_version = forms.IntegerField(label=_("From version"), min_value=1)
    to_version = forms.IntegerField(label=_("To version"), min_value=1)

    @classmethod
    def from_query(cls, data: dict[str, str]) -> DiffForm:
        return cls({"from_version": data.get("from", ""), "to_version": data.get("to", "")})
