"""Reads of documents, through the policy's scope of the documents section."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from credfile.core.permissions import Section, record_scope
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.documents.models import Document


def document_list(*, user: Any, customer: Customer) -> QuerySet[Document]:
    """The file's documents the user may see, in date order (oldest first)."""
    return (
        Document.objects.filter(customer=customer)
        .filter(record_scope(user, Section.DOCUMENTS))
        .select_related("uploaded_by")
        .order_by("document_date", "seq", "id")
    )


def document_get(
    *, user: Any, pk: int, customer_pk: int | None = None
) -> tuple[Customer, Document]:
    """A document and its file, if the user may see the file's documents; else 404. Not
    recorded here: the caller's read (download, preview) is."""
    found = Document.objects.filter(record_scope(user, Section.DOCUMENTS), pk=pk)
    if customer_pk is not None:
        found = found.filter(customer_id=customer_pk)
    document = found.first()
    if document is None:
        raise Http404
    customer = customer_get(
        user=user, pk=document.customer_id, section=Section.DOCUMENTS, trace=False
    )
    return customer, document
