"""Service records and notes in a credit file, through the generic record view."""

from __future__ import annotations

from credfile.core.permissions import Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet
from credfile.interactions.api.serializers import (
    NoteInput,
    NoteOutput,
    ServiceRecordInput,
    ServiceRecordOutput,
)
from credfile.interactions.models import Note, ServiceRecord
from credfile.interactions.services import note_create, service_record_create


class ServiceRecordViewSet(CustomerChildViewSet):
    """Service contacts with the customer (服务记录)."""

    resource = ChildResource(
        segment="service-records",
        section=Section.SERVICES,
        model=ServiceRecord,
        input=ServiceRecordInput,
        output=ServiceRecordOutput,
        create=service_record_create,
        ordering=("-occurred_at", "-id"),
    )


class NoteViewSet(CustomerChildViewSet):
    """Letters, e-mails and meeting minutes kept with the file."""

    resource = ChildResource(
        segment="notes",
        section=Section.NOTES,
        model=Note,
        input=NoteInput,
        output=NoteOutput,
        create=note_create,
        ordering=("-dated", "-id"),
    )
