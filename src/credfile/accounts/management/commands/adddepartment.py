"""`credfile adddepartment CODE NAME`: create a department (业务部门)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.accounts.services import department_create
from credfile.core.commands import LocalizedCommand


class Command(LocalizedCommand):
    help = gettext_noop(
        "Create a department that owns credit files, e.g. adddepartment SALES1 销售一部."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help=_("short code, stored in capitals (e.g. SALES1)"))
        parser.add_argument("name", help=_("department name (e.g. 销售一部)"))

    def handle(self, *args: Any, **options: Any) -> None:
        department = department_create(code=options["code"], name=options["name"])
        self.stdout.write(
            _("Created department %(code)s (%(name)s).")
            % {"code": department.code, "name": department.name}
        )
