"""Recording audit events. Call inside the transaction of the change being recorded.

`audit_record` is the only writer of the trail. It takes the chain head's row lock, so call
it after the row locks of the change it records: one lock order, no deadlocks.
"""

from __future__ import annotations

import datetime
import ipaddress
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from credfile.audit.chain import GENESIS_HASH
from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent, AuditHead
from credfile.core.identifiers import is_resident_id, try_phone
from credfile.core.masking import (
    mask_amount,
    mask_card,
    mask_id_number,
    mask_passport,
    mask_phone,
)
from credfile.core.middleware import current_request_context
from credfile.core.sealed import sealed_attributes


def _hide(value: str) -> str:
    return mask_amount(value)


# Keys whose values never reach the trail in clear (JR/T 0171 C2 data), with how each is
# masked. Their encrypted (`_enc`) and blind-index (`_bidx`) columns are dropped altogether:
# a ciphertext tells an auditor nothing, and a blind index would let one link records.
_MASKERS = {
    "id_number": mask_id_number,
    "passport_number": mask_passport,
    "phone": mask_phone,
    "mobile": mask_phone,
    "birth_date": _hide,
    "bank_account": mask_card,
    "annual_income": _hide,
    "total_assets": _hide,
    "total_liabilities": _hide,
}
SENSITIVE_FIELDS = frozenset(_MASKERS)
AMOUNT_FIELDS = frozenset({"annual_income", "total_assets", "total_liabilities"})
DROPPED_FIELDS = frozenset(
    f"{name}{suffix}" for name in SENSITIVE_FIELDS for suffix in ("_enc", "_bidx")
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, float):
        # PostgreSQL's jsonb may give a float back as an int (1e20); a string reads back
        # as written, so the event's hash still matches.
        return repr(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return value


def mask_sensitive(value: Any, *, amounts: frozenset[str] | set[str] | None = None) -> Any:
    """A copy of a JSON-ready value with sensitive keys masked at any depth; of the amount
    keys, only those in `amounts` (all by default)."""
    hidden_amounts = AMOUNT_FIELDS if amounts is None else amounts
    if isinstance(value, dict):
        masked: dict[str, Any] = {}
        for key, item in value.items():
            if key in DROPPED_FIELDS:
                continue
            if key in SENSITIVE_FIELDS and (key not in AMOUNT_FIELDS or key in hidden_amounts):
                masked[key] = _mask_value(key, item)
            else:
                masked[key] = mask_sensitive(item, amounts=amounts)
        return masked
    if isinstance(value, list):
        return [mask_sensitive(item, amounts=amounts) for item in value]
    return value


def _mask_value(key: str, value: Any) -> Any:
    if value is None or value == "":
        # That a field was empty is no secret, and shows when it was first filled in.
        return value
    if isinstance(value, dict | list):
        return _hide("*")
    return _MASKERS[key](str(value))


def mask_free_text(text: str) -> str:
    """Text typed by someone (a username tried at log-in) that may be an ID or phone number."""
    compact = text.replace(" ", "").upper()
    if len(compact) == 18 and is_resident_id(compact):
        return mask_id_number(compact)
    phone = try_phone(text)
    if phone:
        return mask_phone(phone)
    return text


def model_snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The field values of a row, JSON-ready; sealed values in plain (the audit record masks
    them), their ciphertext and blind index left out."""
    if fields is None:
        sealed = sealed_attributes(type(obj))
        hidden = {a for s in sealed for a in (s.enc_attr, s.bidx_attr)}
        fields = [f.attname for f in obj._meta.concrete_fields if f.attname not in hidden]
        fields += [s.name for s in sealed]
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def _clean_ip(value: str | None) -> str | None:
    # Stored in the form the database gives back, so the hash recomputes the same.
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # A new or flushed database: start the head where the trail ends. Two writers may both
    # get here; the primary key lets one insert, and the other then waits for its lock.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash", "occurred_at").first()
    try:
        with transaction.atomic():
            AuditHead.objects.create(
                pk=1,
                seq=last[0] if last else 0,
                hash=last[1] if last else GENESIS_HASH,
                occurred_at=last[2] if last else None,
            )
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update().get(pk=1)


def audit_hold() -> None:
    """Hold the chain head until the transaction ends: no event is appended meanwhile by
    anyone else. For a writer that must read the trail and then append to it consistently
    (a destruction certificate listing the events it erases)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("audit_hold needs a transaction")
    _locked_head()


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    customer_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain. `obj` names the object; without one (a failed log-in
    with an unknown name, an export) give `object_type` and `object_repr`. `actor_label`
    names an actor who is not a signed-in user (default "system")."""
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    # Amount keys (total_assets …) are personal only where the model seals them (an
    # individual's position), not on an organisation's financial statement.
    sealed_amounts = (
        {a.name for a in sealed_attributes(type(obj))} & AMOUNT_FIELDS
        if obj is not None
        else AMOUNT_FIELDS
    )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)
    head = _locked_head()
    # Never earlier than the event before it, so time order is seq order and a date range
    # is a seq range (a server whose clock is behind gives its event the previous time).
    now = timezone.now()
    if head.occurred_at is not None and now < head.occurred_at:
        now = head.occurred_at
    event = AuditEvent(
        seq=head.seq + 1,
        prev_hash=head.hash,
        occurred_at=now,
        actor=actor if authenticated else None,
        actor_label=(str(actor) if authenticated else actor_label or "system")[:150],
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:40],
        object_repr=object_repr[:200],
        customer_id=customer_id,
        before=mask_sensitive(_jsonable(before), amounts=sealed_amounts)
        if before is not None
        else None,
        after=mask_sensitive(_jsonable(after), amounts=sealed_amounts)
        if after is not None
        else None,
        ip=_clean_ip(context.ip) if context else None,
        request_id=context.request_id if context else "",
    )
    event.seal_content()
    event.hash = event.compute_hash()
    event.save()
    head.seq, head.hash, head.occurred_at = event.seq, event.hash, event.occurred_at
    head.save(update_fields=["seq", "hash", "occurred_at"])
    return event


@transaction.atomic
def audit_record_many(
    *,
    actor: Any,
    action: str,
    objects: list[models.Model],
    after: list[dict[str, Any]],
    customer_ids: list[int] | None = None,
) -> int:
    """Append one event per object, in order, with one insert: for records created in bulk
    (an import), each still its own link of the chain. The file of each is its
    `customer_id` (or itself, for a file) unless `customer_ids` gives them. Returns the number
    written."""
    if not objects:
        return 0
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    head = _locked_head()
    now = timezone.now()
    if head.occurred_at is not None and now < head.occurred_at:
        now = head.occurred_at
    seq, prev = head.seq, head.hash
    events = []
    for position, (obj, data) in enumerate(zip(objects, after, strict=True)):
        sealed_amounts = {a.name for a in sealed_attributes(type(obj))} & AMOUNT_FIELDS
        seq += 1
        event = AuditEvent(
            seq=seq,
            prev_hash=prev,
            occurred_at=now,
            actor=actor if authenticated else None,
            actor_label=(str(actor) if authenticated else "system")[:150],
            action=action,
            object_type=obj._meta.label_lower[:60],
            object_id=str(obj.pk or "")[:40],
            object_repr=str(obj)[:200],
            customer_id=customer_ids[position]
            if customer_ids is not None
            else getattr(obj, "customer_id", None)
            or (obj.pk if obj._meta.label_lower == "customers.customer" else None),
            after=mask_sensitive(_jsonable(data), amounts=sealed_amounts),
            ip=_clean_ip(context.ip) if context else None,
            request_id=context.request_id if context else "",
        )
        event.seal_content()
        event.hash = event.compute_hash()
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    head.seq, head.hash, head.occurred_at = seq, prev, now
    head.save(update_fields=["seq", "hash", "occurred_at"])
    return len(events)


def audit_login_failed(*, username: str, account: models.Model | None, via: str = "") -> AuditEvent:
    """A refused log-in: the name that was tried (masked if it is an ID or phone number) and
    the account it names, if there is one, and the single sign-on it came through. Never the
    password."""
    tried = mask_free_text(username.strip())[:150]
    return audit_record(
        actor=None,
        actor_label="anonymous",
        action=AuditAction.LOGIN_FAILED,
        obj=account,
        object_type="accounts.user",
        object_repr=tried,
        after={"username": tried, "via": via} if via else {"username": tried},
    )


def audit_access_denied(
    *, actor: Any, obj: models.Model, customer_id: int | None, requested: str, use: str = ""
) -> None:
    """Someone asked for an object that exists but is outside what they may do with it."""
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=obj,
        customer_id=customer_id,
        after={"requested": requested, "use": use} if use else {"requested": requested},
    )


def audit_export_record(*, actor: Any, file_format: str, filters: dict[str, str]) -> AuditEvent:
    """An export of the trail: who took which part of it, in which format."""
    return audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=AuditEvent._meta.label_lower,
        object_repr=f"audit trail ({file_format})",
        after={"format": file_format, "filters": filters},
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
