"""Importing invoices and payments: the rows of an ERP's receivables ledger.

A customer is named by its credfile code, its external code, its ID number or its credit
code, and must be a file the importing user may change. Several rows with one invoice
number for one customer are the lines of one invoice: their amounts add up, and they must
agree on dates and currency. A payment settles the invoice it names, never above what is
still open on it (counting the file's earlier rows for the same invoice); several rows with
one payment number for one customer are the parts of one payment that settle several
invoices, as an export writes a payment that settled several.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Model
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record_many, model_snapshot
from credfile.core import identifiers
from credfile.core.crypto import blind_index
from credfile.core.models import Currency
from credfile.core.permissions import Action, customer_scope
from credfile.customers.hooks import files_changed
from credfile.customers.models import Customer
from credfile.history.models import FileVersion
from credfile.history.services import created_versions
from credfile.imports.results import BATCH, Fail, ImportResult, batches, cells_of
from credfile.transactions.models import Invoice, Payment, PaymentAllocation
from credfile.transactions.services import invoice_clean, invoice_settlement_refresh

Progress = Callable[[int], None] | None
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str) -> datetime.date | None:
    """2026-01-05, 2026/1/5, 2026.01.05, 20260105 or 2026年1月5日; None if not a date."""
    text = text.strip()
    if "T" in text or " " in text:  # a date with a time of day (as xlsx gives dates)
        text = re.split(r"[T ]", text, maxsplit=1)[0]
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    text = text.replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def date_cell(cells: dict[str, str], name: str, fail: Fail) -> datetime.date | None:
    value = parse_date(cells.get(name, ""))
    if value is None and cells.get(name):
        fail(name, _("Not a date: write it as YYYY-MM-DD."))
    elif value is None:
        fail(name, _("Enter a date."))
    return value


def amount_cell(cells: dict[str, str], fail: Fail) -> Decimal | None:
    value = parse_amount(cells.get("amount", ""))
    if value is None:
        fail("amount", _("Enter a number."))
    elif value <= 0:
        fail("amount", _("The amount must be above zero."))
        return None
    return value


def resolve_customers(actor: User, refs: set[str]) -> dict[str, list[Customer]]:
    """{reference: files it names} among the files `actor` may change, by code, external
    code, credit code or ID number: four queries for the whole batch."""
    scope = Customer.objects.filter(customer_scope(actor, Action.CHANGE)).only(
        "pk", "code", "kind", "external_code", "credit_code", "id_number_bidx", "version"
    )
    found: dict[str, dict[int, Customer]] = defaultdict(dict)
    upper = {r.upper(): r for r in refs}
    for customer in scope.filter(code__in=list(upper)):
        found[upper[customer.code]][customer.pk] = customer
    # A file imported from another system (another credfile instance too) keeps the code it
    # had there as its external code, and the rows that come with it name it so; that code
    # may be some other file's credfile code here, and then names the file it came with.
    external: dict[str, dict[int, Customer]] = defaultdict(dict)
    for customer in scope.filter(external_code__in=list(refs)):
        external[customer.external_code][customer.pk] = customer
    for customer in scope.filter(credit_code__in=list(upper)):
        found[upper[customer.credit_code]][customer.pk] = customer
    ids: dict[str, str] = {}
    for ref in refs:
        try:
            ids[blind_index("ric", identifiers.clean_resident_id(ref))] = ref
        except ValidationError:
            continue
    for customer in scope.filter(id_number_bidx__in=list(ids)):
        found[ids[customer.id_number_bidx]][customer.pk] = customer
    found.update(external)
    return {ref: list(matches.values()) for ref, matches in found.items()}


def customer_ref(
    ref: str, known: dict[str, list[Customer]], fail: Fail, column: str = "customer"
) -> Customer | None:
    matches = known.get(ref, [])
    if not ref:
        fail(column, _("Name the customer."))
    elif not matches:
        # The same answer for a file outside one's scope: it does not exist for them.
        fail(column, _("No customer of yours has this code or number."))
    elif len(matches) > 1:
        fail(column, _("This names more than one customer; use the customer code."))
    else:
        return matches[0]
    return None


# --- invoices ---------------------------------------------------------------------------------


@dataclass
class _InvoiceDraft:
    row: int
    invoice: Invoice
    fail: Fail


def check_invoices(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Progress,
) -> list[Invoice]:
    drafts: dict[tuple[int, str], _InvoiceDraft] = {}
    done = 0
    currencies = {c.casefold(): c for c in Currency.values}
    for batch in batches(rows):
        refs = {
            values[positions["customer"]].strip()
            for _n, values in batch
            if positions["customer"] < len(values)
        }
        known = resolve_customers(actor, refs)
        for number, cells, fail in cells_of(positions, batch, result):
            customer = customer_ref(cells.get("customer", ""), known, fail)
            invoice_no = cells.get("invoice_no", "")
            if not invoice_no:
                fail("invoice_no", _("Enter the invoice number."))
            issued = date_cell(cells, "invoice_date", fail)
            due = parse_date(cells.get("due_date", "")) if cells.get("due_date") else None
            if cells.get("due_date") and due is None:
                fail("due_date", _("Not a date: write it as YYYY-MM-DD."))
            amount = amount_cell(cells, fail)
            currency = currencies.get(cells.get("currency", "").casefold() or "cny")
            if currency is None:
                fail("currency", _("No such currency."))
            if (
                customer is None
                or not invoice_no
                or issued is None
                or amount is None
                or not currency
            ):
                continue
            key = (customer.pk, invoice_no)
            draft = drafts.get(key)
            if draft is not None:
                # Another line of an invoice already begun on an earlier row.
                earlier = draft.invoice
                if earlier.currency != currency:
                    fail(
                        "currency",
                        _(
                            "Invoice %(number)s is in %(currency)s on row %(row)d: "
                            "one invoice has one currency."
                        )
                        % {"number": invoice_no, "currency": earlier.currency, "row": draft.row},
                    )
                elif earlier.issue_date != issued or (due and earlier.due_date != due):
                    fail(
                        "invoice_date",
                        _("Invoice %(number)s has other dates on row %(row)d.")
                        % {"number": invoice_no, "row": draft.row},
                    )
                else:
                    earlier.amount += amount
                continue
            invoice = Invoice(
                customer=customer,
                number=invoice_no,
                issue_date=issued,
                due_date=due or issued + datetime.timedelta(days=30),
                payment_terms_days=(due - issued).days if due and due >= issued else 30,
                amount=amount,
                currency=currency,
            )
            drafts[key] = _InvoiceDraft(number, invoice, fail)
        done += len(batch)
        if progress is not None:
            progress(done)
    # Set-based: the invoices on file already, by (customer, number), in one query a batch.
    new: list[Invoice] = []
    items = list(drafts.items())
    for chunk in batches(items):
        # Both sets, then the pairs: an OR per pair is too deep an expression for SQLite.
        on_file = set(
            Invoice.objects.filter(
                customer_id__in={k[0] for k, _d in chunk}, number__in={k[1] for k, _d in chunk}
            ).values_list("customer_id", "number")
        )
        for key, draft in chunk:
            if key in on_file:
                result.unchanged += 1
                continue
            try:
                invoice_clean(draft.invoice)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    column = {"issue_date": "invoice_date", "number": "invoice_no"}.get(name, name)
                    for message in messages:
                        draft.fail(column, message)
                continue
            new.append(draft.invoice)
    return new


def touch_files(customer_ids: set[int]) -> dict[int, int]:
    """Move each changed file's version on, as one change each; returns the new versions."""
    Customer.objects.filter(pk__in=customer_ids).update(version=F("version") + 1)
    versions = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "version"))
    files_changed(customer_ids=customer_ids)
    return versions


