"""Reads of a file's history: its versions, the file as it was at a time, differences.

The caller has obtained the customer through `customer_get` (the user's scope) first.

"As of" a time, the file is, for each of its objects, the latest version recorded up to that
time (one query: DISTINCT ON on PostgreSQL, GROUP BY max elsewhere), unless that version is
a deletion; objects with no version at all (loaded in bulk, never changed) are their live
rows if they existed by then.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from credfile.accounts.models import Department, User
from credfile.core import display as core_display
from credfile.core.sealed import sealed_attributes
from credfile.history.choices import Operation
from credfile.history.models import SYSTEM_ACTORS, FileVersion
from credfile.history.services import CUSTOMER_LABEL, RECORD_MODELS, file_snapshot, record_model

Key = tuple[str, int]
# Bookkeeping columns a reader does not need to see in a difference.
HIDDEN_FIELDS = frozenset({"id", "uid", "customer_id", "name_key", "created_at", "updated_at"})


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the configured time zone."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_current_timezone())


# --- the file at a time -------------------------------------------------------------------------


@dataclass
class FileState:
    """Every object of one file at a moment: snapshots by (model label, id)."""

    customer_id: int
    until: datetime.datetime
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    version: int | None = None

    def of(self, label: str) -> dict[int, dict[str, Any]]:
        return {pk: data for (kind, pk), data in self.objects.items() if kind == label}

    @property
    def exists(self) -> bool:
        return (CUSTOMER_LABEL, self.customer_id) in self.objects


def latest_versions(customer_id: int, until: datetime.datetime) -> list[FileVersion]:
    """The newest version of each object of the file recorded up to `until`, in one query."""
    base = FileVersion.objects.filter(customer_id=customer_id, changed_at__lte=until)
    if connection.vendor == "postgresql":
        rows = base.order_by("object_type", "object_id", "-id").distinct("object_type", "object_id")
        return list(rows)
    last = base.values("object_type", "object_id").annotate(last=Max("id")).values("last")
    return list(FileVersion.objects.filter(id__in=Subquery(last)))


def file_state(customer_id: int, until: datetime.datetime) -> FileState:
    state = FileState(customer_id=customer_id, until=until)
    versions = latest_versions(customer_id, until)
    for row in versions:
        if row.operation != Operation.DELETE:
            state.objects[(row.object_type, row.object_id)] = row.data
    state.version = max((r.version for r in versions), default=None)
    # Objects without any version have not changed since they were created.
    labels = [CUSTOMER_LABEL, *RECORD_MODELS]
    for label in labels:
        model = record_model(label)
        versioned = FileVersion.objects.filter(customer_id=customer_id, object_type=label).values(
            "object_id"
        )
        if label == CUSTOMER_LABEL:
            live = model._default_manager.filter(pk=customer_id, created_at__lte=until)
        elif label == "transactions.paymentallocation":
            # Through the file's payments of the moment, by id: an index lookup whatever
            # the planner's statistics say (a join may scan every allocation).
            payments = [pk for kind, pk in state.objects if kind == "transactions.payment"]
            live = model._default_manager.filter(payment_id__in=payments)
        else:
            _app, _model, path, created = RECORD_MODELS[label]
            live = model._default_manager.filter(**{path: customer_id, f"{created}__lte": until})
        for obj in live.exclude(pk__in=versioned):
            state.objects[(label, obj.pk)] = file_snapshot(obj)
            if label == CUSTOMER_LABEL:
                state.version = state.version or obj.version  # type: ignore[attr-defined]
    return state


def version_time(customer_id: int, version: int) -> datetime.datetime | None:
    """When the file reached `version`: the latest change recorded at or below it."""
    moment: datetime.datetime | None = FileVersion.objects.filter(
        customer_id=customer_id, version__lte=version
    ).aggregate(t=Max("changed_at"))["t"]
    return moment


def file_state_at_version(customer_id: int, version: int) -> FileState | None:
    moment = version_time(customer_id, version)
    current = (
        record_model(CUSTOMER_LABEL)
        ._default_manager.filter(pk=customer_id)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or not 1 <= version <= current:
        return None
    if version == current:
        # The current version is the file as it is, recorded or not.
        moment = timezone.now()
    if moment is None:
        return None
    state = file_state(customer_id, moment)
    state.version = version
    return state


# --- model instances from snapshots, for the section templates ----------------------------------


def instance_from(label: str, data: dict[str, Any]) -> models.Model:
    """An unsaved model instance holding a snapshot's values, typed as the model reads them."""
    model = record_model(label)
    concrete = {f.attname: f for f in model._meta.concrete_fields}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        model_field = concrete.get(name)
        if model_field is not None:
            kwargs[name] = None if value is None else model_field.to_python(value)
    obj = model(**kwargs)
    for sealed in sealed_attributes(model):
        if sealed.name in data:
            setattr(obj, sealed.name, data[sealed.name])
    return obj


