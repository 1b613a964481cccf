"""Reads of the audit trail: the auditor's filtered list and the chain checks."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from credfile.accounts.models import User
from credfile.audit.chain import (
    CHAIN_COLUMNS,
    GENESIS_HASH,
    Digest,
    VerifyResult,
    utc_iso,
    verify_chain,
)
from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent, AuditHead
from credfile.core import permissions
from credfile.customers.models import Customer

# Who reads the trail (the policy's answer). Everyone else gets a 404 for its pages, as for
# a file outside scope.
can_audit = permissions.can_audit


# The events that record a look at a credit file: opening it or a section, a use under a
# grant, a reveal, a credit report, an export of a person's data, a lookup naming it.
READ_ACTIONS = (
    AuditAction.VIEW,
    AuditAction.GRANT_USE,
    AuditAction.REVEAL,
    AuditAction.CREDIT_REPORT,
    AuditAction.EXPORT,
    AuditAction.LOOKUP,
)


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # username
    customer: str = ""  # customer id or customer code
    action: str = ""
    object_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # inclusive
    reads: bool = False  # only the looks at credit files (who looked at what)

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, for the record of an export."""
        values = {
            "actor": self.actor,
            "customer": self.customer,
            "action": self.action,
            "object_type": self.object_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "reads": "on" if self.reads else "",
        }
        return {k: v for k, v in values.items() if v}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _seq_range(filters: AuditFilters) -> tuple[int | None, int | None] | None:
    """The date range as a seq range; None when no event falls in it.

    The writer never dates an event earlier than the one before it, so events in a date range
    have consecutive seqs; two index lookups find the ends, and every (filter, seq) index then
    serves the range.
    """
    low = high = None
    if filters.date_from is not None:
        low = (
            AuditEvent.objects.filter(occurred_at__gte=_day_start(filters.date_from))
            .order_by("occurred_at", "seq")
            .values_list("seq", flat=True)
            .first()
        )
        if low is None:
            return None
    if filters.date_to is not None:
        end = _day_start(filters.date_to + datetime.timedelta(days=1))
        high = (
            AuditEvent.objects.filter(occurred_at__lt=end)
            .order_by("-occurred_at", "-seq")
            .values_list("seq", flat=True)
            .first()
        )
        if high is None:
            return None
    return low, high


def _customer_id(value: str) -> int | None:
    term = value.strip()
    if term.isdigit():
        return int(term)
    # A code: resolved to the file's id (a deleted file's events are found by its id).
    return Customer.objects.filter(code=term.upper()).values_list("pk", flat=True).first()


def audit_event_search(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events `user` may read that match `filters`, unordered (paginate by seq)."""
    nothing = AuditEvent.objects.none()
    if not can_audit(user):
        return nothing
    qs = AuditEvent.objects.all()
    if filters.actor.strip():
        actor_id = (
            User.objects.filter(username=filters.actor.strip()).values_list("pk", flat=True).first()
        )
        if actor_id is None:
            return nothing
        qs = qs.filter(actor_id=actor_id)
    if filters.customer.strip():
        customer_id = _customer_id(filters.customer)
        if customer_id is None:
            return nothing
        qs = qs.filter(customer_id=customer_id)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.reads:
        qs = qs.filter(action__in=READ_ACTIONS, customer_id__isnull=False)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.date_from is not None or filters.date_to is not None:
        bounds = _seq_range(filters)
        if bounds is None:
            return nothing
        low, high = bounds
        if low is not None:
            qs = qs.filter(seq__gte=low)
        if high is not None:
            qs = qs.filter(seq__lte=high)
    return qs


def chain_head() -> tuple[int, str] | None:
    return AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()


def _chain_sql() -> str:
    quote = connection.ops.quote_name
    fields = [AuditEvent._meta.get_field(name) for name in CHAIN_COLUMNS]
    columns = ", ".join(quote(f.column or f.name) for f in fields if isinstance(f, models.Field))
    table, seq = quote(AuditEvent._meta.db_table), quote("seq")
    return f"SELECT {columns} FROM {table} WHERE {seq} > %s ORDER BY {seq} LIMIT %s"


def _as_orm_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as the ORM would give it: aware datetime, decoded JSON, address as text."""
    values = list(row)
    occurred_at, before, after, ip = values[4], values[12], values[13], values[14]
    if isinstance(occurred_at, str):
        occurred_at = datetime.datetime.fromisoformat(occurred_at)
    if occurred_at.tzinfo is None:  # SQLite keeps UTC without an offset
        values[4] = occurred_at.replace(tzinfo=datetime.UTC)
    if isinstance(before, str):  # JSON text: SQLite, and jsonb as Django has it loaded
        values[12] = json.loads(before)
    if isinstance(after, str):
        values[13] = json.loads(after)
    if ip is not None:
        values[14] = str(ip)
    return tuple(values)


def chain_verify(
    *,
    digest: Digest | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    sql = _chain_sql()

    def fetch(after_seq: int, limit: int) -> list[tuple[Any, ...]]:
        # Plain SQL: over millions of rows the ORM's per-value converters cost more than
        # the hashing does.
        with connection.cursor() as cursor:
            cursor.execute(sql, [after_seq, limit])
            return [_as_orm_values(row) for row in cursor.fetchall()]

    return verify_chain(
        fetch, read_head=chain_head, digest=digest, batch_size=batch_size, progress=progress
    )


def chain_digest() -> Digest:
    """Count, seq and hash of the newest event: keep it where the database's users cannot
    write, and `audit verify --digest` later proves nothing up to it was rewritten."""
    created_at = utc_iso(timezone.now())
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        return Digest(count=0, head_seq=0, head_hash=GENESIS_HASH, created_at=created_at)
    count = AuditEvent.objects.filter(seq__lte=last[0]).count()
    return Digest(count=count, head_seq=last[0], head_hash=last[1], created_at=created_at)
