"""The customers app's own sections of the file page and kinds of record under change
control: the basic information, contacts and addresses."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.changes.registry import Target, register_target
from credfile.core.permissions import Section as Policy
from credfile.customers import forms as cf
from credfile.customers.models import Address, Contact, Customer
from credfile.customers.sections import RecordKind, Section, register_section
from credfile.customers.services import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    _address_delete,
    _address_update,
    _contact_delete,
    _contact_update,
    address_create,
    contact_create,
)


def _plain(form: Any) -> Any:
    """A form class that takes no customer: called as the registry calls every form."""
    return lambda data=None, customer=None, **kwargs: form(data, **kwargs)


def _contacts(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {
        "contacts": list(customer.contacts.select_related("verified_by")),
        "addresses": list(customer.addresses.all()),
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.BASIC,
            title=_("Basic information"),
            template="customers/sections/basic.html",
            order=0,
            reveal_fields=("id_number", "passport_number", "birth_date", "phone", "bank_account"),
        )
    )
    register_section(
        Section(
            slug=Policy.CONTACTS,
            title=_("Contacts"),
            template="customers/sections/contacts.html",
            order=10,
            context=_contacts,
            records=(
                RecordKind("contact", _("Add a contact"), _plain(cf.ContactForm), contact_create),
                RecordKind("address", _("Add an address"), _plain(cf.AddressForm), address_create),
            ),
            reveal_fields=("mobile", "phone"),
            counted=Contact,
        )
    )
    # Contacts and addresses are not credit-relevant: corrections apply at once, deletions
    # as the deletion group says.
    register_target(
        Target(
            label="customers.contact",
            slug="contact",
            model=Contact,
            group=None,
            fields=CONTACT_FIELDS,
            section=Policy.CONTACTS,
            update=lambda actor, customer, obj, fields, options: _contact_update(
                actor=actor, contact=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _contact_delete(actor=actor, contact=obj),
            required=("name",),
        )
    )
    register_target(
        Target(
            label="customers.address",
            slug="address",
            model=Address,
            group=None,
            fields=ADDRESS_FIELDS,
            section=Policy.CONTACTS,
            update=lambda actor, customer, obj, fields, options: _address_update(
                actor=actor, address=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _address_delete(actor=actor, address=obj),
            required=("line",),
        )
    )
