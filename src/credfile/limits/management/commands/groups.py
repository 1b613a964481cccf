"""`credfile groups --as USER [GROUP]`: customer groups with their exposure, limit and
headroom per currency; `credfile groups --as USER GROUP --add CODE --relation R [--head]`
and `--remove CODE` change the members (a credit manager), through the same services as
the group page and `/api/v1/customer-groups/`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from credfile.accounts.models import User
from credfile.core.commands import LocalizedCommand
from credfile.limits import selectors
from credfile.limits.choices import GroupRelation
from credfile.limits.models import CustomerGroup
from credfile.limits.services import group_member_add, group_member_remove


class Command(LocalizedCommand):
    help = gettext_noop(
        "List the customer groups the user named by --as may see, with exposure, group "
        "limit and headroom per currency; with a group id, its members, or add or remove one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("group", nargs="?", type=int, help=_("a group's id"))
        parser.add_argument(
            "--as", dest="actor", required=True, metavar="USERNAME", help=_("who asks")
        )
        parser.add_argument("--add", metavar="CODE", default="", help=_("add this customer"))
        parser.add_argument(
            "--relation",
            choices=GroupRelation.values,
            default=GroupRelation.AFFILIATE,
            help=_("how the customer added is related to the group"),
        )
        parser.add_argument("--head", action="store_true", help=_("as the head company"))
        parser.add_argument(
            "--remove", metavar="CODE", default="", help=_("take this customer out")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(
                _("--as: There is no active user %(username)s.") % {"username": options["actor"]}
            )
        if options["group"] is None:
            if options["add"] or options["remove"]:
                raise CommandError(_("Name the group's id to change its members."))
            for group in selectors.group_list(user=actor):
                self._positions(group, f"{group.pk:>6}  {group.name}")
            return
        try:
            group = selectors.group_get(user=actor, pk=options["group"])
        except Http404:
            raise CommandError(_("No customer group you may see has this id.")) from None
        if options["add"]:
            group_member_add(
                actor=actor,
                group=group,
                customer_ref=options["add"],
                relation=options["relation"],
                is_head=options["head"],
            )
        if options["remove"]:
            member = next(
                (
                    m
                    for m in selectors.visible_members(user=actor, group=group)
                    if m.customer.code == options["remove"].strip().upper()
                ),
                None,
            )
            if member is None:
                raise CommandError(_("This customer is not a member of the group."))
            group_member_remove(actor=actor, group=group, member_id=member.pk)
        self._positions(group, f"{group.pk:>6}  {group.name}")
        members = selectors.visible_members(user=actor, group=group)
        for m in members:
            head = f"  ({_('head company')})" if m.is_head else ""
            self.stdout.write(
                f"        {m.customer.code}  {m.customer.name}  {m.get_relation_display()}{head}"
            )
        others = selectors.outsider_count(user=actor, group=group, shown=len(members))
        if others:
            text = ngettext(
                "%(n)s other member outside your files.",
                "%(n)s other members outside your files.",
                others,
            )
            self.stdout.write("        " + text % {"n": others})

    def _positions(self, group: CustomerGroup, title: str) -> None:
        self.stdout.write(title)
        for p in selectors.group_positions(group.pk):
            limit = f"{p.amount:,.2f}" if p.amount is not None else "—"
            headroom = f"{p.headroom:,.2f}" if p.headroom is not None else "—"
            self.stdout.write(
                f"        {p.currency}  "
                + _("exposure %(exposure)s, limit %(limit)s, headroom %(headroom)s")
                % {"exposure": f"{p.exposure:,.2f}", "limit": limit, "headroom": headroom}
            )
