"""`credfile report file CODE --as USERNAME -o out.pdf [--reveal]` and
`credfile report portfolio --as USERNAME -o out.pdf`: the PDF reports, as the pages and the
API make them — the same scope, masking and audit event."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.reports.fonts import FontMissing, configured_path
from credfile.reports.services import ReportFile, file_report_pdf, portfolio_report_pdf


class Command(LocalizedCommand):
    help = gettext_noop(
        "Write a credit file's PDF report, or the portfolio summary, as the user named by "
        "--as may see it (recorded in the audit trail as an export)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=("file", "portfolio"), help=_("which report"))
        parser.add_argument(
            "code", nargs="?", default="", help=_("the file's customer code (report file)")
        )
        parser.add_argument(
            "--as", dest="actor", required=True, metavar="USERNAME", help=_("who reads it")
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help=_("the PDF file to write")
        )
        parser.add_argument(
            "--reveal",
            action="store_true",
            help=_("ID and phone numbers in clear (needs the file's reveal right)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        try:
            if options["what"] == "file":
                report = self._file(actor, options["code"], reveal=options["reveal"])
            else:
                if options["reveal"]:
                    raise CommandError(_("The portfolio summary names no person: no --reveal."))
                report = portfolio_report_pdf(actor=actor)
        except FontMissing as exc:
            raise CommandError(
                _("CREDFILE_PDF_FONT=%(path)s cannot be used (%(error)s).")
                % {"path": configured_path(), "error": exc}
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or _("You may not take this report.")) from None
        path = Path(options["output"])
        try:
            path.write_bytes(report.content)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        self.stdout.write(
            _("%(path)s written (%(size)d bytes).") % {"path": path, "size": len(report.content)}
        )

    def _file(self, actor: User, code: str, *, reveal: bool) -> ReportFile:
        if not code:
            raise CommandError(_("Name the file by its customer code."))
        found = Customer.objects.filter(code__iexact=code).values_list("pk", flat=True).first()
        try:
            if found is None:
                raise Http404
            customer = customer_get(user=actor, pk=found, trace=False, use="file report")
        except Http404:
            # As on the pages: a file outside the reader's scope is not found.
            raise CommandError(
                _("No credit file %(code)s that you may see.") % {"code": code}
            ) from None
        return file_report_pdf(actor=actor, customer=customer, reveal=reveal)
