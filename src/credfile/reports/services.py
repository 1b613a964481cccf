"""Making a PDF report and recording it: each is an `export` in the audit trail.

A report is rendered first and recorded once it exists, in one transaction: no record of a
report that was never made, and no report handed out without its record. A file's report in
clear (asked for, and only for a reader with the file's reveal right) is also a `reveal`
event on the file, pointing at the export, as an export in clear is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.core.permissions import can_print_file_report, can_see_portfolio_report
from credfile.customers.models import Customer
from credfile.reports.document import render_pdf
from credfile.reports.file_report import file_report
from credfile.reports.fonts import report_font

CONTENT_TYPE = "application/pdf"
# The sealed values a file's report shows in clear when asked for (the basic section's, and
# an individual's amounts in the financials).
REVEALED_FIELDS = (
    "id_number",
    "passport_number",
    "birth_date",
    "phone",
    "bank_account",
    "annual_income",
    "total_assets",
    "total_liabilities",
)


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    in_clear: bool = False
    event: int | None = None  # the export event's sequence number

    content_type: str = CONTENT_TYPE


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M%S")


def file_report_pdf(
    *, actor: User, customer: Customer, reveal: bool = False, as_of: datetime.date | None = None
) -> ReportFile:
    """The PDF of a file fetched through `customer_get` (it carries the reader's access).

    Refused (PermissionDenied) for a file the reader reaches only through a grant, and for
    `reveal` without the file's reveal right. Raises FontMissing without a usable font."""
    if not can_print_file_report(actor, customer):
        raise PermissionDenied(_("You may not take a copy of this credit file."))
    access = customer.access  # type: ignore[attr-defined]
    if reveal and not access.can_reveal:
        raise PermissionDenied(_("You may not reveal the sensitive data of this credit file."))
    font = report_font()
    report = file_report(customer=customer, reader=actor, revealed=reveal, as_of=as_of)
    content = render_pdf(report, font)
    sections = [s.key for s in report.sections]
    with transaction.atomic():
        event = audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=customer,
            customer_id=customer.pk,
            object_repr=f"{customer.code} {customer.name}",
            after={
                "what": "file report",
                "format": "pdf",
                "sections": sections,
                "reveal": reveal,
                "bytes": len(content),
            },
        )
        if reveal:
            audit_record(
                actor=actor,
                action=AuditAction.REVEAL,
                obj=customer,
                customer_id=customer.pk,
                object_repr=f"{customer.code} {customer.name}",
                after={"what": "file report", "fields": list(REVEALED_FIELDS), "export": event.seq},
            )
    return ReportFile(
        content=content,
        filename=f"credit-file-{customer.code}-{_stamp()}.pdf",
        in_clear=reveal,
        event=event.seq,
    )


def portfolio_report_pdf(*, actor: User, as_of: datetime.date | None = None) -> ReportFile:
    """The portfolio summary of the departments `actor` may see (PermissionDenied for a
    role without the portfolio). Raises FontMissing without a usable font."""
    from credfile.reports.portfolio import portfolio_report

    if not can_see_portfolio_report(actor):
        raise PermissionDenied(_("You may not see the portfolio."))
    font = report_font()
    as_of = as_of or timezone.localdate()
    report, summary = portfolio_report(user=actor, as_of=as_of)
    content = render_pdf(report, font)
    with transaction.atomic():
        event = audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="customers.customer",
            object_repr=f"portfolio summary ({as_of.isoformat()})",
            after={
                "what": "portfolio summary",
                "format": "pdf",
                "as_of": as_of.isoformat(),
                "departments": len(summary.departments),
                "rows": summary.customers,
                "bytes": len(content),
            },
        )
    return ReportFile(
        content=content, filename=f"portfolio-{as_of.isoformat()}-{_stamp()}.pdf", event=event.seq
    )
