"""The trail as a reader sees it: object types by their translated name, customers by code,
before/after values field by field (credfile.core.display) instead of raw JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.audit.models import AuditEvent
from credfile.core.display import (
    EMPTY,
    FieldChange,
    currency_for,
    datetime_text,
    display_value,
    field_label,
    has_field,
    model_of,
    related_names,
)

CUSTOMER_TYPE = "customers.customer"
# The actor label audit_record gives events without a signed-in user.
SYSTEM_ACTOR = "system"
# The labels of actors who are not users (audit_login_failed's "anonymous"), as stored.
_NO_USER: dict[str, Any] = {SYSTEM_ACTOR: _("system"), "anonymous": _("anonymous")}

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
    # What the object is, in the reader's language (the recorded name where that is data).
    description: str

    @property
    def actor_text(self) -> str:
        """The actor's name; the system's own work (jobs, the demo loader) named as such."""
        if self.event.actor_id is None and self.event.actor_label in _NO_USER:
            return str(_NO_USER[self.event.actor_label])
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
    "audit_seq": _("audit event"),
    "erased_events": _("audit events erased"),
    "reapplies": _("re-applies certificate"),
    "reapplied_at": _("re-applied at"),
    "destruction_list": _("destruction list"),
    "audit_erased": _("audit events erased"),
    "audit_kept": _("audit events kept whole"),
    "notifications": _("notifications"),
    "versions": _("file versions"),
    "files": _("stored files"),
    "record": _("SHA-256 of the record"),
    "documents": _("documents"),
    "name": _("name"),
    "sha256": "SHA-256",
    "retired": _("retired keys"),
    "rows": _("rows"),
    "change": _("change"),
    "consent": _("consent"),
    "demo": _("demo data"),
    "seed": _("random seed"),
    "codes": _("customer codes"),
    "groups": _("customer groups"),
    "target": _("object"),
    "changes": _("changes"),
    "valid_until": _("valid until"),
    "grant_purpose": _("purpose of the grant"),
    "journal_synced": _("certificates added to the destruction journal"),
    "reveal": _("in clear"),
    "bytes": _("size in bytes"),
    "as_of": _("as of"),
    "departments": _("departments"),
    "export": _("export event"),
}

# Keys whose values an event records in its own terms (section codes, a target's label),
# read as such even where the object has a field of that name.
_OWN_TERMS = frozenset(
    {"section", "sections", "target", "changes", "rows", "requested", "grant", "consent"}
)

# Between the items of a list: 、 in Chinese.
LIST_SEPARATOR = pgettext_lazy("between the items of a list", ", ")

# What a refused request asked to do (`requested` of an access_denied event).
_REQUESTED: dict[str, Any] = {
    "view": _("view"),
    "create": _("create"),
    "change": _("change"),
    "delete": _("delete"),
    "export": _("export"),
    "reveal": _("reveal"),
    "report": _("credit report"),
}

# Records whose own name (their str) is made of ids and stored codes: described for the
# reader by the fields that identify them, each shown as the file page shows it. The state
# (a status) is left out: the row is read now, the event happened then.
_DESCRIBED_BY: dict[str, tuple[str, ...]] = {
    "access.usageapplication": ("customer", "applicant"),
    "access.accessgrant": ("user", "customer", "valid_until"),
    "changes.changerequest": ("customer", "field_group"),
    "changes.changenotification": ("recipient", "kind"),
    "reviews.review": ("customer", "reviewed_on", "conclusion"),
    "reviews.reviewschedule": ("customer",),
    "reviews.reviewpolicy": ("basis", "value", "cycle_months"),
    "consent.consent": ("customer", "purpose", "given_on"),
    "accounts.privilegechange": ("user", "before_role", "after_role"),
    "core.codesequence": ("name", "value"),
    "core.keyrotation": ("key_id",),
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
    "view": _("credit file"),
    "file report": _("the credit file as a PDF"),
    "api file report": _("API: the credit file as a PDF"),
    "portfolio summary": _("the portfolio summary PDF"),
}


def _section_text(code: Any) -> str:
    """A part of a file by the name applications use, else by the file page's title."""
    from credfile.access.choices import FileSection
    from credfile.customers.sections import section_get

    try:
        return str(FileSection(str(code)).label)
    except ValueError:
        section = section_get(str(code))
        return str(section.title) if section is not None else str(code)


