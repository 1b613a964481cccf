"""`credfile addcustomer --kind ... --name ... --as USERNAME`: open a credit file.

Goes through `customer_create`, so the checks (check digits, duplicates, similar names,
permissions) and their messages are those of the pages and the API.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand, validation_message
from credfile.core.errors import ConfirmationRequired
from credfile.customers.services import customer_create

# Command-line option → customer field.
_FIELDS = {
    "kind": "kind",
    "name": "name",
    "id_number": "id_number",
    "credit_code": "credit_code",
    "phone": "phone",
    "passport": "passport_number",
}


class Command(LocalizedCommand):
    help = gettext_noop(
        "Open a credit file for an individual or an organisation, acting as the user named by "
        "--as, and print its customer code."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--kind", required=True, help=_("individual or organization"))
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--id-number", dest="id_number", default="", help=_("resident ID number (individual)")
        )
        parser.add_argument(
            "--credit-code",
            dest="credit_code",
            default="",
            help=_("unified social credit code (organisation)"),
        )
        parser.add_argument("--phone", default="")
        parser.add_argument("--passport", default="", help=_("passport number (individual)"))
        parser.add_argument(
            "--as",
            dest="actor",
            required=True,
            metavar="USERNAME",
            help=_("the account manager or department head opening the file"),
        )
        parser.add_argument(
            "--confirm-similar-name",
            dest="confirm_similar_name",
            action="store_true",
            help=_("open the file even if a customer with a similar name exists"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        fields = {field: options[option] for option, field in _FIELDS.items() if options[option]}
        try:
            customer = customer_create(
                actor=actor, fields=fields, confirm_similar_name=options["confirm_similar_name"]
            )
        except ConfirmationRequired as exc:
            raise CommandError(
                validation_message(exc)
                + "\n"
                + _("Add --confirm-similar-name if this is a different customer.")
            ) from exc
        self.stdout.write(customer.code)
