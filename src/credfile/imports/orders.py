"""Importing open orders (未结订单): orders taken and shipments not yet invoiced, from the
ERP's export. An order is named by its customer and reference: a row for an order already on
file with the same amount, currency and kind is the order imported before; with other values
it is refused (a change goes through the file page or the API, which update it audited)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record_many
from credfile.core.models import Currency
from credfile.customers.models import Customer
from credfile.imports.receivables import customer_ref, parse_amount, resolve_customers
from credfile.imports.results import ImportResult, batches, cells_of
from credfile.limits.choices import OrderKind
from credfile.limits.models import OpenOrder
from credfile.limits.orders import REFERENCE_MAX, snapshot, writable_customer_ids


def _kinds() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in OrderKind.choices:
        lookup[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    lookup.update(
        {"订单": OrderKind.ORDER, "发货": OrderKind.SHIPMENT, "发货单": OrderKind.SHIPMENT}
    )
    return lookup


def check_open_orders(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> list[OpenOrder]:
    currencies = {c.casefold(): c for c in Currency.values}
    kinds = _kinds()
    new: list[OpenOrder] = []
    seen: dict[tuple[int, str], int] = {}
    done = 0
    for batch in batches(rows):
        refs = {
            values[positions["customer"]].strip()
            for _n, values in batch
            if positions["customer"] < len(values)
        }
        known = resolve_customers(actor, refs)
        ids = {c.pk for matches in known.values() for c in matches}
        writable = writable_customer_ids(actor, ids)
        on_file = {
            (o.customer_id, o.reference): (o.amount, o.currency, o.kind)
            for o in OpenOrder.objects.filter(customer_id__in=ids).only(
                "customer_id", "reference", "amount", "currency", "kind"
            )
        }
        for number, cells, fail in cells_of(positions, batch, result):
            ok = True
            customer = customer_ref(cells.get("customer", ""), known, fail)
            if customer is not None and customer.pk not in writable:
                fail("customer", _("You may not record orders for this customer."))
                customer = None
            reference = cells.get("reference", "")
            if not reference:
                fail("reference", _("Give the order's reference."))
                ok = False
            elif len(reference) > REFERENCE_MAX:
                fail(
                    "reference",
                    _("A reference has at most %(max)d characters.") % {"max": REFERENCE_MAX},
                )
                ok = False
            amount: Decimal | None = None
            text = cells.get("amount", "")
            if not text:
                fail("amount", _("Enter an amount."))
                ok = False
            else:
                amount = parse_amount(text)
                if amount is None:
                    fail("amount", _("Enter a number."))
                    ok = False
                elif amount <= 0:
                    fail("amount", _("An order's amount must be above zero."))
                    ok = False
            currency = currencies.get(cells.get("currency", "").casefold() or "cny")
            if currency is None:
                fail("currency", _("No such currency."))
                ok = False
            kind = kinds.get(cells.get("kind", "").casefold() or "order")
            if kind is None:
                fail("kind", _("Write order or shipment (订单 or 发货)."))
                ok = False
            if customer is None or not ok or amount is None or currency is None or kind is None:
                continue
            key = (customer.pk, reference)
            if key in seen:
                fail(
                    "reference",
                    _("The same order is on row %(row)d already.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            if key in on_file:
                if on_file[key] == (amount, currency, kind):
                    result.unchanged += 1
                else:
                    fail(
                        "reference",
                        _(
                            "An order with this reference is already recorded with other "
                            "values; change it on the credit file or through the API."
                        ),
                    )
                continue
            new.append(
                OpenOrder(
                    customer_id=customer.pk,
                    reference=reference,
                    amount=amount,
                    currency=currency,
                    kind=kind,
                )
            )
        done += len(batch)
        if progress is not None:
            progress(done)
    return new


def write_open_orders(actor: User, new: list[OpenOrder], result: ImportResult) -> None:
    ids = sorted({o.customer_id for o in new})
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    for batch in batches(new):
        OpenOrder.objects.bulk_create(batch)
        if any(o.pk is None for o in batch):
            keys = {(o.customer_id, o.reference): o for o in batch}
            for pk, customer_id, reference in OpenOrder.objects.filter(
                customer_id__in={o.customer_id for o in batch},
                reference__in={o.reference for o in batch},
            ).values_list("pk", "customer_id", "reference"):
                if (customer_id, reference) in keys:
                    keys[(customer_id, reference)].pk = pk
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(batch),
            after=[snapshot(o) for o in batch],
        )
    result.created = len(new)
