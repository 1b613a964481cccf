"""The hash chain over the audit trail: how an event's hash is computed and how it is checked.

Each event's hash is SHA-256 over a canonical serialisation of its content and the previous
event's hash, so changing, removing, inserting or reordering any event breaks a link that
`verify_chain` finds. A digest (count, head seq and head hash) kept outside the database also
catches a rewrite that recomputed every later hash. See docs/audit.md.

The serialisation is a stored format: changing it invalidates every existing chain.

Erasable events (format 2): the hash covers, instead of the event's content (object_repr,
before, after), a salted SHA-256 of it, `content_digest`. Destroying a file under the
retention schedule erases that content and its salt but keeps the digest, so every link
still recomputes; the erasure is legitimate only where a later destruction certificate in
the chain names the event (`erased_in` is that certificate's seq, its `after` lists the
seqs it erased). The salt keeps a short erased value (a status, a date) from being
confirmed by guessing. Events written before format 2 (empty `content_digest`) hash their
content directly and are never erased.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
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
    "content_digest",
    "content_salt",
    "erased_in",
)
# Where the certificate lists the seqs it erased, in its `after`.
ERASED_KEY = "erased_events"


# Sorted keys, no spaces, UTF-8 as is. One encoder for all: json.dumps with options builds a new
# one per call, which is a good part of the cost of verifying millions of events.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def content_hash(*, salt: str, object_repr: str, before: Any, after: Any) -> str:
    """The salted SHA-256 of an event's erasable content."""
    content = {"salt": salt, "object_repr": object_repr, "before": before, "after": after}
    return hashlib.sha256(_CANONICAL.encode(content).encode("utf-8")).hexdigest()


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
    content_digest: str = "",
) -> str:
    """SHA-256 (hex) of the sorted-key JSON of the event's content and its predecessor's hash;
    with a `content_digest`, of that digest in place of object_repr, before and after."""
    payload: dict[str, Any] = {
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
    if content_digest:
        del payload["object_repr"], payload["before"], payload["after"]
        payload["content"] = content_digest
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
        content_digest,
        _salt,
        _erased_in,
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
        content_digest=content_digest,
    )


def row_content_holds(row: tuple[Any, ...]) -> bool:
    """Whether a row's content matches its digest: recomputed while it is there; once erased,
    nothing of it may be left."""
    object_repr, before, after = row[10], row[12], row[13]
    content_digest, salt, erased_in = row[16], row[17], row[18]
    if not content_digest:
        return erased_in is None
    if erased_in is not None:
        return (
            erased_in > row[1] and not salt and not object_repr and before is None and after is None
        )
    return content_hash(salt=salt, object_repr=object_repr, before=before, after=after) == (
        content_digest
    )


# Why a link is broken, in the words the command prints.
CHANGED = "changed"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
TIME_REVERSED = "time_reversed"
HEAD_MISMATCH = "head_mismatch"
DIGEST_MISMATCH = "digest_mismatch"
TRUNCATED = "truncated"
UNCERTIFIED = "uncertified"


@dataclass
class Break:
    """The first place where the chain does not hold."""

    reason: str
    seq: int
    event_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Digest:
    """What the trail looked like when the digest was written: how many events, and the
    newest one's seq, hash, id and time. `key_id` and `mac` authenticate it
    (credfile.audit.digests); `source` is the file it was read from."""

    count: int
    head_seq: int
    head_hash: str
    created_at: str = ""
    head_id: int | None = None
    head_at: str = ""
    key_id: str = ""
    mac: str = ""
    source: str = ""

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
    digests_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else float(self.checked)


# fetch(after_seq, limit): up to `limit` rows (CHAIN_COLUMNS) with seq > after_seq, in seq order.
Fetch = Callable[[int, int], list[tuple[Any, ...]]]
# hashes_at(seqs): {seq: (event id, hash)} of those of the events that exist.
HashesAt = Callable[[list[int]], dict[int, tuple[int, str]]]


