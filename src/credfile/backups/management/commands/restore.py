"""credfile restore PATH — a backup into an empty instance, checked before and after."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.backups.archive import BackupRefused
from credfile.backups.snapshot import SnapshotFailed
from credfile.core.commands import LocalizedCommand


class Command(LocalizedCommand):
    help = gettext_noop(
        "Restore a backup into an empty instance; destructions since the backup are applied again."
    )
    # Runs before the database has tables: the restore brings them.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help=_("the backup file"))
        parser.add_argument(
            "--journal",
            help=_("the destruction journal to re-apply (default: this instance's)"),
        )
        parser.add_argument(
            "--without-journal",
            action="store_true",
            help=_("restore without re-applying destructions made since the backup"),
        )
        parser.add_argument("--json", action="store_true", help=_("print the report as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        from credfile.backups.services import RestoreFailed, backup_restore

        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        try:
            report = backup_restore(
                path=path,
                journal=Path(options["journal"]) if options["journal"] else None,
                without_journal=options["without_journal"],
                progress=None if options["json"] else self.stdout.write,
            )
        except BackupRefused as exc:
            raise CommandError(
                _("Refused, nothing was changed: %(reason)s") % {"reason": exc}
            ) from None
        except RestoreFailed as exc:
            raise CommandError(_("The restore failed: %(error)s") % {"error": exc}) from None
        except (OSError, SnapshotFailed, ImproperlyConfigured) as exc:
            raise CommandError(_("The restore failed: %(error)s") % {"error": exc}) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "tables": report.tables,
                        "rows": report.rows,
                        "documents": report.documents,
                        "count_mismatches": report.count_mismatches,
                        "document_mismatches": report.document_mismatches,
                        "reapplied": report.reapplied,
                        "reapply_failed": report.reapply_failed,
                        "chain_ok": report.chain_ok,
                        "chain_checked": report.chain_checked,
                        "chain_problems": report.chain_problems,
                        "rolled_back": report.rolled_back,
                        "backup_created_at": report.manifest["created_at"],
                        "counts": report.manifest["database"]["counts"],
                    }
                )
            )
        else:
            for line in report.count_mismatches:
                self.stdout.write(_("Row count differs: %(line)s") % {"line": line})
            for name in report.document_mismatches:
                self.stdout.write(_("Document differs: %(name)s") % {"name": name})
            for line in report.reapply_failed:
                self.stdout.write(_("Destruction not re-applied: %(line)s") % {"line": line})
            for line in report.chain_problems:
                self.stdout.write(line)
            self.stdout.write(
                _("Audit trail: %(n)s events checked, %(state)s.")
                % {
                    "n": report.chain_checked,
                    "state": _("verifies") if report.chain_ok else _("does NOT verify"),
                }
            )
        if report.rolled_back:
            raise CommandError(
                _(
                    "The restored instance did not match the backup (see above), so nothing "
                    "was kept: the instance is empty, as it was before."
                )
            )
        if not report.ok:
            raise CommandError(_("The restored instance does not match the backup; see above."))
        if not options["json"]:
            self.stdout.write(_("Restore complete: the instance matches the backup."))
