"""The trail as a reader sees it: object types by their translated name, customers by code,
before/after values field by field (credfile.core.display) instead of raw JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from credfile.audit.models import AuditEvent
from credfile.core.display import FieldChange, field_changes, model_of, related_names

CUSTOMER_TYPE = "customers.customer"

# Models of the libraries credfile uses, whose names those libraries do not translate.
LIBRARY_TYPES: dict[str, Any] = {
    "otp_totp.totpdevice": _("authenticator device"),
    "otp_static.staticdevice": _("backup codes"),
    "knox.authtoken": _("API token"),
    "auth.group": _("user group"),
    "auth.permission": _("permission"),
    "sessions.session": _("session"),
    "axes.accessattempt": _("log-in attempt"),
    "axes.accessfailurelog": _("log-in attempt"),
    "axes.accesslog": _("log-in record"),
}

# Bookkeeping a reader does not need in a difference (the values themselves are kept).
_HIDDEN = frozenset({"id", "uid", "name_key", "created_at", "updated_at", "version"})


def object_type_label(object_type: str) -> str:
    """`customers.customer` → 客户 / Customer; a type no longer known as it is stored."""
    if object_type in LIBRARY_TYPES:
        return capfirst(str(LIBRARY_TYPES[object_type]))
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(str(model._meta.verbose_name))


def action_label(action: str) -> str:
    from credfile.audit.choices import AuditAction

    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


def customer_codes(ids: Iterable[Any]) -> dict[int, str]:
    """{customer id: code} of the files named, in one query (gone files are left out)."""
    from credfile.customers.models import Customer

    wanted = {int(i) for i in ids if i not in (None, "") and str(i).isdigit()}
    if not wanted:
        return {}
    return dict(Customer.objects.filter(pk__in=wanted).values_list("pk", "code"))


@dataclass(frozen=True)
class EventRow:
    """One event with what the page shows of it."""

    event: AuditEvent
    type_label: str
    # The object's own code where it has one (a file), else its id.
    object_ref: str
    customer_code: str
    changes: list[FieldChange]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def _changes(event: AuditEvent, names: dict[tuple[str, str], str]) -> list[FieldChange]:
    before, after = event.before, event.after
    if not isinstance(before, dict | type(None)) or not isinstance(after, dict | type(None)):
        # Not a row's fields (a list, a value): shown as one line.
        return [FieldChange("", "", str(before or "—"), str(after or "—"))]
    model = model_of(event.object_type) if event.object_type else None
    # Values were masked when recorded: shown as stored.
    return field_changes(
        model or event.object_type, before, after, hidden=_HIDDEN, masked=True, names=names
    )


def event_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    """The page's events, with customer codes and referenced names read in one query each."""
    events = list(events)
    ids: set[Any] = {e.customer_id for e in events if e.customer_id is not None}
    ids |= {e.object_id for e in events if e.object_type == CUSTOMER_TYPE and e.object_id}
    codes = customer_codes(ids)
    names = related_names(
        (e.object_type, row)
        for e in events
        for row in (e.before, e.after)
        if isinstance(row, dict) and model_of(e.object_type) is not None
    )
    rows = []
    for event in events:
        ref = event.object_id
        if event.object_type == CUSTOMER_TYPE and ref and ref.isdigit():
            ref = codes.get(int(ref), "")
        rows.append(
            EventRow(
                event=event,
                type_label=object_type_label(event.object_type),
                object_ref=ref,
                customer_code=codes.get(event.customer_id, "") if event.customer_id else "",
                changes=_changes(event, names),
            )
        )
    return rows
