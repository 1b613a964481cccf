"""Importing contacts: people to talk to about a customer.

A contact is named by its customer (code, external code, ID number or credit code) and its
name: a row whose customer already has a contact of that name was imported before. A
primary contact in the file replaces the customer's primary contact on file.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.customers.choices import ContactRole
from credfile.customers.models import Contact
from credfile.customers.services import contact_clean
from credfile.imports.receivables import (
    customer_ref,
    insert_records,
    lock_and_touch,
    resolve_customers,
)
from credfile.imports.results import ImportResult, batches, cells_of

_YES = {"1", "yes", "y", "true", "是", "√", "x"}
_NO = {"", "0", "no", "n", "false", "否"}


def _roles() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in ContactRole.choices:
        lookup[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


def check_contacts(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> list[Contact]:
    roles = _roles()
    new: list[Contact] = []
    seen: dict[tuple[int, str], int] = {}
    primary: dict[int, int] = {}
    done = 0
    for batch in batches(rows):
        refs = {
            values[positions["customer"]].strip()
            for _n, values in batch
            if positions["customer"] < len(values)
        }
        known = resolve_customers(actor, refs)
        ids = {c.pk for matches in known.values() for c in matches}
        on_file = set(
            Contact.objects.filter(customer_id__in=ids).values_list("customer_id", "name")
        )
        for number, cells, fail in cells_of(positions, batch, result):
            customer = customer_ref(cells.get("customer", ""), known, fail)
            name = cells.get("name", "")
            role = roles.get(cells.get("role", "").casefold() or ContactRole.OTHER)
            if role is None:
                fail("role", _("No such role."))
            flag = cells.get("is_primary", "").casefold()
            if flag not in _YES | _NO:
                fail("is_primary", _("Write yes or no (是 or 否)."))
            if customer is None or role is None or flag not in _YES | _NO:
                continue
            key = (customer.pk, name)
            if key in on_file:
                result.unchanged += 1
                continue
            if key in seen:
                fail("name", _("The same contact is on row %(row)d already.") % {"row": seen[key]})
                continue
            seen[key] = number
            contact = Contact(
                customer=customer,
                name=name,
                role=role,
                title=cells.get("title", ""),
                email=cells.get("email", ""),
                is_primary=flag in _YES,
            )
            # Sealed values: assigning seals them with the row's identity and indexes them.
            contact.mobile = cells.get("mobile", "")
            contact.phone = cells.get("phone", "")
            if contact.is_primary and customer.pk in primary:
                fail(
                    "is_primary",
                    _("Row %(row)d names this customer's primary contact already.")
                    % {"row": primary[customer.pk]},
                )
                continue
            try:
                contact_clean(contact)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        fail(field, message)
                continue
            if contact.is_primary:
                primary[customer.pk] = number
            new.append(contact)
        done += len(batch)
        if progress is not None:
            progress(done)
    return new


def write_contacts(actor: User, new: list[Contact], result: ImportResult) -> None:
    versions = lock_and_touch({c.customer_id for c in new})
    # One primary contact per file: the file's new one replaces the one on file.
    Contact.objects.filter(
        customer_id__in={c.customer_id for c in new if c.is_primary}, is_primary=True
    ).update(is_primary=False)
    insert_records(actor, Contact, new, versions)
    result.created = len(new)