def _joined(items: Iterable[Any]) -> str:
    return str(LIST_SEPARATOR).join(str(i) for i in items)


def _target(value: Any) -> tuple[type[models.Model] | None, str]:
    """`customers.customer:6` → (the model, "6"); a value of another form → (None, it)."""
    label, colon, pk = str(value).rpartition(":")
    model = model_of(label) if colon else None
    return (model, pk) if model is not None else (None, str(value))


def _target_text(value: Any, codes: dict[int, str]) -> str:
    """A record an event refers to: its type by name, a file by its code, others by id."""
    model, pk = _target(value)
    if model is None:
        return pk
    if model._meta.label_lower == CUSTOMER_TYPE and pk.isdigit() and int(pk) in codes:
        return f"{object_type_label(CUSTOMER_TYPE)} {codes[int(pk)]}"
    return f"{object_type_label(model._meta.label_lower)} #{pk}"


def _type_plural(label: str) -> str:
    model = model_of(label)
    if model is None:
        return label
    source = model._meta.auto_created
    if isinstance(source, type):
        # The table of a many-to-many relation (a file's tags) is named by the relation.
        for field in source._meta.many_to_many:
            if getattr(field.remote_field, "through", None) is model:
                return capfirst(str(field.verbose_name))
    return capfirst(str(model._meta.verbose_name_plural))


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


