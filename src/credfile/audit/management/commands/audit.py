"""`credfile audit verify [--digest FILE]` and `credfile audit digest [--output FILE]`."""

from __future__ import annotations

import json
import re
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from credfile.audit.chain import (
    CHANGED,
    DELETED,
    DIGEST_MISMATCH,
    HEAD_MISMATCH,
    INSERTED,
    REORDERED,
    TIME_REVERSED,
    Break,
    Digest,
)
from credfile.audit.selectors import chain_digest, chain_verify
from credfile.core.commands import LocalizedCommand

_HASH = re.compile(r"^[0-9a-f]{64}$")


def _read_digest(path: Path) -> Digest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        digest = Digest(
            count=int(data["count"]),
            head_seq=int(data["head_seq"]),
            head_hash=str(data["head_hash"]),
            created_at=str(data.get("created_at", "")),
        )
    except OSError as exc:
        raise CommandError(
            _("Cannot read the digest %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CommandError(_("%(path)s is not an audit digest.") % {"path": path}) from exc
    if not _HASH.match(digest.head_hash) or digest.head_seq < 0:
        raise CommandError(_("%(path)s is not an audit digest.") % {"path": path})
    return digest


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
    if broken.reason == DIGEST_MISMATCH:
        if broken.event_id is None:
            return (
                _(
                    "Event seq %(seq)s, named in the digest, no longer exists: the trail was cut "
                    "back."
                )
                % values
            )
        return (
            _(
                "Event seq %(seq)s (id %(id)s) no longer has the hash recorded in the digest: the "
                "trail up to seq %(seq)s was rewritten."
            )
            % values
        )
    return broken.reason


class Command(LocalizedCommand):
    help = (
        "Check the audit trail's hash chain (verify) or print a digest of it to keep "
        "elsewhere (digest)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="recompute every link of the chain; exit 1 at the first broken one"
        )
        verify.add_argument(
            "--digest",
            type=Path,
            default=None,
            help="a digest saved earlier: its event must still have its hash",
        )
        verify.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            dest="batch_size",
            help="events read per query (default 5000)",
        )
        digest = sub.add_parser("digest", help="print the count, head seq and head hash as JSON")
        digest.add_argument(
            "--output",
            type=Path,
            default=None,
            help="write the digest to this file instead of printing it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options["digest"], options["batch_size"])
        else:
            self._digest(options["output"])

    def _verify(self, digest_path: Path | None, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        digest = _read_digest(digest_path) if digest_path is not None else None
        show_progress = sys.stderr.isatty()

        def progress(checked: int) -> None:
            if show_progress and checked % 100_000 < batch_size:
                self.stderr.write(f"\r{checked:,}", ending="")
                self.stderr.flush()

        result = chain_verify(digest=digest, batch_size=batch_size, progress=progress)
        if show_progress:
            self.stderr.write("\r", ending="")
        self.stdout.write(
            _("%(checked)s events checked in %(seconds).1f s (%(rate)s events/second).")
            % {
                "checked": f"{result.checked:,}",
                "seconds": result.seconds,
                "rate": f"{result.rate:,.0f}",
            }
        )
        if result.broken is not None:
            raise CommandError(
                _("Audit trail broken. %(why)s") % {"why": describe_break(result.broken)}
            )
        self.stdout.write(
            _("Audit trail intact: seq 1 to %(seq)s, head hash %(hash)s.")
            % {"seq": result.last_seq, "hash": result.last_hash}
        )
        if digest is not None:
            self.stdout.write(
                _("Digest matches: event seq %(seq)s still has hash %(hash)s.")
                % {"seq": digest.head_seq, "hash": digest.head_hash}
            )

    def _digest(self, output: Path | None) -> None:
        text = json.dumps(chain_digest().as_json(), indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}
            ) from exc
        self.stdout.write(_("Digest written to %(path)s.") % {"path": output})
