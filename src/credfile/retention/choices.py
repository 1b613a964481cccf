from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """What a retention rule keeps: a whole credit file, a document on it, or a negative
    record (a watch-list entry: overdue, collection, blocked credit)."""

    FILE = "file", _("Credit file")
    DOCUMENT = "document", _("Document")
    NEGATIVE = "negative", _("Negative record")


class CountsFrom(models.TextChoices):
    SETTLED = "settled", _("File settled")
    DOCUMENT_DATE = "document_date", _("Document date")
    EVENT_END = "event_end", _("End of the event")


class RuleFileStatus(models.TextChoices):
    """The file statuses a rule applies to ("any" counts every settled or archived file)."""

    ANY = "", _("Settled or archived")
    SETTLED = "settled", _("Settled")
    ARCHIVED = "archived", _("Archived")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DestructionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    DONE = "done", _("Destroyed")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    DESTROYED = "destroyed", _("Destroyed")


class RequestStatus(models.TextChoices):
    LISTED = "listed", _("Listed for destruction")
    DESTROYED = "destroyed", _("Destroyed")


class ItemKind(models.TextChoices):
    FILE = "file", _("Credit file")
    DOCUMENT = "document", _("Document")
    NEGATIVE = "negative", _("Negative record")
