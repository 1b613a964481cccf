"""Exports in the import's own columns: the customer list, its invoices and its payments.

A file exported here imports into another instance (`credfile import KIND FILE`): the columns
are those of `imports.columns`, the headers their labels in the user's language (which the
import reads in either language), a customer named by its external code, or by its credfile
code where it has none, amounts as plain decimal strings beside their currency.

The rows are the files of the user's export scope (`file_export_scope`) filtered as the
customer list is, read in keyset batches and written to a temporary file, so memory stays
flat whatever the size; the export is one audit event with its filters, format and row
count, written in the same transaction once the rows are known. Sealed values are masked
unless the user asks for them in clear and holds the reveal right on that file; every file
shown in clear is also a `reveal` event of its own, so "who looked at this file" finds it.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, audit_record_many
from credfile.core.identifiers import format_phone
from credfile.core.masking import mask
from credfile.core.permissions import Action, customer_scope, scope_flag
from credfile.customers.choices import CustomerKind, Industry, Province
from credfile.customers.models import Customer
from credfile.customers.selectors import CustomerFilters, customer_export_queryset
from credfile.imports.columns import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, Column
from credfile.transactions.models import Invoice, PaymentAllocation

BATCH = 2000
FORMATS = ("csv", "xlsx")
KINDS = ("customers", "invoices", "payments")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The sealed values of a customer row, by column.
SEALED_COLUMNS = ("id_number", "phone")
# The payment import has no currency column (a payment is in its invoice's currency); the
# export writes it all the same, so that no amount stands without its currency.
CURRENCY = Column("currency", INVOICE_COLUMNS[-1].label)


@dataclass
class ExportFile:
    """A finished export: the file (a temporary file at its start; closing deletes it)."""

    kind: str
    file_format: str
    handle: IO[bytes]
    rows: int
    in_clear: int
    filename: str = ""

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_format]


@dataclass
class _Tally:
    rows: int = 0
    # (id, code, name, the columns shown in clear) of each file shown in clear: a few
    # values, not the row, so a large export keeps its memory flat.
    revealed: list[tuple[int, str, str, list[str]]] = field(default_factory=list)


def columns_of(kind: str) -> tuple[Column, ...]:
    if kind == "customers":
        return CUSTOMER_COLUMNS
    if kind == "invoices":
        return INVOICE_COLUMNS
    return (*PAYMENT_COLUMNS, CURRENCY)


def header(kind: str) -> list[str]:
    """The column labels in the active language: the import reads them back in either."""
    return [capfirst(str(c.label)) for c in columns_of(kind)]


def file_reference(customer: Customer) -> str:
    """How an export names a file: its external code, or its credfile code where it has
    none — the customers export's `external_code` and the `customer` of the others."""
    return customer.external_code or customer.code


