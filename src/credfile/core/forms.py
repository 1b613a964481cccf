"""Form helpers: forms only parse input; services decide what is valid."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from credfile.core.sealed import Sealed

# Browsers read and write <input type="date"> and "datetime-local" in ISO 8601 only. Django
# would render the first input format of the active language (2023/01/20 in Chinese), which
# the browser shows as blank and submits empty: a date lost on a save the user did not make.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M:%S"


class DateInput(forms.DateInput):
    """`<input type=date>` takes only ISO dates: any other format shows the field blank, and
    saving it would clear the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """`<input type=datetime-local>` takes `YYYY-MM-DDTHH:MM:SS` (dropping the seconds would
    change the time on an unchanged save)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # Seconds are kept, so a time with seconds comes back as it went out.
        super().__init__({"step": "1", **(attrs or {})}, format=ISO_DATETIME)


class DecimalInput(forms.NumberInput):
    """A number as <input type="number"> reads it: digits and a point, never grouped or
    with a language's decimal comma, whatever the formatting settings."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return format(value, "f")
        return super().format_value(value)


class MultilineField(forms.CharField):
    """Text of several lines. Browsers submit every line break as CR LF (the HTML standard);
    the stored text has LF, so an untouched text area comes back as it went out."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _too_long(label: Any) -> str:
    # Django fills in the limit and the length when it raises the error.
    message = gettext(
        "%(field)s can have at most %(limit_value)s characters (it has %(show_value)s)."
    )
    return message % {
        "field": label,
        "limit_value": "%(limit_value)s",
        "show_value": "%(show_value)s",
    }


# Lazy, so the message is in the language of the request that shows it.
too_long = lazy(_too_long, str)


def _widget_for(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    # Built by hand, so the label (the model field's translated name) is given by hand too.
    label = capfirst(field.verbose_name)
    if isinstance(field, models.DateTimeField):
        return forms.DateTimeField(widget=DateTimeInput(), label=label, **kwargs)
    if isinstance(field, models.DateField):
        return forms.DateField(widget=DateInput(), label=label, **kwargs)
    if isinstance(field, models.DecimalField):
        return field.formfield(widget=DecimalInput(), **kwargs)
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(field, models.TextField) and not field.choices:
        kwargs.setdefault("form_class", MultilineField)
    formfield = field.formfield(**kwargs)
    if isinstance(formfield, forms.CharField) and formfield.max_length is not None:
        # "Name can have at most 100 characters", not Django's message without the field.
        formfield.error_messages["max_length"] = too_long(label)
    if isinstance(formfield, forms.TypedChoiceField):
        # A dash reads better than Django's "---------" for "not given".
        choices = list(formfield.choices)  # type: ignore[arg-type]  # static list of pairs here
        formfield.choices = [("", "—"), *[c for c in choices if c[0] != ""]]
    return formfield


def _sealed_field(sealed: Sealed, *, required: bool) -> forms.Field:
    """The form field for a sealed attribute, typed by what it holds."""
    label = capfirst(sealed.verbose_name)
    if sealed.kind is Decimal:
        return forms.DecimalField(
            label=label,
            required=required,
            max_digits=18,
            decimal_places=2,
            widget=DecimalInput(),
        )
    if sealed.kind is datetime.date:
        return forms.DateField(label=label, required=required, widget=DateInput())
    return forms.CharField(
        label=label, required=required, max_length=(sealed.max_length or 100) + 10
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


class SealedInput(forms.Widget):
    """A sealed value on a form: shown masked (as on the file page), never in clear unless
    the user revealed it, and not submitted until the user chooses to replace it.

    The input is disabled, so a browser leaves it out of the submission and the value is
    kept; "Replace" (credfile/app.js) enables it, empty when it was masked. The clear value
    reaches the page only after a reveal (`clear`), which the view has recorded.
    """

    def __init__(
        self, inner: forms.Widget, *, mask: str, clear: Any = None, swap: bool = False
    ) -> None:
        super().__init__(inner.attrs)
        self.inner = inner
        self.mask = mask
        self.clear = clear
        # Sent back to a page after a reveal, the widget replaces the masked one in place.
        self.swap = swap

    def __deepcopy__(self, memo: dict[int, Any]) -> SealedInput:
        return SealedInput(
            copy.deepcopy(self.inner, memo), mask=self.mask, clear=self.clear, swap=self.swap
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return self.inner.value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return self.inner.value_omitted_from_data(data, files, name)

    def id_for_label(self, id_: str) -> str:
        return self.inner.id_for_label(id_)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        revealed = self.clear not in (None, "")
        input_type = getattr(self.inner, "input_type", "text")
        base = {
            **(attrs or {}),
            "disabled": True,
            "data-sealed": "revealed" if revealed else "masked",
            "data-input-type": input_type,
        }
        if revealed:
            field_html = self.inner.render(name, self.clear, base, renderer)
        else:
            # Masked: a text input that shows the mask as its placeholder and holds no value.
            masked = {**base, "placeholder": self.mask}
            field_html = forms.TextInput().render(name, None, masked, renderer)
        widget_id = (attrs or {}).get("id") or name
        return format_html(
            '<div class="input-group sealed-input" id="sealed-{}"{}>{}'
            '<button type="button" class="btn btn-outline-secondary" data-replace="{}">'
            '<i class="bi bi-pencil me-1"></i>{}</button></div>',
            widget_id,
            format_html(' hx-swap-oob="{}"', "true") if self.swap else "",
            field_html,
            widget_id,
            gettext("Replace"),
        )
