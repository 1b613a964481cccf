"""The consent section of the file page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.consent.forms import ConsentForm
from credfile.consent.services import consent_record, valid_consents
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import RecordKind, Section, register_section


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {
        "consents": list(customer.consents.select_related("recorded_by")),
        "valid_consents": set(valid_consents(customer=customer).values_list("pk", flat=True)),
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.CONSENTS,
            title=_("Consent"),
            template="consent/section.html",
            order=60,
            context=_context,
            records=(
                RecordKind(
                    "consent",
                    _("Record a consent"),
                    lambda data=None, customer=None, **kwargs: ConsentForm(data, **kwargs),
                    consent_record,
                ),
            ),
        )
    )
