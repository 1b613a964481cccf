"""`credfile adduser NAME --role ROLE [--department CODE]`: create a user.

The password is read from standard input (its first line), so that it never appears in the
process list or the shell history; at a terminal it is asked for twice without echo.
"""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.choices import Role
from credfile.accounts.services import department_by_code, user_create
from credfile.core.commands import LocalizedCommand


class Command(LocalizedCommand):
    help = gettext_noop(
        "Create a user with a role (and a department for account managers and department "
        "heads). The password is read from standard input."
    )
    # call_command(..., stdin=StringIO("password\n")) in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help=_("login name"))
        # Not argparse choices: an unknown role is reported like every other field error.
        parser.add_argument(
            "--role", required=True, help=_("one of: %(roles)s") % {"roles": ", ".join(Role.values)}
        )
        parser.add_argument("--department", default="", help=_("department code"))
        parser.add_argument(
            "--display-name",
            dest="display_name",
            default="",
            help=_("name shown in the interface (e.g. 李娜)"),
        )
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        department = options["department"].strip()
        # Check what can be checked before asking for the password, so nobody types it twice
        # only to be told the role is misspelt. user_create checks again, authoritatively.
        if role not in Role.values:
            raise ValidationError(
                {
                    "role": _("Unknown role %(role)s; choose one of: %(roles)s.")
                    % {"role": role, "roles": ", ".join(Role.values)}
                }
            )
        if department:
            department_by_code(department)
        password = self.read_password(options.get("stdin") or sys.stdin)
        user = user_create(
            username=options["username"],
            password=password,
            role=role,
            department_code=department or None,
            display_name=options["display_name"],
            email=options["email"],
        )
        self.stdout.write(
            _("Created user %(username)s (%(role)s).")
            % {"username": user.username, "role": user.get_role_display()}
        )

    def read_password(self, stream: TextIO) -> str:
        if stream.isatty():
            first = getpass.getpass(_("Password: "))
            again = getpass.getpass(_("Password (again): "))
            if first != again:
                raise CommandError(_("password: The two passwords differ."))
            password = first
        else:
            password = stream.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("password: Enter a password (on standard input)."))
        return password
