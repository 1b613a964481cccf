"""What needs approval, and how an approved change is applied.

Field groups (`FieldGroup`) and the fields in each:

- identity — the file's kind, name, identity numbers (ID, passport, unified social credit
  code), gender and birth date, legal representative, registered capital and its currency,
  establishment date, business scope, bank and bank account;
- classification — category, profit contribution, industry, status (and the ratings and
  limits other apps register with `register_customer_fields`);
- financial — corrections of an individual's financial information and of an
  organisation's financial statements (every field of the record);
- transactions — corrections of contracts, invoices and payments;
- deletion — deleting a file or one of its records.

Every other field of a file (phone, e-mail, website, province, city, remarks, owning
department, account manager, tags) applies directly, and so do adding a record and
correcting a record outside these groups (contacts, addresses, service records, notes).
Which groups need approval is set by `CREDFILE_APPROVAL_GROUPS` (all five by default); a
group left out applies directly too.

Each app registers the kinds of record it owns (`register_target`, from its
`AppConfig.ready`), with the private functions of its own services that apply a change, so
an approved change is validated by the same rules as a direct one; this module imports none
of those apps.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from credfile.accounts.models import User
from credfile.changes.choices import FieldGroup
from credfile.core.sealed import Sealed
from credfile.customers.models import Customer
from credfile.customers.services import customer_delete, customer_update

CUSTOMER_LABEL = "customers.customer"

CUSTOMER_FIELD_GROUPS: dict[str, str] = {
    **dict.fromkeys(
        (
            "kind",
            "name",
            "id_number",
            "passport_number",
            "gender",
            "birth_date",
            "credit_code",
            "legal_representative",
            "registered_capital",
            "registered_capital_currency",
            "established_on",
            "business_scope",
            "bank_name",
            "bank_account",
        ),
        FieldGroup.IDENTITY.value,
    ),
    **dict.fromkeys(
        ("category", "profit_class", "industry", "status"), FieldGroup.CLASSIFICATION.value
    ),
}

Update = Callable[[User, Customer, Any, dict[str, Any], dict[str, Any]], Any]
Delete = Callable[[User, Customer, Any], Any]


@dataclass(frozen=True)
class Target:
    """A kind of object a change request may change: the file itself or a kind of record."""

    label: str  # model label, e.g. "transactions.invoice"
    slug: str  # in page URLs
    model: type[models.Model]
    # The group of every field of a record (None: its corrections apply directly); the
    # file's fields have a group each (CUSTOMER_FIELD_GROUPS).
    group: str | None
    fields: tuple[str, ...]
    section: str  # the file's section that shows it
    update: Update
    delete: Delete
    # The fields its edit form requires: those the record cannot do without.
    required: tuple[str, ...] = ()

    def group_of(self, field: str) -> str | None:
        if self.label == CUSTOMER_LABEL:
            return CUSTOMER_FIELD_GROUPS.get(field)
        return self.group if field in self.fields else None

    def fields_of(self, group: str) -> set[str]:
        return {f for f in self.fields if self.group_of(f) == group}


def _customer_update(
    actor: User, customer: Customer, obj: Any, fields: dict[str, Any], options: dict[str, Any]
) -> Any:
    return customer_update(
        actor=actor,
        customer=customer,
        fields=fields,
        confirm_similar_name=bool(options.get("confirm_similar_name")),
    )


def _customer_delete(actor: User, customer: Customer, obj: Any) -> None:
    customer_delete(actor=actor, customer=customer)


TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> None:
    """Let change requests change another kind of record (an app's own, e.g. ratings)."""
    TARGETS[target.label] = target


def register_customer_fields(group: str, fields: tuple[str, ...]) -> None:
    """Put more of the file's fields (e.g. a rating or a credit limit) under approval."""
    for name in fields:
        CUSTOMER_FIELD_GROUPS[name] = group
    target = TARGETS[CUSTOMER_LABEL]
    extra = tuple(f for f in fields if f not in target.fields)
    TARGETS[CUSTOMER_LABEL] = dataclasses.replace(target, fields=target.fields + extra)


register_target(
    Target(
        label=CUSTOMER_LABEL,
        slug="customer",
        model=Customer,
        group=None,
        fields=tuple(CUSTOMER_FIELD_GROUPS),
        section="basic",
        update=_customer_update,
        delete=_customer_delete,
    )
)


def target_for(label: str) -> Target:
    return TARGETS[label]


def target_by_slug(slug: str) -> Target | None:
    return next((t for t in TARGETS.values() if t.slug == slug), None)


def approval_groups() -> frozenset[str]:
    """The groups whose changes need approval (CREDFILE_APPROVAL_GROUPS)."""
    return frozenset(getattr(settings, "CREDFILE_APPROVAL_GROUPS", FieldGroup.values))


def needs_approval(group: str | None) -> bool:
    return group is not None and group in approval_groups()


# --- values in a proposal: JSON in, model values out ---------------------------------------------


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def decode(model: type[models.Model], name: str, value: Any) -> Any:
    """A proposal's JSON value as the model's services take it."""
    if value is None:
        return None
    attribute = getattr(model, name, None)
    if isinstance(attribute, Sealed):
        if value == "":
            return ""
        if attribute.kind is Decimal:
            return Decimal(str(value))
        if attribute.kind is datetime.date:
            return datetime.date.fromisoformat(str(value))
        return value
    field = model._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return field.related_model._default_manager.get(pk=value)
    return field.to_python(value)  # type: ignore[union-attr]
