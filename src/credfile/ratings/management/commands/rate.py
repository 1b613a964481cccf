"""`credfile rate --all | CUSTOMER --as USER [--as-of DATE] [--assess KEY=VALUE ...]`: rate
one file or every file on its card."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from tqdm import tqdm

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand, as_of_date, validation_message
from credfile.customers.models import Customer
from credfile.ratings.services import rate_all, rating_propose


class Command(LocalizedCommand):
    help = gettext_noop(
        "Rate a credit file, or every file with --all, on the scorecard of its kind, acting as "
        "the user named by --as. Grades other than the one in force wait for approval."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer", nargs="?", help=_("the customer code"))
        parser.add_argument("--all", action="store_true", help=_("rate every file"))
        parser.add_argument(
            "--as", dest="actor", required=True, metavar="USERNAME", help=_("who rates")
        )
        parser.add_argument(
            "--as-of", dest="as_of", default=None, metavar="DATE", help=_("date (YYYY-MM-DD)")
        )
        parser.add_argument(
            "--assess",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=_("an assessed factor, e.g. management_quality=good"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        as_of = as_of_date(options["as_of"]) if options["as_of"] else None
        if options["all"] == bool(options["customer"]):
            raise CommandError(_("Name one customer code, or give --all."))
        if options["all"]:
            self._rate_all(actor, as_of)
            return
        customer = Customer.objects.filter(code=options["customer"].upper()).first()
        if customer is None:
            raise CommandError(
                _("No customer has the code %(code)s.") % {"code": options["customer"]}
            )
        assessed = {}
        for item in options["assess"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(_("--assess: write KEY=VALUE, not %(item)s.") % {"item": item})
            assessed[key.strip()] = value.strip()
        try:
            rating = rating_propose(actor=actor, customer=customer, assessed=assessed, as_of=as_of)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        self.stdout.write(
            _("%(code)s: %(grade)s, %(score)s points (%(status)s).")
            % {
                "code": customer.code,
                "grade": rating.grade,
                "score": rating.score,
                "status": rating.get_status_display(),
            }
        )

    def _rate_all(self, actor: User, as_of: datetime.date | None) -> None:
        with tqdm(
            unit=_(" files"), disable=not self.stderr.isatty(), dynamic_ncols=True, file=self.stderr
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                result = rate_all(actor=actor, as_of=as_of, scope=Q(), progress=progress)
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "%(rated)d files rated: %(unchanged)d keep their grade, %(proposed)d wait for "
                "approval; %(no_consent)d individuals without consent to a credit assessment "
                "were not rated."
            )
            % {
                "rated": result.rated,
                "unchanged": result.unchanged,
                "proposed": result.proposed,
                "no_consent": result.no_consent,
            }
        )
