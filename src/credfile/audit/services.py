"""Recording audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models

from credfile.audit.models import AuditEvent
from credfile.core.middleware import current_request_context


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return value


def model_snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a row, JSON-ready."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    customer_id: int | None = None,
) -> AuditEvent:
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=str(actor) if authenticated else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        customer_id=customer_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=context.ip if context else None,
        request_id=context.request_id if context else "",
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