def _batches(queryset: models.QuerySet[Any]) -> Iterator[Any]:
    """The rows in primary-key order, one keyset batch at a time (no OFFSET, no cursor left
    open across the writing)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value else ""


def _customer_rows(
    actor: User, customers: models.QuerySet[Customer], reveal: bool, tally: _Tally
) -> Iterator[list[Any]]:
    queryset = customers.select_related("department").annotate(
        may_reveal=scope_flag(customer_scope(actor, Action.REVEAL))
    )
    for customer in _batches(queryset):
        clear = reveal and bool(customer.may_reveal)
        sealed = {"id_number": customer.id_number or "", "phone": customer.phone or ""}
        shown = [name for name in SEALED_COLUMNS if sealed[name]]
        if clear:
            if shown:
                tally.revealed.append((customer.pk, customer.code, customer.name, shown))
            id_number, phone = sealed["id_number"], format_phone(sealed["phone"])
        else:
            id_number, phone = (
                mask("id_number", sealed["id_number"]),
                mask("phone", sealed["phone"]),
            )
        tally.rows += 1
        yield [
            file_reference(customer),
            _label(CustomerKind, customer.kind),
            customer.name,
            id_number,
            customer.credit_code,
            phone,
            _label(Province, customer.province),
            customer.city,
            # The province and city columns carry the place; the import fills them from a
            # region only where they are empty.
            "",
            _label(Industry, customer.industry),
            customer.department.code,
        ]


def _invoice_rows(customers: models.QuerySet[Customer], tally: _Tally) -> Iterator[list[Any]]:
    queryset = (
        Invoice.objects.filter(customer__in=customers.values("pk"))
        .select_related("customer")
        .only(
            "number",
            "issue_date",
            "due_date",
            "amount",
            "currency",
            "customer__code",
            "customer__external_code",
        )
    )
    for invoice in _batches(queryset):
        tally.rows += 1
        yield [
            invoice.number,
            file_reference(invoice.customer),
            invoice.issue_date,
            invoice.due_date,
            f"{invoice.amount:.2f}",
            invoice.currency,
        ]


def payment_number(reference: str, pk: int) -> str:
    """A payment's number: its reference, or one made of its row number where it has none
    (stable across exports, and kept as the reference by the import)."""
    return reference or f"P{pk:08d}"


def _payment_rows(customers: models.QuerySet[Customer], tally: _Tally) -> Iterator[list[Any]]:
    # One row per invoice a payment settles: the import takes the rows with one payment
    # number as the parts of one payment. What a payment settles of no invoice has no row.
    queryset = (
        PaymentAllocation.objects.filter(payment__customer__in=customers.values("pk"))
        .select_related("payment", "payment__customer", "invoice")
        .only(
            "amount",
            "payment__reference",
            "payment__received_on",
            "payment__customer__code",
            "payment__customer__external_code",
            "invoice__number",
            "invoice__currency",
        )
    )
    for allocation in _batches(queryset):
        payment = allocation.payment
        tally.rows += 1
        yield [
            payment_number(payment.reference, payment.pk),
            allocation.invoice.number,
            payment.received_on,
            f"{allocation.amount:.2f}",
            file_reference(payment.customer),
            allocation.invoice.currency,
        ]


# --- writing ---------------------------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP);
# a phone number in international form (+44 20 …) is left as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+[0-9 ]+")


def _defuse(value: str) -> str:
    if value[:1] in _FORMULA_START and not _PHONE.fullmatch(value):
        return "'" + value
    return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return _defuse(str(value))


def _write_csv(rows: Iterator[list[Any]], head: list[str]) -> IO[bytes]:
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    # The byte-order mark makes Excel read the file as UTF-8 (Chinese names and labels).
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow(head)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    text.flush()
    text.detach()
    handle.seek(0)
    return handle


def _write_xlsx(rows: Iterator[list[Any]], head: list[str], title: str) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(head)

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        # Kept as text: openpyxl would store it as a formula, which no import accepts.
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"
        return text

    for row in rows:
        sheet.append([cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _titles() -> dict[str, str]:
    return {"customers": _("Customers"), "invoices": _("Invoices"), "payments": _("Payments")}


def export_filename(kind: str, file_format: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"{kind}-{stamp}.{file_format}"


@transaction.atomic
def file_export(
    *,
    actor: User,
    kind: str,
    filters: CustomerFilters,
    file_format: str,
    reveal: bool = False,
    language: str | None = None,
) -> ExportFile:
    """Write the export of `kind` for the files of `filters` in the user's export scope,
    and record it: one `export` event (filters, format, rows, values in clear) and, for
    each file shown in clear, a `reveal` event on that file.

    `reveal` asks for ID and phone numbers in clear; a file without the reveal right
    stays masked all the same. Invoices and payments hold no sealed value."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    customers = customer_export_queryset(user=actor, filters=filters)
    tally = _Tally()
    producers: dict[str, Callable[[], Iterator[list[Any]]]] = {
        "customers": lambda: _customer_rows(actor, customers, reveal, tally),
        "invoices": lambda: _invoice_rows(customers, tally),
        "payments": lambda: _payment_rows(customers, tally),
    }
    with translation.override(language or translation.get_language()):
        head = header(kind)
        rows = producers[kind]()
        if file_format == "csv":
            handle = _write_csv(rows, head)
        else:
            handle = _write_xlsx(rows, head, _titles()[kind])
    model = {"customers": Customer, "invoices": Invoice, "payments": PaymentAllocation}[kind]
    event = audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=model._meta.label_lower,
        object_repr=f"{kind} export ({file_format})",
        after={
            "what": kind,
            "format": file_format,
            "filters": filters.as_dict(),
            "rows": tally.rows,
            "reveal": reveal,
            "in_clear": len(tally.revealed),
        },
    )
    for start in range(0, len(tally.revealed), BATCH):
        chunk = tally.revealed[start : start + BATCH]
        audit_record_many(
            actor=actor,
            action=AuditAction.REVEAL,
            objects=[Customer(pk=pk, code=code, name=name) for pk, code, name, _f in chunk],
            after=[
                {"what": "customer list export", "fields": shown, "export": event.seq}
                for _pk, _code, _name, shown in chunk
            ],
        )
    return ExportFile(
        kind=kind,
        file_format=file_format,
        handle=handle,
        rows=tally.rows,
        in_clear=len(tally.revealed),
        filename=export_filename(kind, file_format),
    )
