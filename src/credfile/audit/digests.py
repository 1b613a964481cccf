"""Signed digests of the audit trail: what anchors its end.

The hash chain shows any change inside the trail, but not that its newest events were deleted
and the head rewound to match (possible on SQLite, for anyone with the database file). A
digest records how far the trail reached — event count, the newest event's seq, hash, id and
time — and when it was written, authenticated with an HMAC under a key derived from the master
key of the key file (never in the database), so someone who has the database but not the key
file can neither forge one nor edit one. The daily job writes one into
`$CREDFILE_HOME/audit-digests/` and, when CREDFILE_AUDIT_DIGEST_COPY names a directory, a copy
there; `credfile audit verify` checks the trail against every digest it finds. See
docs/audit.md.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from credfile.audit.chain import GENESIS_HASH, Break, Digest, check_digests
from credfile.audit.models import AuditHead
from credfile.audit.selectors import chain_digest, event_hashes_at
from credfile.core.crypto import KeyRing, key_ring

log = logging.getLogger(__name__)

FORMAT = "credfile-audit-digest-2"
# Its own HKDF label: the digest key opens nothing else, and nothing else signs digests.
_DIGEST_KEY_INFO = b"credfile audit digest v1"
_FILE_GLOB = "digest-*.json"
_HEX64 = frozenset("0123456789abcdef")

# Why a digest file cannot be trusted.
FORGED = "forged"  # its MAC does not verify with the key it names
UNKNOWN_KEY = "unknown_key"  # it names a key this instance never had
DAMAGED = "damaged"  # not a digest at all

# How far a digest could be authenticated.
AUTHENTIC = "authentic"
RETIRED_KEY = "retired_key"  # signed with a key since retired: the MAC can no longer be checked
UNSIGNED = "unsigned"  # the older, unsigned format, given with --digest


class DigestError(Exception):
    """A digest file that cannot be read, or a digest that cannot be written."""


@dataclass(frozen=True)
class Problem:
    """A digest file that is forged or damaged."""

    path: str
    reason: str
    key_id: str = ""


@dataclass
class DigestScan:
    """The digests found, sorted by how far each can be trusted."""

    places: list[Path] = field(default_factory=list)
    authentic: list[Digest] = field(default_factory=list)
    retired_key: list[Digest] = field(default_factory=list)
    unsigned: list[Digest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def to_check(self) -> list[Digest]:
        """Every digest that is not forged: each must still hold. One whose key was retired
        or that was never signed cannot be forged into passing a truncated trail it does not
        match, so it is compared too."""
        return [*self.authentic, *self.retired_key, *self.unsigned]

    @property
    def newest(self) -> Digest | None:
        """The newest authenticated digest (by the time written), else the newest of any."""
        pool = self.authentic or self.to_check
        return max(pool, key=lambda d: d.created_at) if pool else None


def digest_places() -> list[Path]:
    """Where digests are kept: the instance directory, then the copy directory if set."""
    places = [Path(settings.CREDFILE_AUDIT_DIGEST_DIR)]
    copy = getattr(settings, "CREDFILE_AUDIT_DIGEST_COPY", None)
    if copy:
        places.append(Path(copy))
    return places


def _digest_key(ring: KeyRing, key_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DIGEST_KEY_INFO).derive(
        ring.keys[key_id]
    )


def _signed_fields(digest: Digest) -> dict[str, object]:
    return {
        "format": FORMAT,
        "count": digest.count,
        "head_seq": digest.head_seq,
        "head_hash": digest.head_hash,
        "head_id": digest.head_id,
        "head_at": digest.head_at,
        "created_at": digest.created_at,
        "key_id": digest.key_id,
    }


def _mac(ring: KeyRing, digest: Digest) -> str:
    message = json.dumps(_signed_fields(digest), sort_keys=True, separators=(",", ":"))
    return hmac.new(
        _digest_key(ring, digest.key_id), message.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def digest_sign(digest: Digest, *, ring: KeyRing | None = None) -> Digest:
    """The digest, signed with the active key of the ring."""
    ring = ring or key_ring()
    digest.key_id = ring.active
    digest.mac = _mac(ring, digest)
    return digest


def digest_authenticity(digest: Digest, *, ring: KeyRing | None = None) -> str:
    """AUTHENTIC, RETIRED_KEY, UNSIGNED, or why it is not to be trusted (FORGED, UNKNOWN_KEY)."""
    ring = ring or key_ring()
    if not digest.mac:
        return UNSIGNED
    if digest.key_id in ring.keys:
        return AUTHENTIC if hmac.compare_digest(_mac(ring, digest), digest.mac) else FORGED
    if digest.key_id in ring.retired:
        return RETIRED_KEY
    return UNKNOWN_KEY


def digest_text(digest: Digest) -> str:
    return json.dumps({**_signed_fields(digest), "mac": digest.mac}, indent=2) + "\n"


def _is_hash(value: str) -> bool:
    return len(value) == 64 and set(value) <= _HEX64


def digest_parse(text: str, *, source: str = "") -> Digest:
    """A digest from its JSON; ValueError if it is not one."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        digest = Digest(
            count=int(data["count"]),
            head_seq=int(data["head_seq"]),
            head_hash=str(data["head_hash"]),
            created_at=str(data.get("created_at", "")),
            source=source,
        )
        if "mac" in data or data.get("format") == FORMAT:
            if data.get("format") != FORMAT:
                raise ValueError("unknown format")
            head_id = data["head_id"]
            digest.head_id = None if head_id is None else int(head_id)
            digest.head_at = str(data["head_at"])
            digest.key_id = str(data["key_id"])
            digest.mac = str(data["mac"])
            if not digest.mac:
                raise ValueError("empty MAC")
    except (KeyError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    if (
        not _is_hash(digest.head_hash)
        or digest.head_seq < 0
        or not 0 <= digest.count <= digest.head_seq
        or (digest.head_seq == 0 and digest.head_hash != GENESIS_HASH)
    ):
        raise ValueError("values out of range")
    return digest


def digest_read(path: Path) -> Digest:
    """The digest in a file; DigestError if it cannot be read, ValueError if not a digest."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DigestError(
            _("Cannot read the digest %(path)s: %(error)s") % {"path": path, "error": reason}
        ) from exc
    return digest_parse(text, source=str(path))


def digests_scan(*, extra: list[Path] | None = None, newest: int | None = None) -> DigestScan:
    """Every digest in the digest places (only the `newest` files of each, when given; names
    sort by time) and the files in `extra`, each authenticated.

    A file in `extra` that is no digest raises ValueError; one in the places is a problem
    found, like a forged one. The same digest kept in both places counts once.
    """
    ring = key_ring()
    scan = DigestScan(places=digest_places())
    seen: set[str] = set()
    paths = [
        path
        for place in scan.places
        if place.is_dir()
        for path in sorted(place.glob(_FILE_GLOB))[-(newest or 0) :]
    ]
    for path in [*paths, *(extra or [])]:
        try:
            digest = digest_read(path)
        except ValueError:
            if path in (extra or []):
                raise
            scan.problems.append(Problem(str(path), DAMAGED))
            continue
        except DigestError:
            if path in (extra or []):
                raise
            scan.problems.append(Problem(str(path), DAMAGED))
            continue
        identity = digest.mac or digest_text(digest)
        if identity in seen:
            continue
        seen.add(identity)
        state = digest_authenticity(digest, ring=ring)
        if state == AUTHENTIC:
            scan.authentic.append(digest)
        elif state == RETIRED_KEY:
            scan.retired_key.append(digest)
        elif state == UNSIGNED and path in (extra or []):
            scan.unsigned.append(digest)
        elif state == UNSIGNED:
            # In the digest places every digest is signed; an unsigned one was put there.
            scan.problems.append(Problem(str(path), FORGED))
        else:
            scan.problems.append(Problem(str(path), state, digest.key_id))
    return scan


def describe_problem(problem: Problem) -> str:
    values = {"path": problem.path, "key": problem.key_id}
    if problem.reason == FORGED:
        return (
            _(
                "The digest %(path)s is forged: its MAC does not verify (it was edited, or "
                "written by someone without the key)."
            )
            % values
        )
    if problem.reason == UNKNOWN_KEY:
        return (
            _("The digest %(path)s is forged: it names key %(key)s, which this instance never had.")
            % values
        )
    return _("%(path)s is not an audit digest (damaged or forged).") % values


def _file_name(digest: Digest) -> str:
    written = datetime.datetime.fromisoformat(digest.created_at).astimezone(datetime.UTC)
    return f"digest-{written:%Y%m%dT%H%M%S%f}Z.json"


def _write(path: Path, text: str) -> None:
    """Whole or not at all: written beside, flushed to disk, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def digest_write(*, output: Path | None = None) -> tuple[Digest, list[Path]]:
    """Sign a digest of the trail as it is now and write it to the digest places (and to
    `output`); the digest and the files written.

    Refused (DigestError) while a digest found is forged or no longer holds: a new one would
    bless a cut-back trail, and the older ones would then be the only evidence left.
    """
    scan = digests_scan()
    if scan.problems:
        raise DigestError(
            " ".join(
                [
                    _("No new digest is written while a digest found is forged:"),
                    *(describe_problem(p) for p in scan.problems),
                ]
            )
        )
    digest = chain_digest()
    broken = check_digests(scan.to_check, trail_end=digest.head_seq, hashes_at=event_hashes_at)
    if broken is not None:
        raise DigestError(
            _("No new digest is written while the trail no longer matches an earlier one: %(why)s")
            % {"why": describe_digest_break(broken)}
        )
    digest_sign(digest)
    text = digest_text(digest)
    name = _file_name(digest)
    written = []
    for place in scan.places:
        path = place / name
        try:
            _write(path, text)
        except OSError as exc:
            raise DigestError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        written.append(path)
    if output is not None:
        try:
            _write(output, text)
        except OSError as exc:
            raise DigestError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}
            ) from exc
        written.append(output)
    digest.source = str(written[0])
    log.info("audit digest written: %s events, head %s", digest.count, digest.head_hash)
    return digest, written


