"""Customer complaints handled as cases: status, owner, deadline and their timeline."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.complaints.choices import Category, Severity, Status
from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.interactions.choices import Channel


class ComplaintSla(TimeStampedModel):
    """The hours within which a complaint of one severity is to be resolved (处理时限),
    set by administrators; a severity without a row uses the built-in default."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    hours = models.IntegerField(
        _("hours to resolve"),
        validators=[
            MinValueValidator(1, _("Give the deadline as a whole number of hours above zero."))
        ],
    )

    class Meta:
        ordering = ["severity"]
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="complaint_sla_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.hours}"


class Complaint(TimeStampedModel):
    """A customer's complaint (客户投诉), from receipt to its closing."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="complaints"
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.SERVICE
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    due_at = models.DateTimeField(_("deadline"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the customer at"), null=True, blank=True)
    confirmation_note = models.TextField(_("confirmation note"), blank=True)
    closed_without_confirmation = models.TextField(
        _("reason for closing without confirmation"), blank=True
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["customer", "received_at"], name="complaint_customer_idx"),
            models.Index(fields=["status", "due_at", "id"], name="complaint_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"]) | ~models.Q(resolution=""),
                name="complaint_resolved_with_resolution",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | models.Q(confirmed_at__isnull=False)
                | ~models.Q(closed_without_confirmation=""),
                name="complaint_closed_confirmed_or_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.summary}"


class ComplaintEvent(models.Model):
    """One step of a complaint's timeline: who moved it from which status to which, when."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(
        pgettext_lazy("status change", "from"), max_length=12, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        pgettext_lazy("status change", "to"), max_length=12, choices=Status.choices
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [models.Index(fields=["complaint", "occurred_at"], name="complaint_event_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
