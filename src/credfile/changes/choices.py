"""Choices of change control. Imported by settings (CREDFILE_APPROVAL_GROUPS): no models here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldGroup(models.TextChoices):
    """Groups of credit-relevant data whose changes need approval (see changes/registry.py
    for the fields in each, and docs/changes.md)."""

    IDENTITY = "identity", _("Identity")
    FINANCIAL = "financial", _("Financial information")
    TRANSACTIONS = "transactions", _("Transaction records")
    CLASSIFICATION = "classification", _("Classification and rating")
    DELETION = "deletion", _("Deletion")


class ChangeKind(models.TextChoices):
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Deletion")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # The object was deleted by another approved request meanwhile.
    SUPERSEDED = "superseded", _("Superseded")


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("Awaits your approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")