def _sort(objs: list[models.Model]) -> list[models.Model]:
    """In the model's own ordering (Meta.ordering), as its live lists are."""
    if not objs:
        return objs
    for term in reversed([str(t) for t in objs[0]._meta.ordering or ["id"]]):
        name = term.lstrip("-")

        def key(obj: models.Model, name: str = name) -> tuple[bool, Any]:
            value = getattr(obj, name)
            return (value is None, 0 if value is None else value)

        objs.sort(key=key, reverse=term.startswith("-"))
    return objs


@dataclass
class FileAsOf:
    """A file rebuilt from its history, with what the section templates need."""

    state: FileState
    customer: Any
    tags: list[str]
    records: dict[str, list[Any]]


def file_as_of(state: FileState) -> FileAsOf | None:
    data = state.objects.get((CUSTOMER_LABEL, state.customer_id))
    if data is None:
        return None
    customer = instance_from(CUSTOMER_LABEL, data)
    records: dict[str, list[Any]] = {
        label: _sort([instance_from(label, d) for d in state.of(label).values()])
        for label in RECORD_MODELS
    }
    everything = [customer, *(o for objs in records.values() for o in objs)]
    _attach_people(everything)
    invoices: dict[int, Any] = {i.pk: i for i in records["transactions.invoice"]}
    allocations: dict[int, list[Any]] = {}
    for allocation in records["transactions.paymentallocation"]:
        invoice = invoices.get(allocation.invoice_id)
        if invoice is not None:
            allocation.invoice = invoice
        allocations.setdefault(allocation.payment_id, []).append(allocation)
    model = record_model("transactions.paymentallocation")
    for payment in records["transactions.payment"]:
        cached: Any = model._default_manager.none()
        cached._result_cache = allocations.get(payment.pk, [])
        cached._prefetch_done = True
        payment._prefetched_objects_cache = {"allocations": cached}
    day = timezone.localtime(state.until).date()
    for invoice in invoices.values():
        # An invoice's state (open, overdue …) as it stood on that day.
        cls: Any = type(invoice)
        invoice.state = functools.partial(cls.state, invoice, day)
        invoice.days_past_due = functools.partial(cls.days_past_due, invoice, day)
    return FileAsOf(state=state, customer=customer, tags=data.get("tags", []), records=records)


def _attach_people(objs: Iterable[Any]) -> None:
    """Fill the user and department references of rebuilt objects with two queries."""
    objs = list(objs)
    user_ids: set[int] = set()
    department_ids: set[int] = set()
    for obj in objs:
        for f in obj._meta.concrete_fields:
            if not f.is_relation or getattr(obj, f.attname) is None:
                continue
            if f.related_model is User:
                user_ids.add(getattr(obj, f.attname))
            elif f.related_model is Department:
                department_ids.add(getattr(obj, f.attname))
    users = User.objects.in_bulk(user_ids)
    departments = Department.objects.in_bulk(department_ids)
    for obj in objs:
        for f in obj._meta.concrete_fields:
            value = getattr(obj, f.attname) if f.is_relation else None
            if value is None:
                continue
            if f.related_model is User and value in users:
                setattr(obj, f.name, users[value])
            elif f.related_model is Department and value in departments:
                setattr(obj, f.name, departments[value])


# --- differences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    before: str
    after: str


@dataclass
class ObjectDiff:
    object_type: str
    object_id: int
    object_repr: str
    kind_label: str
    change: str  # "added", "removed" or "changed"
    fields: list[FieldDiff]

    def as_json(self) -> dict[str, Any]:
        return {
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object": self.object_repr,
            "change": self.change,
            "fields": [
                {"field": f.name, "label": f.label, "from": f.before, "to": f.after}
                for f in self.fields
            ],
        }


def field_label(label: str, name: str) -> str:
    return core_display.field_label(record_model(label), name)


def display_value(
    label: str,
    name: str,
    value: Any,
    *,
    reveal: bool = False,
    row: dict[str, Any] | None = None,
) -> str:
    """A snapshot value as a reader sees it (credfile.core.display): sealed values masked
    unless revealed, choices by their label, people by name, money with its currency from
    `row`, the snapshot it belongs to."""
    model = record_model(label)
    currency = core_display.currency_for(model, name, row)
    return core_display.display_value(model, name, value, currency=currency, reveal=reveal)


@functools.lru_cache(maxsize=64)
def sealed_names(label: str) -> frozenset[str]:
    return frozenset(s.name for s in sealed_attributes(record_model(label)))