def lock_and_touch(customer_ids: set[int]) -> dict[int, int]:
    """Lock the files in one order, as every writer of a file's records does, then move each
    one's version on; returns the new versions."""
    ids = sorted(customer_ids)
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    return touch_files(set(ids)) if ids else {}


def insert_records(
    actor: User, model: type[Model], new: list[Any], versions: dict[int, int]
) -> None:
    """Bulk-insert a file's new records in batches, each with its history and audit records."""
    size = None if connection.vendor == "sqlite" else BATCH
    for batch in batches(new):
        model._default_manager.bulk_create(batch, batch_size=size)
        FileVersion.objects.bulk_create(
            created_versions(actor=actor, objects=batch, versions=versions), batch_size=size
        )
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(batch),
            after=[model_snapshot(record) for record in batch],
        )


def write_invoices(actor: User, new: list[Invoice], result: ImportResult) -> None:
    versions = lock_and_touch({i.customer_id for i in new})
    insert_records(actor, Invoice, new, versions)
    result.created = len(new)


# --- payments ---------------------------------------------------------------------------------


@dataclass
class PaymentPlan:
    payments: list[Payment] = field(default_factory=list)
    # Each part of a payment: the payment, the invoice it settles and the amount.
    settles: list[tuple[Payment, Invoice, Decimal]] = field(default_factory=list)


