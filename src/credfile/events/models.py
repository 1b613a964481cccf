"""Customer events (客户活动): appreciation events (答谢会), training sessions (培训会) and
others, with an invitation per customer and its attendance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import Department
from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.events.choices import EventKind, EventStatus, InvitationStatus


class CustomerEvent(TimeStampedModel):
    """An event a department holds for its customers, from planning to being held."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=EventKind.choices, default=EventKind.APPRECIATION
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="customer_events",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]
        indexes = [
            models.Index(fields=["department", "starts_at"], name="event_department_idx"),
            models.Index(fields=["starts_at", "id"], name="event_starts_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"


class Invitation(models.Model):
    """One customer invited to one event, with the reply and the attendance."""

    event = models.ForeignKey(
        CustomerEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    # The event's start, kept with the invitation so that a file's events (and its timeline)
    # are read on one index; the event services keep it equal.
    starts_at = models.DateTimeField(_("starts at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(
        _("attendance recorded at"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"], name="invitation_once_per_event")
        ]
        indexes = [
            models.Index(fields=["customer", "starts_at"], name="invitation_customer_idx"),
            models.Index(fields=["event", "status"], name="invitation_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.customer_id} {self.status}"
