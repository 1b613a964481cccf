"""Credit limits, the requests that set them, open orders, and the exposure checks made."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from credfile.core.models import currency_field, money_field
from credfile.customers.models import Customer
from credfile.limits.choices import (
    GroupRelation,
    LimitStatus,
    OrderClosing,
    OrderKind,
    RequestStatus,
)

# A limit or a request is either a customer's or a customer group's, never both or neither.
ONE_SUBJECT = Q(customer__isnull=False, group__isnull=True) | Q(
    customer__isnull=True, group__isnull=False
)


class CustomerGroup(models.Model):
    """Customers linked as one group (集团客户 / related parties): their exposure is added
    up per currency and held to the group's limit as well as each member's own."""

    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customergroup_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A customer's place in its group; a customer belongs to at most one group."""

    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="group_membership",
    )
    relation = models.CharField(_("relation"), max_length=20, choices=GroupRelation.choices)
    # The group's head company (牵头企业 / 母公司): at most one per group.
    is_head = models.BooleanField(_("head company"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["-is_head", "id"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(is_head=True), name="groupmember_one_head"
            ),
        ]
        indexes = [models.Index(fields=["group", "customer"], name="groupmember_group")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.customer_id}"


class LimitRequest(models.Model):
    """A limit asked for (for a customer or a customer group), waiting for (or given) its
    approver's decision."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="limit_requests",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        on_delete=models.CASCADE,
        related_name="limit_requests",
        null=True,
        blank=True,
    )
    amount = money_field(_("amount"))
    currency = currency_field()
    valid_until = models.DateField(_("valid until"))
    reason = models.TextField(_("reason"))
    # The recommendation at the time of asking, as the approver saw it.
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    # Who must decide: a credit manager, or the executive above the threshold.
    approver_role = models.CharField(_("approved by role"), max_length=20)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("limit request")
        verbose_name_plural = _("limit requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="limitrequest_amount_positive"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="limitrequest_one_subject"),
        ]
        # The file's timeline (limits/timeline.py).
        indexes = [
            models.Index(fields=["customer", "requested_at"], name="limitrequest_customer_idx")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


class CreditLimit(models.Model):
    """The limit in force for a customer, or for a customer group, in one currency (one
    active per currency)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="credit_limits",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        on_delete=models.CASCADE,
        related_name="credit_limits",
        null=True,
        blank=True,
    )
    currency = currency_field()
    amount = money_field(_("amount"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    request = models.OneToOneField(
        LimitRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="limit",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=LimitStatus.choices, default=LimitStatus.ACTIVE
    )
    # Credit stopped (a dispute, insolvency news): every order is refused while set.
    blocked = models.BooleanField(_("blocked"), default=False)
    # Why credit was blocked (or unblocked) last, by whom and when.
    block_reason = models.TextField(_("block reason"), blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "currency"],
                condition=Q(status="active"),
                name="creditlimit_one_active_per_currency",
            ),
            models.UniqueConstraint(
                fields=["group", "currency"],
                condition=Q(status="active"),
                name="creditlimit_group_one_active",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="creditlimit_amount_positive"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="creditlimit_one_subject"),
        ]
        indexes = [
            models.Index(
                fields=["valid_until"], condition=Q(status="active"), name="creditlimit_expiry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} → {self.valid_until}"

    def expired(self, today: datetime.date) -> bool:
        return self.valid_until < today


class OpenOrder(models.Model):
    """An order taken or a shipment not yet invoiced: exposure before it is a receivable."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="open_orders"
    )
    reference = models.CharField(_("reference"), max_length=60)
    amount = money_field(_("amount"))
    currency = currency_field()
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices)
    is_open = models.BooleanField(_("open"), default=True)
    closed_as = models.CharField(
        _("closed as"), max_length=10, choices=OrderClosing.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("open order")
        verbose_name_plural = _("open orders")
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="openorder_once"),
        ]
        indexes = [
            models.Index(
                fields=["customer", "currency"], condition=Q(is_open=True), name="openorder_open"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ExposureCheck(models.Model):
    """One answer of the exposure check, as given."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="exposure_checks",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = money_field(_("order amount"))
    currency = currency_field()
    allowed = models.BooleanField(_("allowed"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    exposure = money_field(_("exposure"))
    # None: no limit in force (none, or expired).
    limit: models.DecimalField[Decimal | None, Decimal | None] = models.DecimalField(
        _("limit"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # The member's group at the time, its exposure with the order and its limit in force.
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    group_exposure: models.DecimalField[Decimal | None, Decimal | None] = models.DecimalField(
        _("group exposure"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    group_limit: models.DecimalField[Decimal | None, Decimal | None] = models.DecimalField(
        _("group limit"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("exposure check")
        verbose_name_plural = _("exposure checks")
        indexes = [
            models.Index(fields=["customer", "-checked_at"], name="exposurecheck_file"),
            models.Index(
                fields=["-checked_at"], condition=Q(allowed=False), name="exposurecheck_refused"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} {'✓' if self.allowed else '✗'}"