def check_payments(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Progress,
) -> PaymentPlan:
    plan = PaymentPlan()
    # (customer, payment number) → the first row, its payment and the invoices it settles.
    seen: dict[tuple[int, str], tuple[int, Payment, set[int]]] = {}
    invoices: dict[int, Invoice] = {}
    done = 0
    scope = customer_scope(actor, Action.CHANGE, prefix="customer__")
    for batch in batches(rows):
        numbers = {
            values[positions["invoice_no"]].strip()
            for _n, values in batch
            if positions["invoice_no"] < len(values)
        }
        by_number: dict[str, list[Invoice]] = defaultdict(list)
        for row in Invoice.objects.filter(scope, number__in=numbers):
            # One instance per invoice across batches, so later rows see earlier settlements.
            kept = invoices.setdefault(row.pk, row)
            by_number[kept.number].append(kept)
        refs = (
            {
                values[positions["customer"]].strip()
                for _n, values in batch
                if positions["customer"] < len(values)
            }
            if "customer" in positions
            else set()
        )
        known = resolve_customers(actor, refs) if refs else {}
        pending: list[tuple[Invoice, str, Payment, Decimal, Fail]] = []
        for number, cells, fail in cells_of(positions, batch, result):
            payment_no = cells.get("payment_no", "")
            if not payment_no:
                fail("payment_no", _("Enter the payment number."))
            received = date_cell(cells, "pay_date", fail)
            amount = amount_cell(cells, fail)
            matches = by_number.get(cells.get("invoice_no", ""), [])
            if cells.get("customer"):
                customer = customer_ref(cells["customer"], known, fail)
                matches = [i for i in matches if customer and i.customer_id == customer.pk]
            invoice = None
            if not cells.get("invoice_no"):
                fail("invoice_no", _("Enter the invoice number."))
            elif not matches:
                fail("invoice_no", _("No invoice of yours has this number."))
            elif len(matches) > 1:
                fail(
                    "invoice_no",
                    _(
                        "Several customers have an invoice with this number; "
                        "add the customer column."
                    ),
                )
            else:
                invoice = matches[0]
            if invoice is None or not payment_no or received is None or amount is None:
                continue
            key = (invoice.customer_id, payment_no)
            if key in seen:
                first, payment, invoices_settled = seen[key]
                if invoice.pk in invoices_settled:
                    fail(
                        "payment_no",
                        _("The same payment is on row %(row)d already.") % {"row": first},
                    )
                    continue
                if payment.received_on != received:
                    fail(
                        "pay_date",
                        _("Payment %(number)s has another date on row %(row)d.")
                        % {"number": payment_no, "row": first},
                    )
                    continue
                if payment.currency != invoice.currency:
                    fail(
                        "invoice_no",
                        _(
                            "Payment %(number)s is in %(currency)s on row %(row)d: "
                            "one payment has one currency."
                        )
                        % {"number": payment_no, "currency": payment.currency, "row": first},
                    )
                    continue
                # Another part of a payment begun on an earlier row.
                invoices_settled.add(invoice.pk)
            else:
                payment = Payment(
                    customer_id=invoice.customer_id,
                    received_on=received,
                    amount=Decimal("0"),
                    currency=invoice.currency,
                    reference=payment_no,
                    recorded_by=actor,
                )
                seen[key] = (number, payment, {invoice.pk})
            pending.append((invoice, payment_no, payment, amount, fail))
        # Set-based: payments on file already, matched by their number (kept as reference).
        on_file = set(
            Payment.objects.filter(
                customer_id__in={i.customer_id for i, _no, _p, _a, _f in pending},
                reference__in={no for _i, no, _p, _a, _f in pending},
            ).values_list("customer_id", "reference")
        )
        for invoice, payment_no, payment, amount, fail in pending:
            if (invoice.customer_id, payment_no) in on_file:
                result.unchanged += 1
                continue
            if amount > invoice.open_amount:
                fail(
                    "amount",
                    _("%(amount)s is more than the open amount %(open)s of invoice %(number)s.")
                    % {
                        "amount": amount,
                        "open": invoice.open_amount,
                        "number": invoice.number,
                    },
                )
                continue
            new_payment = not payment.amount
            payment.amount += amount
            try:
                payment.full_clean(
                    exclude=["customer", "recorded_by"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        fail({"received_on": "pay_date"}.get(name, name), message)
                continue
            # Later rows of the file see what this one settles.
            invoice.amount_paid += amount
            if new_payment:
                plan.payments.append(payment)
            plan.settles.append((payment, invoice, amount))
        done += len(batch)
        if progress is not None:
            progress(done)
    return plan


def write_payments(actor: User, plan: PaymentPlan, result: ImportResult) -> None:
    size = None if connection.vendor == "sqlite" else BATCH
    ids = sorted({p.customer_id for p in plan.payments})
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    settled = {invoice.pk: invoice for _p, invoice, _a in plan.settles}
    # The invoices as they are now, locked: a payment recorded meanwhile counts too.
    current = {
        i.pk: i
        for i in Invoice.objects.select_for_update().filter(pk__in=list(settled)).order_by("pk")
    }
    added: dict[int, Decimal] = defaultdict(Decimal)
    for _p, invoice, amount in plan.settles:
        added[invoice.pk] += amount
    for pk, amount in added.items():
        if current[pk].amount_paid + amount > current[pk].amount:
            raise ValidationError(
                {
                    "amount": [
                        _("Invoice %(number)s was paid meanwhile; check the file again.")
                        % {"number": current[pk].number}
                    ]
                }
            )
    versions = touch_files(set(ids)) if ids else {}
    Payment.objects.bulk_create(plan.payments, batch_size=size)
    allocations = [
        PaymentAllocation(payment=payment, invoice_id=invoice.pk, amount=amount)
        for payment, invoice, amount in plan.settles
    ]
    PaymentAllocation.objects.bulk_create(allocations, batch_size=size)
    # From the allocations, so a row dated before a payment on file already does not make
    # the invoice paid in full on its own, earlier date.
    invoice_settlement_refresh(invoice_ids=settled)
    for chunk in batches(plan.payments):
        FileVersion.objects.bulk_create(
            created_versions(actor=actor, objects=chunk, versions=versions), batch_size=size
        )
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(chunk),
            after=[model_snapshot(p) for p in chunk],
        )
    for chunk in batches(allocations):
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(chunk),
            after=[model_snapshot(a) for a in chunk],
            customer_ids=[a.payment.customer_id for a in chunk],
        )
    result.created = len(plan.payments)
