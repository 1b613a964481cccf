"""credfile backup PATH — one encrypted file of the database and the documents."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.backups.snapshot import SnapshotFailed
from credfile.core.commands import LocalizedCommand
from credfile.core.crypto import create_key_file


class Command(LocalizedCommand):
    help = gettext_noop(
        "Back up the database and every stored document into one encrypted file "
        "(a directory gets a new file named by the time)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", nargs="?", help=_("file or directory of the backup"))
        parser.add_argument(
            "--init-key",
            action="store_true",
            help=_("create the backup key file named by CREDFILE_BACKUP_KEY_FILE"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from credfile.backups.services import backup_create

        if options["init_key"]:
            path = settings.CREDFILE_BACKUP_KEY_FILE
            if not path:
                raise CommandError(_("CREDFILE_BACKUP_KEY_FILE is not set."))
            try:
                ring = create_key_file(Path(path))
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                _(
                    "Created the backup key file %(path)s (key %(key)s). "
                    "Keep a copy apart from the backups."
                )
                % {"path": path, "key": ring.active}
            )
            return
        if not options["path"]:
            raise CommandError(_("Name the file or directory to write the backup to."))
        try:
            result = backup_create(path=Path(options["path"]), progress=self.stdout.write)
        except (OSError, SnapshotFailed, ImproperlyConfigured) as exc:
            raise CommandError(_("The backup failed: %(error)s") % {"error": exc}) from None
        self.stdout.write(
            _("Key %(key)s; audit trail up to event %(seq)s.")
            % {"key": result.manifest["key"], "seq": result.manifest["audit"]["seq"]}
        )
