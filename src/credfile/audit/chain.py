"""The hash chain over the audit trail: how an event's hash is computed and how it is checked.

Each event's hash is SHA-256 over a canonical serialisation of its content and the previous
event's hash, so changing, removing, inserting or reordering any event breaks a link that
`verify_chain` finds. A digest (count, head seq and head hash) kept outside the database also
catches a rewrite that recomputed every later hash. See docs/audit.md.

The serialisation is a stored format: changing it invalidates every existing chain.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64

# The stored columns the hash covers, in the order `values_list` reads them for verification.
CHAIN_COLUMNS = (
    "id",
    "seq",
    "prev_hash",
    "hash",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "customer_id",
    "before",
    "after",
    "ip",
    "request_id",
)


# Sorted keys, no spaces, UTF-8 as is. One encoder for all: json.dumps with options builds a new
# one per call, which is a good part of the cost of verifying millions of events.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    seq: int,
    prev_hash: str,
    occurred_at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    customer_id: int | None,
    before: Any,
    after: Any,
    ip: str | None,
    request_id: str,
) -> str:
    """SHA-256 (hex) of the sorted-key JSON of the event's content and its predecessor's hash."""
    payload = {
        "seq": seq,
        "prev_hash": prev_hash,
        "occurred_at": utc_iso(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "customer_id": customer_id,
        "before": before,
        "after": after,
        "ip": ip,
        "request_id": request_id,
    }
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


def row_hash(row: tuple[Any, ...]) -> str:
    """The hash a row read with CHAIN_COLUMNS should carry."""
    (
        _id,
        seq,
        prev_hash,
        _hash,
        occurred_at,
        actor_id,
        actor_label,
        action,
        object_type,
        object_id,
        object_repr,
        customer_id,
        before,
        after,
        ip,
        request_id,
    ) = row
    return event_hash(
        seq=seq,
        prev_hash=prev_hash,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        customer_id=customer_id,
        before=before,
        after=after,
        ip=ip,
        request_id=request_id,
    )


# Why a link is broken, in the words the command prints.
CHANGED = "changed"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
TIME_REVERSED = "time_reversed"
HEAD_MISMATCH = "head_mismatch"
DIGEST_MISMATCH = "digest_mismatch"


@dataclass
class Break:
    """The first place where the chain does not hold."""

    reason: str
    seq: int
    event_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Digest:
    count: int
    head_seq: int
    head_hash: str
    created_at: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "created_at": self.created_at,
        }


@dataclass
class VerifyResult:
    checked: int = 0
    seconds: float = 0.0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    broken: Break | None = None
    digest_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else float(self.checked)


# fetch(after_seq, limit): up to `limit` rows (CHAIN_COLUMNS) with seq > after_seq, in seq order.
Fetch = Callable[[int, int], list[tuple[Any, ...]]]


def _batches(fetch: Fetch, after_seq: int, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows after `after_seq` in seq order, `batch_size` at a time: keyset batches, so memory
    stays constant and each batch is one index range scan, however long the trail."""
    last = after_seq
    while True:
        rows = fetch(last, batch_size)
        if not rows:
            return
        yield rows
        last = rows[-1][1]


