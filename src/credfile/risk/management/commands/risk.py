"""`credfile risk apply [--as-of DATE]`: apply the risk rules to every file."""

from __future__ import annotations

import datetime
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.core.commands import LocalizedCommand
from credfile.risk.services import rules_apply


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of: %(value)s is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


class Command(LocalizedCommand):
    help = gettext_noop(
        "Apply the risk rules to every file: the watch list, blocked credit and reviews "
        "brought forward (also run daily by `credfile jobs run-due`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help=_("apply the rules to every file"))
        apply.add_argument(
            "--as-of", dest="as_of", default=None, metavar="DATE", help=_("date (YYYY-MM-DD)")
        )
        apply.add_argument(
            "--json", action="store_true", help=_("print the counts as JSON (for scripts)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else None
        result = rules_apply(as_of=as_of)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        counts = result.as_dict()
        day = (as_of or timezone.localdate()).isoformat()
        self.stdout.write(_("Risk rules applied as of %(date)s:") % {"date": day})
        lines = [
            (_("put on the watch list"), counts["added"]),
            (_("cleared from the watch list"), counts["cleared"]),
            (_("still on the watch list"), counts["kept"]),
            (_("reviews brought forward"), counts["reviews_brought_forward"]),
        ]
        width = max(len(str(n)) for _label, n in lines)
        for label, number in lines:
            self.stdout.write(f"  {number:>{width}}  {label}")
