"""Usage applications (《客户档案使用申请表》) and the time-limited grants they create."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.access.choices import ApplicationStatus
from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer

# A purpose is read in lists and by the decider: a few sentences, not a document.
PURPOSE_MAX_LENGTH = 500


class UsageApplication(TimeStampedModel):
    """A request to use a credit file outside one's own scope, for a purpose and a period."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="usage_applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="usage_applications",
    )
    sections = models.JSONField(_("sections"), default=list)
    purpose = models.TextField(_("purpose"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("usage application")
        verbose_name_plural = _("usage applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="application_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("applicant")),
                name="application_not_decided_by_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="application_status_idx"),
            models.Index(fields=["applicant", "id"], name="application_applicant_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_id} {self.status}"


class AccessGrant(models.Model):
    """Permission, from an approved application, to view named sections of one file until a
    time, for the stated purpose. It expires by itself: queries compare `valid_until`."""

    application = models.OneToOneField(
        UsageApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="grant",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    sections = models.JSONField(_("sections"), default=list)
    purpose = models.TextField(_("purpose"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_until"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        indexes = [
            models.Index(fields=["user", "valid_until"], name="grant_user_valid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.customer_id} until {self.valid_until:%Y-%m-%d}"
