"""`credfile import KIND FILE --as USER [--department CODE] [--dry-run]`: import a file.

Goes through `imports.services.import_file`, so the checks and messages are those of the
import page and the API; any error lists every problem by row and column and imports
nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from tqdm import tqdm

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand
from credfile.imports.columns import KINDS
from credfile.imports.services import import_file


class Command(LocalizedCommand):
    help = gettext_noop(
        "Import customers, contacts, financial statements, contracts, invoices, payments or "
        "open orders from a CSV or xlsx file, acting as the user named by --as; a file with "
        "any error imports nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help=_("what the file holds"))
        parser.add_argument("file", help=_("a CSV (UTF-8 or GB18030) or xlsx file"))
        parser.add_argument(
            "--as",
            dest="actor",
            required=True,
            metavar="USERNAME",
            help=_("the account manager or department head importing the file"),
        )
        parser.add_argument(
            "--department",
            default="",
            metavar="CODE",
            help=_("the department to file the rows in that name none"),
        )
        parser.add_argument(
            "--dry-run",
            dest="dry_run",
            action="store_true",
            help=_("check the file and report, writing nothing"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        with tqdm(
            unit=_(" rows"), disable=not self.stderr.isatty(), dynamic_ncols=True, file=self.stderr
        ) as bar:

            def progress(done: int) -> None:
                bar.update(done - bar.n)

            def total(rows: int) -> None:
                bar.total = rows
                bar.refresh()

            result = import_file(
                actor=actor,
                kind=options["kind"],
                data=data,
                department_code=options["department"] or None,
                dry_run=options["dry_run"],
                progress=progress,
                on_total=total,
            )
        if result.errors:
            lines = [
                _("Row %(row)d, %(column)s: %(message)s")
                % {"row": e.row, "column": e.column or "-", "message": e.message}
                if e.row
                else e.message
                for e in result.errors
            ]
            raise CommandError(
                "\n".join(lines)
                + "\n"
                + _("%(count)d problems; nothing was imported.") % {"count": len(result.errors)}
            )
        if result.dry_run:
            self.stdout.write(
                _(
                    "%(rows)d rows checked: %(new)d new, %(unchanged)d imported before. "
                    "Nothing was written (dry run)."
                )
                % {
                    "rows": result.rows,
                    "new": result.rows - result.unchanged,
                    "unchanged": result.unchanged,
                }
            )
            return
        self.stdout.write(
            _("%(created)d created, %(unchanged)d imported before (SHA-256 %(sha)s).")
            % {"created": result.created, "unchanged": result.unchanged, "sha": result.sha256}
        )
