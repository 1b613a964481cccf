"""A field's label and a value as the file page shows them, for every page that shows stored
values outside a model instance: change requests, history, reviews and the audit trail.

Values come as they are stored in JSON (snapshots, proposals, audit before/after): Decimals
and dates as text, relations as ids. The file page's formatting is the one rule: money as
``50,000,000.00 CNY``, dates ``2023-01-20``, times ``2023-01-20 09:30`` in the local time
zone, choices by their label, people and departments by name, sealed values masked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.core.identifiers import format_phone
from credfile.core.masking import mask
from credfile.core.sealed import Sealed

EMPTY = "—"

ModelRef = type[models.Model] | models.Model | str


def model_of(model: ModelRef) -> type[models.Model] | None:
    """The model class named by a class, an instance or an ``app_label.model`` label."""
    if isinstance(model, str):
        try:
            return apps.get_model(model)
        except (LookupError, ValueError):
            return None
    return model if isinstance(model, type) else type(model)


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    attribute = getattr(model, name, None)
    if isinstance(attribute, Sealed):
        return attribute
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        # An id column (`department_id`) names its relation.
        if name.endswith("_id"):
            try:
                return model._meta.get_field(name[:-3])
            except FieldDoesNotExist:
                return None
        return None


def has_field(model: ModelRef, name: str) -> bool:
    """Whether `name` is a field (or sealed attribute) of the model."""
    return _field(model_of(model), name) is not None


def field_label(model: ModelRef, name: str) -> str:
    """The field's verbose name in the current language; the name itself for a field the
    model no longer has (an older snapshot)."""
    if name == "tags":
        return _("tags")
    field = _field(model_of(model), name)
    label = getattr(field, "verbose_name", None)
    if not label and getattr(field, "related_model", None) is not None:
        # A relation from the other side (an application's grant) has no name of its own:
        # it is named by the model it reaches.
        label = field.related_model._meta.verbose_name
    return str(label) if label else name


def currency_for(model: ModelRef, name: str, row: dict[str, Any] | None) -> str | None:
    """The currency an amount in `row` is in: its own ``<name>_currency`` column, else the
    record's ``currency``."""
    if not row:
        return None
    for key in (f"{name}_currency", "currency"):
        if row.get(key):
            return str(row[key])
    return None


def _is_money(model: type[models.Model] | None, field: Any, name: str) -> bool:
    if isinstance(field, Sealed):
        return field.kind is Decimal
    if not isinstance(field, models.DecimalField) or field.decimal_places != 2:
        return False
    return model is not None and any(
        _field(model, key) is not None for key in (f"{name}_currency", "currency")
    )


def money_text(value: Any, currency: str | None = None) -> str:
    """1234567.5 → 1,234,567.50 (with the currency code when given); text that is not a
    number (an amount masked when recorded) as it is."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def _date_text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    try:
        return datetime.date.fromisoformat(str(value)[:10]).strftime("%Y-%m-%d")
    except ValueError:
        return str(value)


def datetime_text(value: Any) -> str:
    """A moment as the file page shows it (local time, to the minute); text that is not one
    as it is."""
    moment = value
    if not isinstance(moment, datetime.datetime):
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


Names = dict[tuple[str, str], str]


def _name_of(obj: models.Model) -> str:
    return str(getattr(obj, "name", None) or obj)


def _related_name(related: type[models.Model], value: Any, names: Names | None) -> str:
    if names is not None:
        return names.get((related._meta.label_lower, str(value)), f"#{value}")
    obj = related._default_manager.filter(pk=value).first()
    return f"#{value}" if obj is None else _name_of(obj)


def related_names(rows: Iterable[tuple[ModelRef, dict[str, Any] | None]]) -> Names:
    """The names of the people, departments … the rows refer to, one query per related
    model, so that a page of many rows does not look each one up."""
    wanted: dict[type[models.Model], set[Any]] = {}
    for model, row in rows:
        cls = model_of(model)
        for name, value in (row or {}).items():
            field = _field(cls, name)
            related = getattr(field, "related_model", None)
            if related is not None and value not in (None, "") and not isinstance(value, list):
                wanted.setdefault(related, set()).add(value)
    names: Names = {}
    for related, ids in wanted.items():
        try:
            found = related._default_manager.in_bulk(list(ids))
        except (ValueError, TypeError):  # an id of the wrong type in an old record
            continue
        label = related._meta.label_lower
        names.update({(label, str(pk)): _name_of(obj) for pk, obj in found.items()})
    return names


def display_value(
    model: ModelRef,
    name: str,
    value: Any,
    *,
    currency: str | None = None,
    reveal: bool = False,
    masked: bool = False,
    names: Names | None = None,
) -> str:
    """A stored value as the file page shows it.

    Sealed values are masked unless `reveal`; `masked` says the value was masked when it
    was stored (the audit trail), so it is shown as it is. `names` (from `related_names`)
    spares a query per referenced person or department.
    """
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    cls = model_of(model)
    field = _field(cls, name)
    if isinstance(field, Sealed):
        if masked:
            return str(value)
        if not reveal:
            return mask(name, value) or EMPTY
        if field.kind is Decimal:
            return money_text(value, currency)
        if field.kind is datetime.date:
            return _date_text(value)
        if name in {"phone", "mobile"}:
            return format_phone(str(value))
        return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field is None:
        return str(value)
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(field.flatchoices).get(value, value))
    if _is_money(cls, field, name):
        return money_text(value, currency)
    if isinstance(field, models.DecimalField):
        return money_text(value) if field.decimal_places == 2 else str(value)
    if isinstance(field, models.DateTimeField):
        return datetime_text(value)
    if isinstance(field, models.DateField):
        return _date_text(value)
    related = getattr(field, "related_model", None)
    if related is not None and not isinstance(value, models.Model):
        return _related_name(related, value, names)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its name, translated label and both values for display."""

    name: str
    label: str
    before: str
    after: str


def field_changes(
    model: ModelRef,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    hidden: frozenset[str] | set[str] = frozenset(),
    reveal: bool = False,
    masked: bool = False,
    names: Names | None = None,
) -> list[FieldChange]:
    """The fields whose values differ between two stored rows, in the rows' order."""
    before, after = before or {}, after or {}
    fields = [n for n in dict.fromkeys([*before, *after]) if n not in hidden]
    return [
        FieldChange(
            name=n,
            label=field_label(model, n),
            before=display_value(
                model,
                n,
                before.get(n),
                currency=currency_for(model, n, before),
                reveal=reveal,
                masked=masked,
                names=names,
            ),
            after=display_value(
                model,
                n,
                after.get(n),
                currency=currency_for(model, n, after),
                reveal=reveal,
                masked=masked,
                names=names,
            ),
        )
        for n in fields
        if before.get(n) != after.get(n)
    ]
