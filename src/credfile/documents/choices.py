from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    MINUTES = "minutes", _("Meeting minutes")
    CONTRACT = "contract", _("Contract")
    ID_COPY = "id_copy", _("ID copy")
    STATEMENT = "statement", _("Financial statement")
    OTHER = "other", _("Other")


# Kept encrypted at rest: copies of identity papers and a customer's financial statements.
SENSITIVE_TYPES = frozenset({DocumentType.ID_COPY, DocumentType.STATEMENT})


class DocumentStatus(models.TextChoices):
    """Where a document is in its life; archiving and destruction come later."""

    ACTIVE = "active", _("Active")
    # Its file is archived: the bytes are in the "archive" storage, read only.
    ARCHIVED = "archived", _("Archived")
