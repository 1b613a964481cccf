"""Service records and correspondence kept in a credit file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.interactions.choices import Channel, NoteKind, ServiceKind


class ServiceRecord(TimeStampedModel):
    """A service contact with the customer: when, what, and the result (服务记录)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="service_records",
    )
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(
        _("type"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.CONSULTATION
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    content = models.TextField(_("content"))
    result = models.TextField(_("result"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [models.Index(fields=["customer", "occurred_at"], name="service_customer_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}"


class Note(TimeStampedModel):
    """A letter, e-mail, meeting minutes or other note kept with the file (往来信函、会议记录)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=NoteKind.choices, default=NoteKind.OTHER
    )
    dated = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-dated", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["customer", "dated"], name="note_customer_idx")]

    def __str__(self) -> str:
        return self.subject
