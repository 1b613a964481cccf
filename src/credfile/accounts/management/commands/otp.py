"""`credfile otp reset USERNAME`: remove a user's second-factor devices (a lost phone)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from credfile.accounts.models import User
from credfile.accounts.services import otp_devices_reset
from credfile.core.commands import LocalizedCommand


class Command(LocalizedCommand):
    help = gettext_noop(
        "Manage second-factor (TOTP) devices. `reset USERNAME` removes the user's devices; "
        "the user sets up an authenticator app again at the next sign-in."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        reset = actions.add_parser("reset", help=_("remove every second-factor device of a user"))
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reset":
            self._reset(options["username"])

    def _reset(self, username: str) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                _("There is no user %(username)s.") % {"username": username}
            ) from None
        removed = otp_devices_reset(user=user)
        self.stdout.write(
            ngettext(
                "Removed %(count)d second-factor device of %(username)s, who sets up an "
                "authenticator app again at the next sign-in.",
                "Removed %(count)d second-factor devices of %(username)s, who sets up an "
                "authenticator app again at the next sign-in.",
                removed,
            )
            % {"count": removed, "username": user.username}
        )
