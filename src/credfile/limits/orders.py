"""Open orders kept by an ERP (docs/limits.md): recorded by reference, updated when the
amount changes, closed when invoiced or cancelled. Every write is one transaction with its
audit events; re-sending an order as it is changes nothing.

An order is known by (customer, reference): sending the same reference again answers with
the order already kept, and a different amount, currency or kind updates it (audited with
the values before and after). A closed order is not reopened by sending it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, audit_record_many
from credfile.core import identifiers
from credfile.core.crypto import blind_index
from credfile.core.models import Currency
from credfile.core.permissions import Action, Section, customer_scope, open_order_scope
from credfile.customers.models import Customer
from credfile.limits.choices import OrderClosing, OrderKind
from credfile.limits.models import OpenOrder

REFERENCE_MAX = OpenOrder._meta.get_field("reference").max_length or 60
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def bulk_max() -> int:
    """The most orders one bulk request may carry (CREDFILE_OPEN_ORDERS_BULK_MAX)."""
    return int(settings.CREDFILE_OPEN_ORDERS_BULK_MAX)


@dataclass(frozen=True)
class OrderData:
    """One order as sent: the file already resolved, the values not yet checked."""

    customer: Customer
    reference: str
    amount: Decimal
    currency: str
    kind: str


@dataclass
class Written:
    order: OpenOrder
    outcome: str  # CREATED, UPDATED or UNCHANGED


def snapshot(order: OpenOrder) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "amount": str(order.amount),
        "currency": order.currency,
        "kind": order.kind,
        "is_open": order.is_open,
        "closed_as": order.closed_as,
    }


def order_errors(data: OrderData) -> dict[str, list[str]]:
    """What is wrong with an order's values, by field (empty when nothing is)."""
    errors: dict[str, list[str]] = {}
    reference = data.reference.strip()
    if not reference:
        errors["reference"] = [_("Give the order's reference.")]
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = [
            _("A reference has at most %(max)d characters.") % {"max": REFERENCE_MAX}
        ]
    if data.amount is None or data.amount <= 0:
        errors["amount"] = [_("An order's amount must be above zero.")]
    if data.currency not in Currency.values:
        errors["currency"] = [_("Unknown currency.")]
    if data.kind not in OrderKind.values:
        errors["kind"] = [_("The kind is an order or a shipment.")]
    return errors


# --- reads -------------------------------------------------------------------------------------


def visible_orders(user: User) -> QuerySet[OpenOrder]:
    """The open orders of the files whose limits section the user may view."""
    return OpenOrder.objects.filter(
        customer_scope(user, Action.VIEW, prefix="customer__", section=Section.LIMITS)
    )


def file_orders(customer: Customer, *, limit: int = 50) -> list[OpenOrder]:
    """The file's orders on its page: the open ones first, newest first."""
    return list(OpenOrder.objects.filter(customer=customer).order_by("-is_open", "-pk")[:limit])