def diff_fields(
    label: str, before: dict[str, Any] | None, after: dict[str, Any] | None, *, reveal: bool = False
) -> list[FieldDiff]:
    hidden = set(HIDDEN_FIELDS)
    if label == CUSTOMER_LABEL:
        hidden.add("version")
    return [
        FieldDiff(name=c.name, label=c.label, before=c.before, after=c.after)
        for c in core_display.field_changes(
            record_model(label), before, after, hidden=hidden, reveal=reveal
        )
    ]


def _kind_label(label: str) -> str:
    return str(record_model(label)._meta.verbose_name)


def _repr(label: str, data: dict[str, Any]) -> str:
    try:
        return str(instance_from(label, data))
    except (ValueError, TypeError, ValidationError, LookupError):
        # A representation is a convenience, never an error.
        return f"#{data.get('id', '')}"


def diff_states(a: FileState, b: FileState, *, reveal: bool = False) -> list[ObjectDiff]:
    """What differs between two states of one file, object by object."""
    diffs: list[ObjectDiff] = []
    order = [CUSTOMER_LABEL, *RECORD_MODELS]
    keys = sorted(set(a.objects) | set(b.objects), key=lambda k: (order.index(k[0]), k[1]))
    for key in keys:
        label, pk = key
        before, after = a.objects.get(key), b.objects.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        fields = diff_fields(label, before, after, reveal=reveal)
        if change == "changed" and not fields:
            continue
        diffs.append(
            ObjectDiff(
                object_type=label,
                object_id=pk,
                object_repr=_repr(label, after or before or {}),
                kind_label=_kind_label(label),
                change=change,
                fields=fields,
            )
        )
    return diffs


def changes_since(customer_id: int, version: int) -> dict[str, Any]:
    """What changed in a file after `version`, field by field (masked), for a conflict
    message: {"<type>:<id>:<field>": {object, field, label, before, after, version, by}}."""
    later = list(
        FileVersion.objects.filter(customer_id=customer_id, version__gt=version)
        .exclude(operation=Operation.BASELINE)
        .order_by("id")
        .values_list("object_type", "object_id", "version", "actor_label")
    )
    if not later:
        return {}
    moment = version_time(customer_id, version)
    before = file_state(customer_id, moment) if moment is not None else None
    now = file_state(customer_id, timezone.now())
    touched = {(t, i): (v, by) for t, i, v, by in later}
    result: dict[str, Any] = {}
    for diff in diff_states(before or FileState(customer_id, now.until), now):
        key = (diff.object_type, diff.object_id)
        if key not in touched:
            continue
        changed_in, by = touched[key]
        for f in diff.fields or [FieldDiff("", diff.change, "", "")]:
            result[f"{diff.object_type}:{diff.object_id}:{f.name}"] = {
                "object": f"{diff.kind_label} {diff.object_repr}",
                "field": f.name,
                "label": f.label,
                "before": f.before,
                "after": f.after,
                "version": changed_in,
                "by": str(SYSTEM_ACTORS.get(by, by)),
            }
    return result


# --- the list of versions -----------------------------------------------------------------------


def versions_queryset(customer_id: int) -> QuerySet[FileVersion]:
    return FileVersion.objects.filter(customer_id=customer_id).select_related(
        "actor", "approved_by"
    )


@dataclass
class VersionRow:
    version: FileVersion
    kind_label: str
    fields: list[FieldDiff]


def version_rows(versions: list[FileVersion]) -> list[VersionRow]:
    """Each version with what it changed against the object's previous version: the
    predecessors come in one query."""
    ids = [v.pk for v in versions]
    previous = (
        FileVersion.objects.filter(
            customer_id=OuterRef("customer_id"),
            object_type=OuterRef("object_type"),
            object_id=OuterRef("object_id"),
            id__lt=OuterRef("id"),
        )
        .order_by("-id")
        .values("id")[:1]
    )
    links = dict(
        FileVersion.objects.filter(id__in=ids)
        .annotate(prev=Subquery(previous))
        .values_list("id", "prev")
    )
    predecessors = FileVersion.objects.in_bulk([p for p in links.values() if p])
    rows = []
    for version in versions:
        prev = predecessors.get(links.get(version.pk) or 0)
        label = version.object_type
        try:
            kind = _kind_label(label)
        except (KeyError, LookupError):
            rows.append(VersionRow(version, label, []))
            continue
        if version.operation in {Operation.CREATE, Operation.BASELINE}:
            fields = diff_fields(label, None, version.data)
        elif version.operation == Operation.DELETE:
            fields = []
        else:
            fields = diff_fields(label, prev.data if prev else None, version.data)
        rows.append(VersionRow(version, kind, fields))
    return rows
