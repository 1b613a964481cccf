"""`credfile ageing --as-of DATE [--by customer|department|manager] [--format json|csv|table]`:
the receivables ageing per currency, for the whole portfolio or per group."""

from __future__ import annotations

import csv
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand, as_of_date
from credfile.transactions.receivables import (
    GROUPINGS,
    ageing_buckets,
    ageing_document,
    ageing_report,
    receivables_scope,
)


class Command(LocalizedCommand):
    help = gettext_noop(
        "Print the receivables ageing as of a date, per currency: of the whole portfolio, or "
        "of each customer, department or account manager; with --as, only what that user may "
        "see."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of", required=True, metavar="DATE", help=_("date (YYYY-MM-DD)")
        )
        parser.add_argument(
            "--by", choices=sorted(GROUPINGS), default=None, help=_("group the ageing")
        )
        parser.add_argument(
            "--format", choices=["json", "csv", "table"], default="json", help=_("output format")
        )
        parser.add_argument(
            "--as",
            dest="actor",
            default=None,
            metavar="USERNAME",
            help=_("show only the files this user may see"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = as_of_date(options["as_of"])
        scope = Q()
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("--as: There is no active user %(username)s.")
                    % {"username": options["actor"]}
                )
            scope = receivables_scope(actor)
        by = options["by"]
        document = ageing_document(
            ageing_report(scope=scope, as_of=as_of, by=by), as_of=as_of, by=by
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        keys = [b.key for b in ageing_buckets()] + ["total"]
        groups = document["groups"] if by else [{"name": "", "currencies": document["currencies"]}]
        rows = [
            [group["name"], currency, *(amounts[k] for k in keys)]
            for group in groups
            for currency, amounts in group["currencies"].items()
        ]
        header = [_("group") if by else "", _("currency"), *keys]
        if not by:
            header, rows = header[1:], [row[1:] for row in rows]
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerows([header, *rows])
            return
        if not rows:
            self.stdout.write(_("Nothing open as of %(date)s.") % {"date": as_of.isoformat()})
            return
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(
                    str(v).ljust(w) if i < (2 if by else 1) else str(v).rjust(w)
                    for i, (v, w) in enumerate(zip(row, widths, strict=True))
                )
            )