def writable_customer_ids(user: User, ids: Iterable[int]) -> set[int]:
    """The ids among `ids` whose open orders `user` may record and close: one query."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    return set(
        Customer.objects.filter(open_order_scope(user), pk__in=wanted).values_list("pk", flat=True)
    )


def resolve_customers(user: User, refs: Sequence[str]) -> dict[str, list[Customer]]:
    """{ref: the files it names} for many refs at once (as `services.find_customers` does for
    one: credfile code, external code, credit code or ID number, among the files whose
    limits the user may view): a fixed number of queries, whatever the number of refs."""
    cleaned = {ref: ref.strip() for ref in refs}
    scope = Customer.objects.filter(customer_scope(user, Action.VIEW, section=Section.LIMITS)).only(
        "pk", "code", "name", "kind", "department_id", "account_manager_id"
    )
    values = set(cleaned.values())
    upper = {v.upper() for v in values}
    indexes: dict[str, str] = {}
    for value in values:
        try:
            index = blind_index("ric", identifiers.clean_resident_id(value))
        except ValidationError:
            index = ""
        if index:
            indexes[value] = index
    match = (
        Q(code__in=upper)
        | Q(external_code__in=values)
        | Q(credit_code__in=upper)
        | Q(id_number_bidx__in=list(indexes.values()))
    )
    found = list(scope.filter(match)) if values else []
    result: dict[str, list[Customer]] = {}
    for ref, value in cleaned.items():
        index = indexes.get(value, "")
        result[ref] = [
            c
            for c in found
            if c.code == value.upper()
            or (c.external_code and c.external_code == value)
            or (c.credit_code and c.credit_code == value.upper())
            or (index and c.id_number_bidx == index)
        ]
    return result


# --- writes ------------------------------------------------------------------------------------


def _changes(order: OpenOrder, data: OrderData) -> dict[str, Any]:
    new = {"amount": data.amount, "currency": data.currency, "kind": data.kind}
    return {k: v for k, v in new.items() if getattr(order, k) != v}


@transaction.atomic
def open_order_put(*, actor: User, data: OrderData) -> Written:
    """Record an order, or answer with the one kept under its reference (updated if its
    amount, currency or kind differ)."""
    errors = order_errors(data)
    if errors:
        raise ValidationError(errors)
    locked = (
        Customer.objects.select_for_update()
        .filter(open_order_scope(actor), pk=data.customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not record orders for this customer."))
    reference = data.reference.strip()
    existing = (
        OpenOrder.objects.select_for_update().filter(customer=locked, reference=reference).first()
    )
    if existing is None:
        order = OpenOrder.objects.create(
            customer=locked,
            reference=reference,
            amount=data.amount,
            currency=data.currency,
            kind=data.kind,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=order,
            customer_id=locked.pk,
            after=snapshot(order),
        )
        return Written(order, CREATED)
    changes = _changes(existing, data)
    if not changes:
        return Written(existing, UNCHANGED)
    if not existing.is_open:
        raise ValidationError(
            {"reference": [_("This order is closed; send a new reference for a new order.")]}
        )
    before = snapshot(existing)
    for name, value in changes.items():
        setattr(existing, name, value)
    existing.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=existing,
        customer_id=locked.pk,
        before=before,
        after=snapshot(existing),
    )
    return Written(existing, UPDATED)


@transaction.atomic
def open_order_close(*, actor: User, order: OpenOrder, closed_as: str) -> OpenOrder:
    """Close an order (invoiced or cancelled): it no longer counts as exposure. Closing a
    closed order changes nothing."""
    if closed_as not in OrderClosing.values:
        raise ValidationError({"closed_as": [_("An order is closed as invoiced or cancelled.")]})
    locked = (
        OpenOrder.objects.select_for_update()
        .filter(open_order_scope(actor, prefix="customer__"), pk=order.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not close orders of this customer."))
    if not locked.is_open:
        return locked
    before = snapshot(locked)
    locked.is_open = False
    locked.closed_as = closed_as
    locked.closed_at = timezone.now()
    locked.save(update_fields=["is_open", "closed_as", "closed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        customer_id=locked.customer_id,
        before=before,
        after=snapshot(locked),
    )
    return locked


class RowErrors(Exception):
    """Some rows of a bulk request are wrong: `rows[i]` holds row i's errors by field (empty
    for a good row). Nothing was written."""

    def __init__(self, rows: list[dict[str, list[str]]]) -> None:
        super().__init__("rows")
        self.rows = rows


@dataclass
class BulkResult:
    written: list[Written]

    def count(self, outcome: str) -> int:
        return sum(1 for w in self.written if w.outcome == outcome)


@transaction.atomic
def open_orders_bulk(*, actor: User, rows: Sequence[OrderData]) -> BulkResult:
    """Record many orders in one transaction: all of them or none. Raises RowErrors when any
    row is wrong. A fixed number of queries, plus one update per changed order."""
    if len(rows) > bulk_max():
        raise ValidationError(
            {"rows": [_("At most %(max)d orders in one request.") % {"max": bulk_max()}]}
        )
    if not rows:
        raise ValidationError({"rows": [_("Send at least one order.")]})
    row_errors: list[dict[str, list[str]]] = [order_errors(r) for r in rows]
    allowed = writable_customer_ids(actor, (r.customer.pk for r in rows))
    seen: dict[tuple[int, str], int] = {}
    for i, row in enumerate(rows):
        if row.customer.pk not in allowed:
            row_errors[i].setdefault("customer", []).append(
                _("You may not record orders for this customer.")
            )
        key = (row.customer.pk, row.reference.strip())
        if key in seen:
            row_errors[i].setdefault("reference", []).append(
                _("The same order is in row %(row)d.") % {"row": seen[key] + 1}
            )
        seen.setdefault(key, i)
    customer_ids = sorted({r.customer.pk for r in rows})
    # Hold the files: a concurrent request for the same references waits for this one.
    list(Customer.objects.select_for_update().filter(pk__in=customer_ids).values_list("pk"))
    kept = {
        (o.customer_id, o.reference): o
        for o in OpenOrder.objects.select_for_update().filter(
            customer_id__in=customer_ids, reference__in={r.reference.strip() for r in rows}
        )
    }
    for i, row in enumerate(rows):
        existing = kept.get((row.customer.pk, row.reference.strip()))
        if existing is not None and not existing.is_open and _changes(existing, row):
            row_errors[i].setdefault("reference", []).append(
                _("This order is closed; send a new reference for a new order.")
            )
    if any(row_errors):
        raise RowErrors(row_errors)
    written: list[Written] = []
    new: list[OpenOrder] = []
    for row in rows:
        existing = kept.get((row.customer.pk, row.reference.strip()))
        if existing is None:
            order = OpenOrder(
                customer_id=row.customer.pk,
                reference=row.reference.strip(),
                amount=row.amount,
                currency=row.currency,
                kind=row.kind,
            )
            new.append(order)
            written.append(Written(order, CREATED))
            continue
        changes = _changes(existing, row)
        if not changes:
            written.append(Written(existing, UNCHANGED))
            continue
        before = snapshot(existing)
        for name, value in changes.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=existing,
            customer_id=existing.customer_id,
            before=before,
            after=snapshot(existing),
        )
        written.append(Written(existing, UPDATED))
    if new:
        created = OpenOrder.objects.bulk_create(new)
        if any(o.pk is None for o in created):
            # Databases that do not return the ids of a bulk insert: read them back.
            ids = {
                (o.customer_id, o.reference): o.pk
                for o in OpenOrder.objects.filter(
                    customer_id__in=customer_ids, reference__in=[o.reference for o in new]
                )
            }
            for o in new:
                o.pk = ids[(o.customer_id, o.reference)]
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(new),
            after=[snapshot(o) for o in new],
        )
    return BulkResult(written)
