"""credfile keys init | status | rotate — the field-encryption master key."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.apps import apps
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.core.commands import LocalizedCommand
from credfile.core.crypto import KeyFileMissing, key_file_path
from credfile.core.keys import key_status, keys_init, keys_rotate


class Command(LocalizedCommand):
    help = gettext_noop("Create, inspect or rotate the master key that encrypts sensitive fields.")
    # `keys init` must run before the key exists, when the startup check would refuse.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["init", "status", "rotate"])
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help=_("init: do nothing when the key file exists already"),
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        path = key_file_path()
        if action == "init":
            if path.exists():
                if options["if_missing"]:
                    return
                raise CommandError(_("The key file %(path)s exists already.") % {"path": path})
            ring = keys_init()
            self.stdout.write(
                _(
                    "Created the key file %(path)s (key %(key)s). Back it up: "
                    "without it the encrypted data cannot be read."
                )
                % {"path": path, "key": ring.active}
            )
            return
        try:
            if action == "status":
                self.stdout.write(json.dumps(key_status(), indent=2))
                return
            report = keys_rotate(batch_size=options["batch_size"])
        except KeyFileMissing as exc:
            raise CommandError(str(exc)) from None
        for label, count in report.rows.items():
            self.stdout.write(
                _("%(records)s sealed again: %(count)s")
                % {"records": apps.get_model(label)._meta.verbose_name_plural, "count": count}
            )
        self.stdout.write(
            _("Rotated to key %(key)s in %(seconds).1f s; retired: %(old)s.")
            % {
                "key": report.new_key,
                "seconds": report.seconds,
                "old": ", ".join(report.retired) or "—",
            }
        )
