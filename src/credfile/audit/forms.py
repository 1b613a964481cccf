"""The auditor's filter form. It only parses input; audit.selectors applies it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from credfile.audit.choices import AuditAction
from credfile.audit.display import LIBRARY_TYPES, object_type_label
from credfile.audit.selectors import AuditFilters
from credfile.core.forms import DateInput


def _object_types() -> list[tuple[str, Any]]:
    """Every credfile model (and the user account) and the libraries' models the trail
    names, by their label as the trail stores it, named as the trail page names them."""
    labels = [
        model._meta.label_lower
        for model in apps.get_models()
        if model.__module__.startswith("credfile.") or model._meta.label_lower in LIBRARY_TYPES
    ]
    return sorted(((label, object_type_label(label)) for label in labels), key=lambda c: c[0])


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Actor"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Username")}),
    )
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("Customer id or code")}),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    reads = forms.BooleanField(label=_("Only looks at credit files"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *_object_types()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters | None:
        """The filters from the input; None when it is not valid (show the errors, no rows)."""
        if not self.is_bound:
            return AuditFilters()
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", ""),
            customer=data.get("customer", ""),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            reads=bool(data.get("reads")),
        )
