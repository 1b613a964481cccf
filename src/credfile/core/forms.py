"""Form helpers: forms only parse input; services decide what is valid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from credfile.core.sealed import Sealed


class DateInput(forms.DateInput):
    """`<input type=date>` takes only ISO dates: any other format shows the field blank, and
    saving it would clear the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """`<input type=datetime-local>` takes `YYYY-MM-DDTHH:MM`, with seconds when the value
    has them (dropping them would change the time on an unchanged save)."""

    input_type = "datetime-local"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%S" if value.second else "%Y-%m-%dT%H:%M")
        return super().format_value(value)


def _widget_for(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    # Built by hand, so the label (the model field's translated name) is given by hand too.
    label = capfirst(field.verbose_name)
    if isinstance(field, models.DateTimeField):
        return forms.DateTimeField(widget=DateTimeInput(), label=label, **kwargs)
    if isinstance(field, models.DateField):
        return forms.DateField(widget=DateInput(), label=label, **kwargs)
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    formfield = field.formfield(**kwargs)
    if isinstance(formfield, forms.TypedChoiceField):
        # A dash reads better than Django's "---------" for "not given".
        choices = list(formfield.choices)  # type: ignore[arg-type]  # static list of pairs here
        formfield.choices = [("", "—"), *[c for c in choices if c[0] != ""]]
    return formfield


def _sealed_field(sealed: Sealed, *, required: bool) -> forms.Field:
    """The form field for a sealed attribute, typed by what it holds."""
    if sealed.kind is Decimal:
        return forms.DecimalField(
            label=sealed.verbose_name, required=required, max_digits=18, decimal_places=2
        )
    if sealed.kind is datetime.date:
        return forms.DateField(label=sealed.verbose_name, required=required, widget=DateInput())
    return forms.CharField(
        label=sealed.verbose_name, required=required, max_length=(sealed.max_length or 100) + 10
    )


def form_for(
    model: type[models.Model], fields: tuple[str, ...], *, name: str, required: tuple[str, ...] = ()
) -> type[forms.Form]:
    """A plain form whose fields, labels and choices come from the model's fields.

    Model validation is left to the service, so one rule lives in one place; the form only
    turns text into dates, numbers and choices.
    """
    attrs: dict[str, Any] = {}
    for field_name in fields:
        sealed = getattr(model, field_name, None)
        if isinstance(sealed, Sealed):
            attrs[field_name] = _sealed_field(sealed, required=field_name in required)
            continue
        model_field = model._meta.get_field(field_name)
        assert isinstance(model_field, models.Field)
        kwargs: dict[str, Any] = {"required": field_name in required}
        formfield = _widget_for(model_field, **kwargs)
        if formfield is not None:
            formfield.required = field_name in required
            attrs[field_name] = formfield
    return type(name, (forms.Form,), attrs)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors next to the fields; others at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def cleaned(form: forms.Form) -> dict[str, Any]:
    """Cleaned data without empty optional values, so services apply their own defaults."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
