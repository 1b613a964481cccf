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
from credfile.core.display import (
    EMPTY,
    FieldChange,
    currency_for,
    display_value,
    field_label,
    has_field,
    model_of,
    related_names,
)

CUSTOMER_TYPE = "customers.customer"
# The actor label audit_record gives events without a signed-in user.
SYSTEM_ACTOR = "system"

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

    @property
    def actor_text(self) -> str:
        """The actor's name; the system's own work (jobs, the demo loader) named as such."""
        if self.event.actor_id is None and self.event.actor_label == SYSTEM_ACTOR:
            return str(_("system"))
        return self.event.actor_label

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


# What events record besides a row's fields: why a file was opened, what was refused …
_DETAIL_LABELS: dict[str, Any] = {
    "section": _("section"),
    "sections": _("sections"),
    "use": _("use"),
    "requested": _("requested"),
    "what": _("what"),
    "fields": _("fields"),
    "purpose": _("purpose"),
    "grant": _("grant"),
    "format": _("format"),
    "filters": _("filters"),
    "check": _("check"),
    "field": _("field"),
    "status": _("status"),
    "reason": _("reason"),
    "note": _("note"),
    "by": _("by"),
    "via": _("via"),
    "username": _("user name"),
    "user": _("user"),
    "kind": _("kind"),
    "token": _("token"),
    "expires": _("expires"),
    "revoked": _("revoked"),
    "revoked_at": _("revoked at"),
    "phase": _("phase"),
    "key": _("key"),
    "retired": _("retired keys"),
    "rows": _("rows"),
    "change": _("change"),
    "consent": _("consent"),
    "demo": _("demo data"),
    "seed": _("random seed"),
    "codes": _("customer codes"),
}

# The places a file is opened from (`use` of a read), named for the reader.
_USES: dict[str, Any] = {
    "file page": _("file page"),
    "review": _("review form"),
    "history": _("history"),
    "history diff": _("comparison of versions"),
    "as of": _("the file as of a date"),
    "api detail": _("API: the file"),
    "api history": _("API: history"),
}


def _section_text(code: Any) -> str:
    from credfile.access.choices import FileSection

    try:
        return str(FileSection(str(code)).label)
    except ValueError:
        return str(code)


def use_label(use: str) -> str:
    """`section contacts` → 查看“联系人”部分 / section: contacts …; unknown uses as recorded."""
    if use in _USES:
        return str(_USES[use])
    head, _space, rest = use.partition(" ")
    if head == "section" and rest:
        return str(_("section: %(section)s")) % {"section": _section_text(rest)}
    if head == "reveal" and rest:
        return str(_("reveal: %(section)s")) % {"section": _section_text(rest)}
    if head == "api" and rest:
        return str(_("API: %(section)s")) % {"section": _section_text(rest)}
    if use.startswith("change request ") and use.rsplit(" ", 1)[-1].isdigit():
        return str(_("change request #%(id)s")) % {"id": use.rsplit(" ", 1)[-1]}
    return use


def _detail_value(key: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if key == "section":
        return _section_text(value)
    if key == "sections" and isinstance(value, list):
        return "、".join(_section_text(v) for v in value)
    if key in {"use", "what"} and isinstance(value, str):
        return use_label(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _changes(event: AuditEvent, names: dict[tuple[str, str], str]) -> list[FieldChange]:
    before, after = event.before, event.after
    if not isinstance(before, dict | type(None)) or not isinstance(after, dict | type(None)):
        # Not a row's fields (a list, a value): shown as one line.
        return [FieldChange("", "", str(before or EMPTY), str(after or EMPTY))]
    before, after = before or {}, after or {}
    model = model_of(event.object_type) if event.object_type else None
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in _HIDDEN or old == new:
            continue
        if model is not None and has_field(model, key):
            # A field of the row: as the file page shows it; values were masked when recorded.
            label = field_label(model, key)
            shown = [
                display_value(
                    model, key, v, currency=currency_for(model, key, row), masked=True, names=names
                )
                for v, row in ((old, before), (new, after))
            ]
        else:
            label = str(_DETAIL_LABELS.get(key, key))
            shown = [_detail_value(key, old), _detail_value(key, new)]
        changes.append(FieldChange(key, label, shown[0], shown[1]))
    return changes


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
