"""`credfile export customers|invoices|payments FILE --as USER [--format csv|xlsx] [--reveal]
[filters]`: the customer list, its invoices or its payments in the import's columns.

Goes through `imports.exports.file_export`, as the customer list's buttons and
`GET /api/v1/exports/…/` do: the same scope, masking and audit event.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from credfile.accounts.models import Department, User
from credfile.core.commands import LocalizedCommand
from credfile.core.permissions import can_export_files, can_reveal_in_exports
from credfile.customers.choices import CustomerCategory, CustomerKind, CustomerStatus, Province
from credfile.customers.selectors import CustomerFilters
from credfile.imports.exports import FORMATS, KINDS, file_export


class Command(LocalizedCommand):
    help = gettext_noop(
        "Export the customer list, its invoices or its payments to a CSV or xlsx file in "
        "the columns `credfile import` reads, as the user named by --as sees them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=KINDS, help=_("what to export"))
        parser.add_argument("file", help=_("the file to write"))
        parser.add_argument(
            "--as", dest="actor", required=True, metavar="USERNAME", help=_("who exports")
        )
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=FORMATS,
            help=_("csv or xlsx (default: from the file's extension, else csv)"),
        )
        parser.add_argument(
            "--reveal",
            action="store_true",
            help=_("ID and phone numbers in clear, on the files whose reveal right you hold"),
        )
        parser.add_argument("--search", default="", metavar="TEXT", help=_("as the list's search"))
        parser.add_argument(
            "--department", default="", metavar="CODE", help=_("only this department's files")
        )
        parser.add_argument("--customer-kind", choices=CustomerKind.values, default="")
        parser.add_argument("--category", choices=CustomerCategory.values, default="")
        parser.add_argument("--province", choices=Province.values, default="", metavar="CODE")
        parser.add_argument("--status", choices=CustomerStatus.values, default="")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        if not can_export_files(actor):
            raise CommandError(_("%(username)s may not export files.") % {"username": actor})
        if options["reveal"] and not can_reveal_in_exports(actor):
            raise CommandError(_("You may not reveal sensitive values."))
        department = None
        if options["department"]:
            department = Department.objects.filter(code__iexact=options["department"]).first()
            if department is None:
                raise CommandError(_("No such department."))
        path = Path(options["file"])
        file_format = options["file_format"] or ("xlsx" if path.suffix == ".xlsx" else "csv")
        export = file_export(
            actor=actor,
            kind=options["kind"],
            filters=CustomerFilters(
                q=options["search"],
                kind=options["customer_kind"],
                category=options["category"],
                province=options["province"],
                department=department.pk if department else None,
                status=options["status"],
            ),
            file_format=file_format,
            reveal=options["reveal"],
            language=get_language(),
        )
        try:
            with export.handle, path.open("wb") as out:
                while chunk := export.handle.read(1 << 16):
                    out.write(chunk)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        self.stdout.write(
            _("%(rows)d rows written to %(path)s (%(clear)d files with values in clear).")
            % {"rows": export.rows, "path": path, "clear": export.in_clear}
        )
