"""Template helpers shared by every page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from credfile.core.identifiers import format_phone
from credfile.core.masking import mask

register = template.Library()


@register.simple_tag
def widget(field: forms.BoundField) -> SafeString:
    """The field's widget with Bootstrap classes, marked invalid when it has errors."""
    w = field.field.widget
    css = "form-select" if isinstance(w, forms.Select) else "form-control"
    attrs: dict[str, Any] = {"class": css + (" is-invalid" if field.errors else "")}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_error"
        attrs["aria-invalid"] = "true"
    if isinstance(w, forms.Textarea):
        attrs.setdefault("rows", w.attrs.get("rows", 3))
    return field.as_widget(attrs=attrs)


@register.filter
def money(value: Decimal | None, currency: str = "") -> str:
    """1234567.5 → 1,234,567.50 (with the currency code when given)."""
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


@register.simple_tag
def status_badge(customer: Any) -> SafeString:
    colours = {
        "prospect": "info",
        "active": "success",
        "dormant": "secondary",
        "settled": "dark",
        "archived": "warning",
    }
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        colours.get(customer.status, "secondary"),
        customer.get_status_display(),
    )


@register.filter
def attr_of(obj: Any, name: str) -> Any:
    """obj.<name>, for tables whose rows are attribute names."""
    return getattr(obj, name, None)


@register.simple_tag(takes_context=True)
def sensitive(context: template.Context, obj: Any, name: str) -> str:
    """A sealed attribute: in clear once the user has revealed the section, else masked."""
    value = getattr(obj, name, None)
    if value in (None, ""):
        return "—"
    if context.get("revealed"):
        if isinstance(value, Decimal):
            return money(value)
        if name in {"phone", "mobile"}:
            return format_phone(str(value))
        return str(value)
    return mask(name, value)


@register.simple_tag
def section_label(code: str) -> str:
    """The name of a credit file section (basic, contacts …) in the user's language."""
    from credfile.access.choices import FileSection

    try:
        return str(FileSection(code).label)
    except ValueError:
        return code


@register.simple_tag(name="field_label")
def field_label_tag(model: Any, name: str) -> str:
    """The translated label of a model's field (`model`: a class, an instance or a label)."""
    from credfile.core.display import field_label

    return field_label(model, name)


@register.simple_tag(name="field_value")
def field_value_tag(model: Any, name: str, value: Any, currency: str | None = None) -> str:
    """A stored value of the field as the file page shows it (credfile.core.display)."""
    from credfile.core.display import display_value

    return display_value(model, name, value, currency=currency)