def check_digests(
    digests: Sequence[Digest], *, trail_end: int, hashes_at: HashesAt
) -> Break | None:
    """The first digest (lowest seq) the trail no longer holds: the trail must reach the
    digest's head seq and the event there must still have the digest's head hash.

    `trail_end` is the seq of the newest event. Every hash covers the one before it, so a
    rewrite of any event up to a digest's seq shows at that seq, however carefully the
    later hashes were recomputed; a trail that ends before it was cut back.
    """
    named = sorted((d for d in digests if d.head_seq > 0), key=lambda d: d.head_seq)
    found = hashes_at(sorted({d.head_seq for d in named if d.head_seq <= trail_end}))
    for digest in named:
        detail = {
            "expected": digest.head_hash,
            "found": None,
            "count": digest.count,
            "last_seq": trail_end,
            "written": digest.created_at,
            "source": digest.source,
        }
        event = found.get(digest.head_seq)
        if digest.head_seq > trail_end or event is None:
            return Break(TRUNCATED, digest.head_seq, None, detail)
        if event[1] != digest.head_hash:
            return Break(DIGEST_MISMATCH, digest.head_seq, event[0], {**detail, "found": event[1]})
    return None


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
    digests: Sequence[Digest] = (),
    hashes_at: HashesAt | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Recompute every link in seq order and stop at the first that does not hold.

    `read_head` gives the (seq, hash) the head row holds now. It is read after the walk: an
    event commits together with the head that counts it, so the head is never behind the
    events seen. Events appended meanwhile are walked too, until walk and head agree.
    When the chain holds, every digest must hold too (`check_digests`, `hashes_at` reading
    the events they name).
    """
    result = VerifyResult()
    started = time.perf_counter()
    walker = _Walker()
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
    if result.broken is None:
        result.broken = walker.pending_erasure()
    result.seconds = time.perf_counter() - started
    result.last_seq = walker.last_seq
    result.last_hash = walker.prev_hash
    if result.broken is None and digests:
        if hashes_at is None:
            raise TypeError("checking digests needs hashes_at")
        result.broken = check_digests(digests, trail_end=walker.last_seq, hashes_at=hashes_at)
        result.digests_checked = len(digests) if result.broken is None else 0
    return result


class _Walker:
    """The state of a walk along the chain, so a second pass resumes where the first ended."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.prev_hash = GENESIS_HASH
        self.prev_row: tuple[Any, ...] | None = None
        # {certificate seq: {erased seq: event id}} not yet matched by their certificate.
        self.erased: dict[int, dict[int, int]] = {}

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
                    broken = self._check_erasure(row)
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

    def _check_erasure(self, row: tuple[Any, ...]) -> Break | None:
        """An erased event waits for its certificate, which must list it."""
        seq, after, erased_in = row[1], row[13], row[18]
        if erased_in is not None:
            self.erased.setdefault(erased_in, {})[seq] = row[0]
        waiting = self.erased.pop(seq, None)
        if waiting:
            listed = set(after.get(ERASED_KEY, ())) if isinstance(after, dict) else set()
            for erased_seq, event_id in sorted(waiting.items()):
                if erased_seq not in listed:
                    return Break(UNCERTIFIED, erased_seq, event_id, {"certificate": seq})
        return None

    def pending_erasure(self) -> Break | None:
        """An erased event whose certificate never came."""
        for certificate, waiting in sorted(self.erased.items()):
            erased_seq, event_id = min(waiting.items())
            return Break(UNCERTIFIED, erased_seq, event_id, {"certificate": certificate})
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
    if row_hash(row) != stored_hash or not row_content_holds(row):
        return Break(CHANGED, seq, event_id, {})
    if prev_row is not None and prev_row[16] and not row[16]:
        # Once events carry a content digest, a later one without is not one credfile wrote.
        return Break(CHANGED, seq, event_id, {})
    if prev_row is not None and occurred_at < prev_row[4]:
        return Break(TIME_REVERSED, seq, event_id, {})
    return None
