"""The `credfile` command: Django's management commands plus credfile's own."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError:
        # Django's own commands (createsuperuser, changepassword …) meet a fresh instance's
        # missing tables as a raw traceback; credfile's commands say this themselves.
        from django.utils import translation

        from credfile.core.commands import (
            command_language,
            database_missing_tables,
            not_migrated_message,
        )

        if not database_missing_tables():
            raise
        with translation.override(command_language()):
            sys.stderr.write(not_migrated_message() + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
