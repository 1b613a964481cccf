"""`credfile audit verify [--digest FILE]` and `credfile audit digest [--output FILE]`."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from credfile.audit.chain import (
    Digest,
)
from credfile.audit.digests import (
    DigestError,
    DigestScan,
    describe_problem,
    digest_text,
    digest_write,
    digests_scan,
)
from credfile.audit.selectors import chain_verify
from credfile.audit.verification import describe_break
from credfile.core.commands import LocalizedCommand


def _summary(digest: Digest) -> str:
    return _(
        "written %(written)s, %(count)s events, newest event seq %(seq)s (id %(id)s, "
        "%(at)s), head hash %(hash)s, key %(key)s, file %(source)s"
    ) % {
        "written": digest.created_at,
        "count": digest.count,
        "seq": digest.head_seq,
        "id": digest.head_id if digest.head_id is not None else "-",
        "at": digest.head_at or "-",
        "hash": digest.head_hash,
        "key": digest.key_id or "-",
        "source": digest.source,
    }


class Command(LocalizedCommand):
    help = gettext_noop(
        "Check the audit trail's hash chain and its signed digests (verify), or write a signed "
        "digest of it (digest)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify",
            help=_(
                "recompute every link of the chain and check it against every digest found; "
                "exit 1 at the first broken one"
            ),
        )
        verify.add_argument(
            "--digest",
            type=Path,
            default=None,
            help=_("also check against this digest (kept elsewhere)"),
        )
        verify.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            dest="batch_size",
            help=_("events read per query (default 5000)"),
        )
        digest = sub.add_parser(
            "digest",
            help=_(
                "write a signed digest into $CREDFILE_HOME/audit-digests (and the copy directory)"
            ),
        )
        digest.add_argument(
            "--output",
            type=Path,
            default=None,
            help=_("also write it to this file ('-' prints it)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options["digest"], options["batch_size"])
        else:
            self._digest(options["output"])

    def _scan(self, digest_path: Path | None) -> DigestScan:
        try:
            return digests_scan(extra=[digest_path] if digest_path is not None else None)
        except DigestError as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(
                _("%(path)s is not an audit digest.") % {"path": digest_path}
            ) from exc

    def _verify(self, digest_path: Path | None, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        scan = self._scan(digest_path)
        show_progress = sys.stderr.isatty()

        def progress(checked: int) -> None:
            if show_progress and checked % 100_000 < batch_size:
                self.stderr.write(f"\r{checked:,}", ending="")
                self.stderr.flush()

        result = chain_verify(digests=scan.to_check, batch_size=batch_size, progress=progress)
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
        forged = [describe_problem(p) for p in scan.problems]
        if result.broken is not None:
            why = describe_break(result.broken)
            if result.broken.detail.get("source") in {d.source for d in scan.retired_key}:
                why += " " + _(
                    "(That digest was signed with a key since retired, so its MAC can no longer "
                    "be checked: it may also be forged. Either way, look into it.)"
                )
            raise CommandError(
                "\n".join([_("Audit trail broken. %(why)s") % {"why": why}, *forged])
            )
        self.stdout.write(
            _("Audit trail intact: seq 1 to %(seq)s, head hash %(hash)s.")
            % {"seq": result.last_seq, "hash": result.last_hash}
        )
        self._report_digests(scan)
        if forged:
            raise CommandError("\n".join(forged))

    def _report_digests(self, scan: DigestScan) -> None:
        newest = scan.newest
        if newest is None:
            self.stdout.write(
                _(
                    "No audit digest found in %(places)s: the chain holds, but nothing shows "
                    "whether its newest events were deleted. The daily job writes one; "
                    "`credfile audit digest` writes one now."
                )
                % {"places": ", ".join(str(p) for p in scan.places)}
            )
            return
        self.stdout.write(_("Digest checked: %(digest)s.") % {"digest": _summary(newest)})
        self.stdout.write(
            _(
                "The trail matches it: it holds at least %(count)s events and event seq %(seq)s "
                "still has the digest's hash."
            )
            % {"count": newest.count, "seq": newest.head_seq}
        )
        others = len(scan.to_check) - 1
        if others:
            self.stdout.write(
                ngettext(
                    "%(n)s earlier digest matches too.", "%(n)s earlier digests match too.", others
                )
                % {"n": others}
            )
        if scan.retired_key:
            retired = len(scan.retired_key)
            self.stdout.write(
                ngettext(
                    "%(n)s digest was signed with a key since retired (%(keys)s): its MAC can no "
                    "longer be checked, so it was only compared with the trail.",
                    "%(n)s digests were signed with keys since retired (%(keys)s): their MAC can "
                    "no longer be checked, so they were only compared with the trail.",
                    retired,
                )
                % {"n": retired, "keys": ", ".join(sorted({d.key_id for d in scan.retired_key}))}
            )
        if scan.unsigned:
            self.stdout.write(
                _(
                    "%(path)s is an unsigned digest of the older format: compared with the "
                    "trail, but nothing proves it was not edited."
                )
                % {"path": scan.unsigned[0].source}
            )

    def _digest(self, output: Path | None) -> None:
        to_stdout = output is not None and str(output) == "-"
        try:
            digest, written = digest_write(output=None if to_stdout else output)
        except DigestError as exc:
            raise CommandError(str(exc)) from exc
        if to_stdout:
            self.stdout.write(digest_text(digest), ending="")
            return
        for path in written:
            self.stdout.write(_("Digest written to %(path)s.") % {"path": path})
        self.stdout.write(_("Digest: %(digest)s.") % {"digest": _summary(digest)})
