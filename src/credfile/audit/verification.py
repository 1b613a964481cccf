"""Checking the whole chain on request (the auditor's button, `credfile audit verify`): what
was found, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from credfile.audit.chain import (
    CHANGED,
    DELETED,
    DIGEST_MISMATCH,
    HEAD_MISMATCH,
    INSERTED,
    REORDERED,
    TIME_REVERSED,
    TRUNCATED,
    UNCERTIFIED,
    Break,
)
from credfile.audit.digests import (
    DigestError,
    describe_digest_break,
    describe_problem,
    digests_scan,
)
from credfile.audit.selectors import chain_verify


def describe_break(broken: Break) -> str:
    """One sentence naming the first broken event and what was done to the trail."""
    values: dict[str, Any] = {"seq": broken.seq, "id": broken.event_id, **broken.detail}
    if broken.reason == CHANGED:
        return (
            _("Event seq %(seq)s (id %(id)s) was changed: its content no longer matches its hash.")
            % values
        )
    if broken.reason == DELETED:
        if broken.detail["missing_to"] > broken.seq:
            return (
                _(
                    "Events seq %(seq)s to %(missing_to)s are missing (deleted); the chain resumes "
                    "at seq %(next_seq)s (id %(next_id)s)."
                )
                % values
            )
        return (
            _(
                "Event seq %(seq)s is missing (deleted); the chain resumes at seq %(next_seq)s "
                "(id %(next_id)s)."
            )
            % values
        )
    if broken.reason == INSERTED:
        return (
            _(
                "Event seq %(seq)s (id %(id)s) was inserted: it and the event after it both link "
                "to the same predecessor."
            )
            % values
        )
    if broken.reason == REORDERED:
        return (
            _(
                "Event seq %(seq)s (id %(id)s) does not link to the event before it (prev_hash "
                "mismatch): an event was inserted before it, or events were swapped or moved."
            )
            % values
        )
    if broken.reason == TIME_REVERSED:
        return (
            _("Event seq %(seq)s (id %(id)s) is dated earlier than the event before it.") % values
        )
    if broken.reason == HEAD_MISMATCH and broken.detail["last_seq"] == broken.seq:
        return (
            _(
                "Event seq %(seq)s, the newest, does not have the hash its head records: it was "
                "rewritten, or the head was changed."
            )
            % values
        )
    if broken.reason == HEAD_MISMATCH:
        return (
            _(
                "The chain ends at seq %(last_seq)s but its head records seq %(head_seq)s: the "
                "newest events were deleted, or the head was changed."
            )
            % values
        )
    if broken.reason == UNCERTIFIED:
        return (
            _(
                "The content of event seq %(seq)s (id %(id)s) was erased, but the destruction "
                "certificate it names (seq %(certificate)s) does not list it."
            )
            % values
        )
    if broken.reason in (DIGEST_MISMATCH, TRUNCATED):
        why = describe_digest_break(broken)
        return why[:1].upper() + why[1:]
    return broken.reason


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of one verification of every link and every digest found."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    seconds: float
    problems: list[str] = field(default_factory=list)


def chain_check() -> ChainCheck:
    """Recompute every link of the trail and check it against the digests kept: the same
    check as `credfile audit verify`, without a digest file from elsewhere."""
    problems: list[str] = []
    try:
        scan = digests_scan()
    except DigestError as exc:
        scan = None
        problems.append(str(exc))
    result = chain_verify(digests=scan.to_check if scan is not None else ())
    if result.broken is not None:
        problems.insert(0, describe_break(result.broken))
    if scan is not None:
        problems += [describe_problem(p) for p in scan.problems]
    return ChainCheck(
        ok=not problems,
        checked=result.checked,
        last_seq=result.last_seq,
        last_hash=result.last_hash,
        seconds=result.seconds,
        problems=problems,
    )
