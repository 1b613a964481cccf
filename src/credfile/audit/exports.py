"""The filtered trail as CSV (streamed) or xlsx (openpyxl write-only), in constant memory."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from credfile.audit.display import action_label, customer_codes, object_type_label
from credfile.audit.models import AuditEvent

BATCH = 2000
# An xlsx sheet holds 1,048,576 rows; the header takes one, a note on truncation another.
XLSX_MAX_EVENTS = 1_048_576 - 2

_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "customer_id",
    "ip",
    "request_id",
    "before",
    "after",
    "hash",
)


def export_header() -> list[str]:
    return [
        _("Seq"),
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Customer id"),
        _("Customer code"),
        _("IP address"),
        _("Request id"),
        _("Before"),
        _("After"),
        _("Hash"),
    ]


def _rows(
    queryset: QuerySet[AuditEvent], upto_seq: int
) -> Iterator[tuple[tuple[Any, ...], dict[int, str]]]:
    """Matching events up to `upto_seq`, oldest first, one keyset batch at a time, each with
    the codes of the batch's files (one query a batch)."""
    last = 0
    while True:
        batch = list(
            queryset.filter(seq__gt=last, seq__lte=upto_seq)
            .order_by("seq")
            .values_list(*_COLUMNS)[:BATCH]
        )
        if not batch:
            return
        codes = customer_codes(row[7] for row in batch)
        for row in batch:
            yield row, codes
        last = batch[-1][0]


def _defuse(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection, OWASP).
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _cells(row: tuple[Any, ...], codes: dict[int, str], *, naive_time: bool) -> list[Any]:
    (
        seq,
        occurred_at,
        actor,
        action,
        otype,
        oid,
        orepr,
        customer,
        ip,
        request_id,
        before,
        after,
        digest,
    ) = row
    local = timezone.localtime(occurred_at)
    when: Any = local.replace(tzinfo=None) if naive_time else local.isoformat(timespec="seconds")
    # Operations and object types by their names in the reader's language, not as codes.
    texts = [actor, action_label(action), object_type_label(otype), oid, orepr]
    return [
        seq,
        when,
        *[_defuse(t) for t in texts],
        customer if customer is not None else "",
        codes.get(customer, "") if customer is not None else "",
        ip or "",
        request_id,
        _defuse(_json(before)),
        _defuse(_json(after)),
        digest,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    queryset: QuerySet[AuditEvent], *, upto_seq: int, language: str | None = None
) -> Iterator[str]:
    """The file's lines, in `language` (the exporting user's): the response streams them
    after the view has returned, when the request's language may no longer be active."""
    writer = csv.writer(_Echo())
    with translation.override(language or translation.get_language()):
        # The byte-order mark makes Excel read the file as UTF-8 (Chinese names and labels).
        yield "\ufeff" + writer.writerow(export_header())
        for row, codes in _rows(queryset, upto_seq):
            yield writer.writerow(_cells(row, codes, naive_time=False))


def _xlsx_text(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_file(queryset: QuerySet[AuditEvent], *, upto_seq: int) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start (closing deletes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail"))
    sheet.append(export_header())
    for written, (row, codes) in enumerate(_rows(queryset, upto_seq)):
        if written == XLSX_MAX_EVENTS:
            sheet.append([_("The sheet is full; export as CSV for the remaining events.")])
            break
        sheet.append([_xlsx_text(cell) for cell in _cells(row, codes, naive_time=True)])
    # Handed to the response, which closes (and so deletes) it once sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115  (outlives this function)
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"audit-trail-{stamp}.{extension}"
