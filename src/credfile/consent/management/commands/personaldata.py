"""credfile personaldata CODE --as USERNAME [--format json|xlsx] [--output FILE]"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand
from credfile.core.permissions import Action
from credfile.customers.exports import personal_data_export, personal_data_xlsx
from credfile.customers.selectors import customer_queryset


class Command(LocalizedCommand):
    help = gettext_noop(
        "Export all personal data of an individual customer (an access request), audited."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help=_("customer code, e.g. C00000042"))
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help=_("the user making the export (needs the reveal right)"),
        )
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", help=_("file to write (default: standard output, json)"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(
                _("There is no active user %(name)s.") % {"name": options["username"]}
            )
        # The export right (the file's own department), asked of the policy in the query.
        customer = (
            customer_queryset(user=user, action=Action.EXPORT)
            .filter(code=options["code"].upper())
            .first()
        )
        if customer is None:
            raise CommandError(
                _("No credit file %(code)s within your scope.") % {"code": options["code"]}
            )
        data = personal_data_export(actor=user, customer=customer, fmt=options["format"])
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError(_("An xlsx export needs --output FILE."))
            Path(options["output"]).write_bytes(personal_data_xlsx(data))
        else:
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text + "\n")