def verify_chain(
    fetch: Fetch,
    *,
    read_head: Callable[[], tuple[int, str] | None],
    digest: Digest | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Recompute every link in seq order and stop at the first that does not hold.

    `read_head` gives the (seq, hash) the head row holds now. It is read after the walk: an
    event commits together with the head that counts it, so the head is never behind the
    events seen. Events appended meanwhile are walked too, until walk and head agree.
    """
    result = VerifyResult()
    started = time.perf_counter()
    walker = _Walker(digest)
    while True:
        found = walker.walk(fetch, batch_size, result, progress)
        if result.broken is not None:
            break
        head = read_head()
        if head is None or head[0] == walker.last_seq:
            if head is not None and head[1] != walker.prev_hash:
                result.broken = Break(
                    HEAD_MISMATCH, head[0], None, {"last_seq": walker.last_seq, "head_seq": head[0]}
                )
            break
        if head[0] < walker.last_seq:
            # An event the writer never counted: put in by hand after the newest one.
            first_uncounted = fetch(head[0], 1)
            event_id = first_uncounted[0][0] if first_uncounted else None
            result.broken = Break(INSERTED, head[0] + 1, event_id, {})
            break
        if not found:
            # The head counts events that are no longer there: the newest were removed,
            # which leaves no gap for the walk to see.
            result.broken = Break(
                HEAD_MISMATCH, head[0], None, {"last_seq": walker.last_seq, "head_seq": head[0]}
            )
            break
    result.seconds = time.perf_counter() - started
    result.last_seq = walker.last_seq
    result.last_hash = walker.prev_hash
    if result.broken is None and digest is not None and not walker.digest_seen:
        # The digest names an event that is gone: the trail was cut back below it.
        result.broken = Break(
            DIGEST_MISMATCH, digest.head_seq, None, {"expected": digest.head_hash, "found": None}
        )
    result.digest_checked = digest is not None and result.broken is None
    return result


class _Walker:
    """The state of a walk along the chain, so a second pass resumes where the first ended."""

    def __init__(self, digest: Digest | None) -> None:
        self.digest = digest
        self.last_seq = 0
        self.prev_hash = GENESIS_HASH
        self.prev_row: tuple[Any, ...] | None = None
        # A digest of the empty trail names no event: it holds if it has the genesis hash.
        self.digest_seen = (
            digest is not None and digest.head_seq == 0 and digest.head_hash == GENESIS_HASH
        )

    def walk(
        self,
        fetch: Fetch,
        batch_size: int,
        result: VerifyResult,
        progress: Callable[[int], None] | None,
    ) -> bool:
        """Check the events after the last one checked; whether there were any."""
        found = False
        for rows in _batches(fetch, self.last_seq, batch_size):
            found = True
            for row in rows:
                broken = _check_row(row, self.last_seq + 1, self.prev_hash, self.prev_row)
                if broken is None:
                    broken = self._check_digest(row)
                if broken is not None:
                    result.broken = broken
                    return found
                result.checked += 1
                self.last_seq = row[1]
                self.prev_hash = row[3]
                self.prev_row = row
            if progress is not None:
                progress(result.checked)
        return found

    def _check_digest(self, row: tuple[Any, ...]) -> Break | None:
        if self.digest is None or row[1] != self.digest.head_seq:
            return None
        self.digest_seen = True
        if row[3] != self.digest.head_hash:
            return Break(
                DIGEST_MISMATCH,
                row[1],
                row[0],
                {"expected": self.digest.head_hash, "found": row[3]},
            )
        return None


def _check_row(
    row: tuple[Any, ...], expected_seq: int, prev_hash: str, prev_row: tuple[Any, ...] | None
) -> Break | None:
    event_id, seq, row_prev_hash, stored_hash, occurred_at = row[:5]
    if seq != expected_seq:
        # Name the first missing seq; the event found in its place is where the chain resumes.
        return Break(
            DELETED,
            expected_seq,
            None,
            {"missing_to": seq - 1, "next_seq": seq, "next_id": event_id},
        )
    if row_prev_hash != prev_hash:
        if prev_row is not None and row_prev_hash == prev_row[2]:
            # Both claim the same predecessor: the one before this one was slipped in between.
            return Break(INSERTED, prev_row[1], prev_row[0], {})
        return Break(REORDERED, seq, event_id, {"expected": prev_hash, "found": row_prev_hash})
    if row_hash(row) != stored_hash:
        return Break(CHANGED, seq, event_id, {})
    if prev_row is not None and occurred_at < prev_row[4]:
        return Break(TIME_REVERSED, seq, event_id, {})
    return None
