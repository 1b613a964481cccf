"""Documents kept on a credit file: the stored bytes' name, type, checksum and label."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.documents.choices import DocumentStatus, DocumentType


class Document(TimeStampedModel):
    """A file kept with a credit file (letter, e-mail, minutes, contract, ID copy, statement).

    The bytes live in the "documents" storage under `stored_name`, made by the server from
    the naming rule; the uploader's own file name is kept for display only. Sensitive types
    are stored sealed (AES-GCM under the project's key ring), `key_id` naming the key.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="documents"
    )
    document_type = models.CharField(_("type"), max_length=12, choices=DocumentType.choices)
    title = models.CharField(_("document title"), max_length=200)
    document_date = models.DateField(_("document date"))
    seq = models.PositiveIntegerField(_("sequence"))
    stored_name = models.CharField(_("stored name"), max_length=200, unique=True)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    key_id = models.CharField(_("key"), max_length=16, blank=True)
    retention_label = models.CharField(_("retention"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ACTIVE
    )
    # What the content says about itself: an e-mail's sender, recipients, subject, date and
    # attachments (name, type, size).
    meta = models.JSONField(_("details"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["document_date", "seq", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "document_type", "document_date", "seq"],
                name="document_sequence_unique",
            ),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="document_seq_positive"),
        ]
        indexes = [models.Index(fields=["customer", "document_date"], name="document_customer_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def previewable(self) -> bool:
        return self.content_type == "application/pdf" or self.content_type.startswith("image/")

    @property
    def sha256_short(self) -> str:
        return self.sha256[:12]