def describe_digest_break(broken: Break) -> str:
    """Why the trail does not hold a digest, in the user's language."""
    values = {"seq": broken.seq, "id": broken.event_id, **broken.detail}
    if broken.event_id is None:
        return (
            _(
                "the digest written %(written)s (%(source)s) counts %(count)s events up to seq "
                "%(seq)s, but the trail ends at seq %(last_seq)s: the newest events were deleted "
                "and the head rewound (the trail was truncated)."
            )
            % values
        )
    return (
        _(
            "event seq %(seq)s (id %(id)s) no longer has the hash recorded in the digest written "
            "%(written)s (%(source)s): the trail up to seq %(seq)s was rewritten."
        )
        % values
    )


@dataclass(frozen=True)
class ChainStatus:
    """The head of the chain and the newest digest, for the auditor's page."""

    head_seq: int
    head_hash: str
    head_at: datetime.datetime | None
    digest: Digest | None
    digest_written: datetime.datetime | None
    digest_holds: bool
    problems: int


def chain_status() -> ChainStatus:
    """A quick look, not a verification: whether the digests are genuine and the trail still
    reaches the newest one with its hash (one query); `audit verify` checks every link."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash", "occurred_at").first()
    head_seq, head_hash, head_at = head if head is not None else (0, GENESIS_HASH, None)
    # The newest few files: a page should not read years of digests.
    scan = digests_scan(newest=5)
    newest = scan.newest
    holds = (
        newest is not None
        and check_digests([newest], trail_end=head_seq, hashes_at=event_hashes_at) is None
    )
    written = datetime.datetime.fromisoformat(newest.created_at) if newest is not None else None
    return ChainStatus(
        head_seq=head_seq,
        head_hash=head_hash,
        head_at=head_at,
        digest=newest,
        digest_written=written,
        digest_holds=holds,
        problems=len(scan.problems),
    )
