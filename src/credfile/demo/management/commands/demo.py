"""`credfile demo --customers N --seed S`: fill the database with realistic demo credit files."""

from __future__ import annotations

import datetime
import sys
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.choices import Role
from credfile.core.commands import LocalizedCommand
from credfile.customers.models import Customer, Tag
from credfile.demo.generator import TABLES
from credfile.demo.loader import DEFAULT_BATCH, load_demo
from credfile.events.models import CustomerEvent
from credfile.limits.models import CustomerGroup
from credfile.surveys.models import SurveyResponse


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(_("%(value)r is not a whole number") % {"value": value}) from None
    if number < 0:
        raise ArgumentTypeError(_("must not be negative"))
    return number


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(
            _("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}
        ) from None


class Command(LocalizedCommand):
    help = gettext_noop(
        "Add realistic demo data: departments, one account per role and N customers with "
        "contacts, financials, contracts, invoices and payments. Deterministic for a seed. "
        "A database that holds customers already is refused unless --add is given."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--customers",
            type=_positive,
            default=1000,
            help=_("number of customers to add (default 1000)"),
        )
        parser.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            dest="as_of",
            help=_("the day the data is current on (default today)"),
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH,
            dest="batch_size",
            help=_("customers per transaction"),
        )
        parser.add_argument(
            "--add",
            action="store_true",
            help=_("add demo customers to a database that holds customers already"),
        )
        parser.add_argument(
            "--no-progress", action="store_true", dest="no_progress", help=_("no progress bar")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        existing = Customer.objects.count()
        if existing and options["customers"] and not options["add"]:
            # Run twice by mistake, the demo would double the data; adding is a choice.
            raise CommandError(
                _(
                    "The database already holds %(count)s customers; no demo data added. "
                    "To add %(more)s demo customers to them, run the command again with --add."
                )
                % {"count": f"{existing:,}", "more": f"{options['customers']:,}"}
            )
        progress = not options["no_progress"] and sys.stderr.isatty()
        result = load_demo(
            customers=options["customers"],
            seed=options["seed"],
            as_of=options["as_of"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        out = self.stdout
        if result.first_code:
            out.write(
                _("Added %(count)s customers (%(first)s–%(last)s) in %(seconds).1f s.")
                % {
                    "count": f"{result.counts.get('customers', 0):,}",
                    "first": result.first_code,
                    "last": result.last_code,
                    "seconds": result.seconds,
                }
            )
            for name, model, _links in TABLES:
                # The customer–tag links are counted as tags.
                meta = Tag._meta if name == "tags" else model._meta
                out.write(f"  {result.counts.get(name, 0):>10,}  {meta.verbose_name_plural}")
            groups = CustomerGroup._meta.verbose_name_plural
            out.write(f"  {result.counts.get('groups', 0):>10,}  {groups}")
            surveys = SurveyResponse._meta.verbose_name_plural
            out.write(f"  {result.counts.get('survey responses', 0):>10,}  {surveys}")
            events = CustomerEvent._meta.verbose_name_plural
            out.write(f"  {result.counts.get('events', 0):>10,}  {events}")
        else:
            out.write(_("No customers added."))
        out.write("")
        out.write(_("Demo accounts:"))
        roles = dict(Role.choices)
        for account, password in result.accounts:
            # Fixed-width columns first: role names in Chinese are twice as wide per character.
            line = f"  {account.username:<13} {account.department or '-':<7} {password or '-':<14}"
            line += f" {roles[account.role]}"
            if not password:
                line += " " + _("(existed already; password unchanged)")
            out.write(line)
