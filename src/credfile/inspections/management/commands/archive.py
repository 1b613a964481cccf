"""`credfile archive inspect [--json]`: the integrity inspection of the stored documents and
the audit chain; exit status 1 when it finds a problem. `credfile archive certificates
[--json] [--since DATE]`: the destruction certificates, for an auditor's records.
`credfile archive journal [--sync] [--json]`: the certificates missing from the destruction
journal (exit status 1), appended to it with --sync (docs/backup.md)."""

from __future__ import annotations

import datetime
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.core.commands import LocalizedCommand
from credfile.inspections.display import finding_detail, inspection_sentence
from credfile.inspections.models import FindingKind, InspectionResult, InspectionTrigger
from credfile.inspections.services import inspection_run, inspection_summary


class Command(LocalizedCommand):
    help = gettext_noop(
        "Inspect the archive: every stored document against its checksum, the storage for "
        "missing and orphaned files, and the audit chain (inspect)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        inspect = sub.add_parser(
            "inspect",
            help=_("check every document, the storage and the audit chain; exit 1 on problems"),
        )
        inspect.add_argument("--json", action="store_true", help=_("print the result as JSON"))
        certificates = sub.add_parser(
            "certificates", help=_("list the destruction certificates, newest first")
        )
        certificates.add_argument(
            "--json", action="store_true", help=_("print the certificates as JSON")
        )
        certificates.add_argument(
            "--since", type=datetime.date.fromisoformat, help=_("only those from this day on")
        )

        journal = sub.add_parser(
            "journal",
            help=_(
                "list the destruction certificates missing from the destruction journal; "
                "exit 1 when one is"
            ),
        )
        journal.add_argument(
            "--sync", action="store_true", help=_("append the missing certificates to the journal")
        )
        journal.add_argument("--json", action="store_true", help=_("print the result as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "journal":
            self._journal(options)
            return
        if options["subcommand"] == "certificates":
            self._certificates(options)
            return
        inspection = inspection_run(trigger=InspectionTrigger.COMMAND)
        findings = [
            (f.kind, f.stored_name, finding_detail(f)) for f in inspection.findings.order_by("id")
        ]
        if options["json"]:
            data = inspection_summary(inspection) | {
                "id": inspection.pk,
                "seconds": inspection.seconds,
                "findings": [
                    {"kind": kind, "stored_name": name, "detail": detail}
                    for kind, name, detail in findings
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _("Inspection %(id)s, %(seconds)s s.")
                % {"id": inspection.pk, "seconds": inspection.seconds}
            )
            for kind, name, detail in findings:
                self.stdout.write(f"  {FindingKind(kind).label}  {name}  {detail}".rstrip())
        if inspection.result != InspectionResult.OK:
            raise CommandError(inspection_sentence(inspection), returncode=1)
        if not options["json"]:
            self.stdout.write(inspection_sentence(inspection))

    def _certificates(self, options: dict[str, Any]) -> None:
        from credfile.retention.models import DestructionCertificate

        found = DestructionCertificate.objects.order_by("-destroyed_at", "-pk")
        if options["since"]:
            found = found.filter(destroyed_at__date__gte=options["since"])
        rows = list(found.select_related("approved_by"))
        if options["json"]:
            data = [
                {
                    "id": c.pk,
                    "kind": c.kind,
                    "customer_code": c.customer_code,
                    "object_id": c.object_id,
                    "legal_basis": c.legal_basis,
                    "due_on": c.due_on.isoformat(),
                    "approved_by": str(c.approved_by),
                    "destroyed_at": c.destroyed_at.isoformat(),
                    "hashes": c.hashes,
                    "counts": c.counts,
                    "audit_seq": c.audit_seq,
                }
                for c in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for c in rows:
            self.stdout.write(
                f"#{c.pk}  {c.destroyed_at:%Y-%m-%d %H:%M}  {c.get_kind_display()}  "
                f"{c.customer_code}  {c.object_id}  {c.approved_by}  seq {c.audit_seq}"
            )
        self.stdout.write(_("%(count)d destruction certificates.") % {"count": len(rows)})

    def _journal(self, options: dict[str, Any]) -> None:
        from credfile.retention.journal import JournalError, journal_check

        try:
            state = journal_check(sync=options["sync"])
        except (JournalError, OSError) as exc:
            raise CommandError(
                _("The destruction journal cannot be used: %(error)s") % {"error": exc}
            ) from None
        if options["json"]:
            data = {
                "journal": str(state.path),
                "entries": state.entries,
                "certificates": state.certificates,
                "missing": state.missing,
                "appended": state.appended,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _("%(path)s: %(entries)d entries; %(certificates)d destruction certificates.")
                % {
                    "path": state.path,
                    "entries": state.entries,
                    "certificates": state.certificates,
                }
            )
            for pk in state.missing:
                self.stdout.write(
                    _("Certificate #%(id)s is missing from the journal.") % {"id": pk}
                )
            if state.appended:
                self.stdout.write(
                    _("Appended %(n)d certificates to the journal.") % {"n": len(state.appended)}
                )
        if state.missing and not options["sync"]:
            raise CommandError(
                _(
                    "%(n)d destruction certificates are missing from the journal: a restore "
                    "of an older backup would not destroy them again. Run "
                    "`credfile archive journal --sync`."
                )
                % {"n": len(state.missing)},
                returncode=1,
            )
        if not options["json"] and not state.missing:
            self.stdout.write(_("The journal holds every destruction certificate."))
