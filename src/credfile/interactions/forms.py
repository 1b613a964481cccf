"""Forms of the service records and notes sections (parsing only; services validate)."""

from __future__ import annotations

from credfile.core.forms import form_for
from credfile.interactions.models import Note, ServiceRecord
from credfile.interactions.services import NOTE_FIELDS, SERVICE_FIELDS

SERVICE_REQUIRED = ("occurred_at", "content")
NOTE_REQUIRED = ("dated", "subject", "body")

ServiceRecordForm = form_for(
    ServiceRecord, SERVICE_FIELDS, name="ServiceRecordForm", required=SERVICE_REQUIRED
)
NoteForm = form_for(Note, NOTE_FIELDS, name="NoteForm", required=NOTE_REQUIRED)
