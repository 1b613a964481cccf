"""`credfile archive inspect [--json]`: the integrity inspection of the stored documents and
the audit chain; exit status 1 when it finds a problem."""

from __future__ import annotations

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

    def handle(self, *args: Any, **options: Any) -> None:
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
