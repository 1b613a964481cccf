"""The documents section (档案文件) of the file page, and documents under change control
(their deletion waits for the department head; a corrected title applies at once)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.changes.registry import Target, register_target
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.documents.forms import DocumentUploadForm
from credfile.documents.models import Document
from credfile.documents.selectors import document_list
from credfile.documents.services import DOCUMENT_FIELDS, _document_delete, _document_update

LISTED = 200


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    return {
        "documents": list(document_list(user=user, customer=customer)[:LISTED]),
        "document_form": DocumentUploadForm() if access.can_change else None,
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.DOCUMENTS,
            title=_("Documents"),
            template="documents/section.html",
            order=55,
            context=_context,
            counted=Document,
        )
    )
    register_target(
        Target(
            label="documents.document",
            slug="document",
            model=Document,
            group=None,
            fields=DOCUMENT_FIELDS,
            section=Policy.DOCUMENTS,
            update=lambda actor, customer, obj, fields, options: _document_update(
                actor=actor, document=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _document_delete(actor=actor, document=obj),
            required=("title",),
        )
    )
