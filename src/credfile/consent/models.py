"""Consent of the customer to the processing of their information (PIPL Art. 13–17;
征信业管理条例 Art. 13, 18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.consent.choices import ConsentChannel, ConsentPurpose
from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer


class Consent(TimeStampedModel):
    """The customer's consent for one purpose: given when, how, with what evidence; it may
    expire or be withdrawn, and a withdrawn consent is kept, not deleted."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    scope = models.TextField(_("scope"), help_text=_("What information, used by whom."))
    channel = models.CharField(_("channel"), max_length=15, choices=ConsentChannel.choices)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    evidence = models.CharField(
        _("evidence"),
        max_length=200,
        help_text=_("Where the signed form or recording is kept (document number, archive box)."),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["customer", "purpose"], name="consent_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.given_on}"
