"""`credfile documents attach CODE FILE --type T --as USERNAME`: keep a file on a credit file.

Goes through `document_attach`, so the checks (name, size, content, zip caps, e-mail headers,
permissions) and their messages are those of the page and the API.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand, validation_message
from credfile.core.permissions import Action, customer_scope
from credfile.customers.models import Customer
from credfile.documents.choices import DocumentType
from credfile.documents.services import document_attach


class Command(LocalizedCommand):
    help = gettext_noop("Keep a file (PDF, image, xlsx, docx, .eml) on a credit file.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        attach = sub.add_parser("attach", help=_("attach a file to a credit file"))
        attach.add_argument("code", help=_("the customer code"))
        attach.add_argument("file", type=Path)
        attach.add_argument(
            "--type", dest="document_type", required=True, choices=DocumentType.values
        )
        attach.add_argument("--title", default="")
        attach.add_argument(
            "--date", dest="document_date", type=datetime.date.fromisoformat, default=None
        )
        attach.add_argument("--as", dest="actor", required=True, metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        customer = Customer.objects.filter(
            customer_scope(actor, Action.VIEW), code=options["code"]
        ).first()
        if customer is None:
            raise CommandError(_("No customer you may see has this code or number."))
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        try:
            document = document_attach(
                actor=actor,
                customer=customer,
                upload=data,
                name=path.name,
                document_type=options["document_type"],
                title=options["title"] or path.stem,
                document_date=options["document_date"] or timezone.localdate(),
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        self.stdout.write(f"{document.stored_name} {document.sha256}")
