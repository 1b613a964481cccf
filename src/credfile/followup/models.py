"""Collection actions: what was done to have an overdue invoice paid, and what comes next."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.core.models import TimeStampedModel, money_field
from credfile.customers.models import Customer
from credfile.followup.choices import ActionKind
from credfile.transactions.models import Invoice


class CollectionAction(TimeStampedModel):
    """One step of following up an unpaid invoice (催收记录): a reminder, a call, a visit, a
    letter, a promise to pay (with the promised date and amount) or a dispute."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="collection_actions",
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="collection_actions",
    )
    kind = models.CharField(_("action"), max_length=10, choices=ActionKind.choices)
    action_date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    promised_amount = money_field(_("promised amount"), null=True, blank=True)
    # The invoice's open amount when the promise was made: the promise is kept once the
    # open amount has fallen by the promised amount (see followup.selectors).
    open_at_promise = money_field(
        _("open amount when promised"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-action_date", "-id"]
        verbose_name = _("collection action")
        verbose_name_plural = _("collection actions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ActionKind.PROMISE,
                        promised_on__isnull=False,
                        promised_amount__gt=0,
                        open_at_promise__isnull=False,
                    )
                    | (
                        ~Q(kind=ActionKind.PROMISE)
                        & Q(promised_on__isnull=True, promised_amount__isnull=True)
                    )
                ),
                name="collection_promise_has_date_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(next_action_on__isnull=True) | Q(next_action_on__gte=F("action_date")),
                name="collection_next_action_after_action",
            ),
        ]
        indexes = [
            models.Index(
                fields=["invoice", "-action_date", "-id"], name="collection_invoice_latest_idx"
            ),
            # The file's timeline (followup/timeline.py).
            models.Index(fields=["customer", "action_date"], name="collection_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action_date} {self.get_kind_display()}"