def _detail_value(
    key: str, value: Any, row: dict[str, Any], codes: dict[int, str] | None = None
) -> str:
    codes = codes or {}
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if key == "section":
        return _section_text(value)
    if key == "sections" and isinstance(value, list):
        return _joined(_section_text(v) for v in value)
    if key in {"use", "what"} and isinstance(value, str):
        return use_label(value)
    if key == "format" and value in {"pdf", "csv"}:
        # A file format is a code, written as such in either language.
        return str(value).upper()
    if key == "target":
        return _target_text(value, codes)
    if key in {"grant", "consent"} and isinstance(value, int) and not isinstance(value, bool):
        # The grant or consent a look relied on, by its number (what its own page shows).
        return f"#{value}"
    if key == "changes" and isinstance(value, dict):
        # A change request's proposal: the fields of the record it targets.
        model, _pk = _target(row.get("target", ""))
        if model is None:
            return _joined(f"{k}: {v}" for k, v in value.items())
        return _joined(
            f"{field_label(model, k)}: {display_value(model, k, v, masked=True)}"
            for k, v in value.items()
        )
    if key == "rows" and isinstance(value, dict):
        # Rows per kind of record, by the record's name (the trail's type labels).
        return _joined(f"{_type_plural(k)}: {v}" for k, v in value.items())
    if key == "requested" and isinstance(value, str):
        action, _space, section = value.partition(" ")
        text = str(_REQUESTED.get(action, action))
        return f"{text}: {_section_text(section)}" if section else text
    if key == "purpose" and isinstance(value, str):
        from credfile.consent.choices import ConsentPurpose

        # A credit report names the purpose its consent is for; a grant's is free text.
        if value in ConsentPurpose.values:
            return str(ConsentPurpose(value).label)
    if key in {"valid_until", "expires", "revoked_at"} and isinstance(value, str):
        return datetime_text(value)
    if key == "filters" and isinstance(value, dict):
        return _joined(f"{_filter_label(k)}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return _joined(value)
    if isinstance(value, dict):
        return _joined(f"{_nested_label(k)}: {_nested_value(v)}" for k, v in value.items())
    return str(value)


def _nested_label(key: str) -> str:
    """A key inside a recorded value: a known detail, or a model named by its label (a
    destruction certificate's rows per model), else the key itself."""
    if key in _DETAIL_LABELS:
        return str(_DETAIL_LABELS[key])
    if "." in key:
        from django.apps import apps

        try:
            return str(apps.get_model(key)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            pass
    return key


def _nested_value(value: Any, depth: int = 0) -> str:
    if isinstance(value, dict):
        inner = _joined(
            f"{_nested_label(k)}: {_nested_value(v, depth + 1)}" for k, v in value.items()
        )
        return f"({inner})" if depth else inner
    if isinstance(value, list):
        return _joined(_nested_value(item, depth + 1) for item in value)
    return str(value)


def _filter_label(name: str) -> str:
    from credfile.audit.forms import AuditFilterForm

    field = AuditFilterForm.base_fields.get(name)
    return str(field.label) if field is not None and field.label else name


def _changes(
    event: AuditEvent, names: dict[tuple[str, str], str], codes: dict[int, str]
) -> list[FieldChange]:
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
        if model is not None and has_field(model, key) and key not in _OWN_TERMS:
            # A field of the row: as the file page shows it; values were masked when recorded.
            label = field_label(model, key)
            shown = [
                # A JSON field's mapping (a certificate's counts and hashes): its keys named.
                (EMPTY if v in (None, {}, []) else _nested_value(v))
                if isinstance(v, dict | list)
                else display_value(
                    model, key, v, currency=currency_for(model, key, row), masked=True, names=names
                )
                for v, row in ((old, before), (new, after))
            ]
        else:
            if key in _DETAIL_LABELS or model is None or not has_field(model, key):
                label = str(_DETAIL_LABELS.get(key, key))
            else:
                label = field_label(model, key)
            shown = [_detail_value(key, old, before, codes), _detail_value(key, new, after, codes)]
        changes.append(FieldChange(key, label, shown[0], shown[1]))
    return changes


def _described_rows(events: list[AuditEvent]) -> dict[tuple[str, str], dict[str, Any]]:
    """The identifying fields of the described records the events name, one query per type
    of record (gone records are left out: their recorded name is shown)."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in _DESCRIBED_BY and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for label, ids in wanted.items():
        model = model_of(label)
        if model is None:
            continue
        try:
            fields = [model._meta.get_field(n) for n in _DESCRIBED_BY[label]]
        except FieldDoesNotExist:  # the model changed since: the recorded name is shown
            continue
        pk = model._meta.pk.attname
        columns = {f.name: getattr(f, "attname", f.name) for f in fields}
        try:
            found = list(model._default_manager.filter(pk__in=ids).values(pk, *columns.values()))
        except (ValueError, TypeError):  # an id of the wrong type in an old record
            continue
        for values in found:
            rows[(label, str(values[pk]))] = {n: values[c] for n, c in columns.items()}
    return rows


def _description(
    event: AuditEvent,
    described: dict[str, Any] | None,
    codes: dict[int, str],
    names: dict[tuple[str, str], str],
) -> str:
    after = event.after if isinstance(event.after, dict) else {}
    if event.object_type == CUSTOMER_TYPE and not event.object_id and after.get("demo"):
        # The demo loader's one event per batch of files.
        return str(_("demo data (%(codes)s)")) % {"codes": after.get("codes", "")}
    if described is None:
        return event.object_repr
    model = model_of(event.object_type)
    parts = []
    for name, value in described.items():
        if value is None or value == "":
            continue
        field = model._meta.get_field(name) if model is not None else None
        related = getattr(field, "related_model", None)
        if related is not None and related._meta.label_lower == CUSTOMER_TYPE:
            parts.append(codes.get(int(value), f"#{value}"))
        elif related is not None or getattr(field, "choices", None):
            parts.append(display_value(model or event.object_type, name, value, names=names))
        else:
            shown = display_value(model or event.object_type, name, value, names=names)
            parts.append(f"{field_label(model or event.object_type, name)} {shown}")
    return " · ".join(parts) or event.object_repr


def event_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    """The page's events, with customer codes and referenced names read in one query each."""
    events = list(events)
    described = _described_rows(events)
    ids: set[Any] = {e.customer_id for e in events if e.customer_id is not None}
    ids |= {e.object_id for e in events if e.object_type == CUSTOMER_TYPE and e.object_id}
    ids |= {row["customer"] for row in described.values() if row.get("customer") is not None}
    for event in events:
        for row in (event.before, event.after):
            if isinstance(row, dict) and "target" in row:
                model, pk = _target(row["target"])
                if model is not None and model._meta.label_lower == CUSTOMER_TYPE:
                    ids.add(pk)
    codes = customer_codes(ids)
    names = related_names(
        [
            *(
                (e.object_type, row)
                for e in events
                for row in (e.before, e.after)
                if isinstance(row, dict) and model_of(e.object_type) is not None
            ),
            *((label, row) for (label, _pk), row in described.items()),
        ]
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
                changes=_changes(event, names, codes),
                description=_description(
                    event, described.get((event.object_type, event.object_id)), codes, names
                ),
            )
        )
    return rows
