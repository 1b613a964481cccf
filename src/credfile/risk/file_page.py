"""The risk section of the file page: the file's active watch entries with their reasons,
whether new credit is blocked, and the entries cleared."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.risk.choices import WatchStatus
from credfile.risk.display import reason_texts
from credfile.risk.models import WatchEntry
from credfile.risk.selectors import blocked, file_entries


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    entries = file_entries(customer)
    for entry in entries:
        entry.reason_texts = reason_texts(entry.reasons)  # type: ignore[attr-defined]
    return {
        "risk_active": [e for e in entries if e.status == WatchStatus.ACTIVE],
        "risk_cleared": [e for e in entries if e.status == WatchStatus.CLEARED],
        "risk_blocked": customer.pk in blocked([customer.pk]),
    }


def _header(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {"risk_blocked": customer.pk in blocked([customer.pk])}


def register() -> None:
    register_section(
        Section(
            slug=Policy.RISK,
            title=_("Risk measures"),
            template="risk/section.html",
            order=67,
            context=_context,
            header=_header,
            counted=WatchEntry,
        )
    )
