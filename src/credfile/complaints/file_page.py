"""The complaints section of the file page: the file's complaints with status and deadline,
a form to record one, and the file's complaint figures in the section's header and in the
file's header (open and overdue), for whoever sees the section."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.complaints import forms
from credfile.complaints.models import Complaint
from credfile.complaints.services import complaint_create, complaint_figures
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import RecordKind, Section, register_section


def _figures(customer: Customer) -> Any:
    """The file's complaint figures, read once per page: the section and the file's header
    both show them, and the page hands both the same customer."""
    cached = customer.__dict__.get("_complaint_figures")
    if cached is None:
        cached = complaint_figures([customer.pk])[customer.pk]
        customer.__dict__["_complaint_figures"] = cached
    return cached


def _complaints(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {
        "complaints": list(
            customer.complaints.select_related("owner").order_by("-received_at")[:100]
        ),
        "complaint_figures": _figures(customer),
        "now": timezone.now(),
    }


def _header(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {"header_complaints": _figures(customer)}


def register() -> None:
    register_section(
        Section(
            slug=Policy.COMPLAINTS,
            title=_("Complaints"),
            template="complaints/section.html",
            order=45,
            context=_complaints,
            records=(
                RecordKind(
                    "complaint",
                    _("Record a complaint"),
                    lambda data=None, customer=None, **kwargs: forms.ComplaintForm(
                        data, customer=customer, **kwargs
                    ),
                    complaint_create,
                ),
            ),
            counted=Complaint,
            header=_header,
        )
    )
