"""Transaction records: contracts, invoices and the payments that settle them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.core.models import TimeStampedModel, currency_field, money_field
from credfile.customers.models import Customer
from credfile.transactions.choices import ContractStatus, InvoiceState, PaymentMethod


class Contract(TimeStampedModel):
    """A sales or credit contract and how it is being performed (合同履行情况)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    amount = money_field(_("contract amount"))
    currency = currency_field()
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    performance_notes = models.TextField(_("performance notes"), blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="contract_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("signed_on")),
                name="contract_ends_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Invoice(TimeStampedModel):
    """A receivable: what the customer owes, when it is due, and how much is settled."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invoices"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    number = models.CharField(_("invoice number"), max_length=50)
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"))
    amount = money_field(_("amount"))
    currency = currency_field()
    # Kept equal to the sum of allocations by the payment services, so that ageing and
    # exposure are plain column arithmetic over millions of rows.
    amount_paid = money_field(_("amount paid"), default=Decimal("0"))
    fully_paid_on = models.DateField(_("fully paid on"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="invoice_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")),
                name="invoice_paid_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "due_date"], name="invoice_customer_due_idx"),
            models.Index(
                fields=["due_date"],
                condition=Q(fully_paid_on__isnull=True),
                name="invoice_open_due_idx",
            ),
            # A department's or a manager's overdue list: per file, its open invoices past
            # due. Through the index on customer and due date SQLite reads every invoice of
            # the files, paid or not (156,000 rows for 3,900 overdue in a department at
            # 100,000 customers), to test whether it is paid.
            models.Index(
                fields=["customer", "due_date"],
                condition=Q(fully_paid_on__isnull=True),
                name="invoice_open_customer_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.amount_paid

    def state(self, today: datetime.date | None = None) -> InvoiceState:
        today = today or datetime.date.today()
        if self.amount_paid >= self.amount:
            return InvoiceState.PAID
        if self.due_date < today:
            return InvoiceState.OVERDUE
        if self.amount_paid > 0:
            return InvoiceState.PARTLY_PAID
        return InvoiceState.OPEN

    def days_past_due(self, today: datetime.date | None = None) -> int:
        end = self.fully_paid_on or today or datetime.date.today()
        return max((end - self.due_date).days, 0)


class Payment(TimeStampedModel):
    """Money received from the customer, allocated to one or more invoices."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="payments"
    )
    received_on = models.DateField(_("received on"))
    amount = money_field(_("amount"))
    currency = currency_field()
    method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["customer", "received_on"], name="payment_customer_idx")]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.currency}"


class PaymentAllocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"
