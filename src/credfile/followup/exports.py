"""The overdue list as CSV or xlsx: the rows of the user's list with the filters applied,
the customer's phone masked unless the user holds the reveal right for that file."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.core.masking import mask
from credfile.core.permissions import Action, customer_scope, scope_flag
from credfile.followup.choices import ActionKind
from credfile.followup.selectors import OverdueFilters, overdue_invoices
from credfile.transactions.models import Invoice

BATCH = 2000


def export_header() -> list[str]:
    return [
        _("Next action"),
        _("Customer code"),
        _("Name"),
        _("Phone"),
        _("Department"),
        _("Account manager"),
        _("Invoice number"),
        _("Due date"),
        _("Days past due"),
        _("Currency"),
        _("Open amount"),
        _("Last action"),
        _("Last action date"),
        _("Broken promise"),
    ]


@dataclass(frozen=True)
class OverdueExport:
    rows: list[list[Any]]
    in_clear: int  # rows whose phone is shown in clear (the reveal right)


def _defuse(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection, OWASP).
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _rows(queryset: QuerySet[Invoice], today: Any) -> Iterator[tuple[list[Any], bool]]:
    kinds = dict(ActionKind.choices)
    for invoice in queryset.iterator(chunk_size=BATCH):
        customer = invoice.customer
        clear = bool(invoice.may_reveal)  # type: ignore[attr-defined]
        phone = customer.phone or ""
        yield (
            [
                invoice.next_action_on,  # type: ignore[attr-defined]
                customer.code,
                _defuse(customer.name),
                phone if clear else mask("phone", phone),
                _defuse(customer.department.name),
                _defuse(str(customer.account_manager or "")),
                _defuse(invoice.number),
                invoice.due_date,
                (today - invoice.due_date).days,
                invoice.currency,
                invoice.amount - invoice.amount_paid,
                str(kinds.get(invoice.last_action_kind, "")),  # type: ignore[attr-defined]
                invoice.last_action_on,  # type: ignore[attr-defined]
                _("yes") if invoice.promise_broken else "",  # type: ignore[attr-defined]
            ],
            clear and bool(phone),
        )


@transaction.atomic
def overdue_export(
    *, actor: User, filters: OverdueFilters, file_format: str, today: Any = None
) -> OverdueExport:
    """The rows of the export, recorded in the audit trail in the same transaction: who took
    which part of the list, in which format, how many rows, how many phones in clear."""
    today = today or timezone.localdate()
    queryset = overdue_invoices(user=actor, filters=filters, today=today).annotate(
        may_reveal=scope_flag(customer_scope(actor, Action.REVEAL, prefix="customer__"))
    )
    rows: list[list[Any]] = []
    in_clear = 0
    for row, clear in _rows(queryset, today):
        rows.append(row)
        in_clear += clear
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=Invoice._meta.label_lower,
        object_repr=f"overdue list ({file_format})",
        after={
            "what": "overdue list",
            "format": file_format,
            "filters": filters.as_dict(),
            "rows": len(rows),
            "phones_in_clear": in_clear,
        },
    )
    return OverdueExport(rows=rows, in_clear=in_clear)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value.isoformat() if hasattr(value, "isoformat") else value


def csv_bytes(export: OverdueExport, *, language: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(language or translation.get_language()):
        writer.writerow(export_header())
    for row in export.rows:
        writer.writerow([_text(c) for c in row])
    # The byte-order mark makes Excel read the file as UTF-8 (Chinese names and labels).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_file(export: OverdueExport) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start (closing deletes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Overdue invoices"))
    sheet.append(export_header())
    for row in export.rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115  (outlives this function; the response closes it)
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"overdue-invoices-{stamp}.{extension}"
