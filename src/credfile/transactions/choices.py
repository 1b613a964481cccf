from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In performance")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    DISPUTED = "disputed", _("Disputed")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    COMMERCIAL_BILL = "commercial_bill", _("Commercial acceptance bill")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    OTHER = "other", _("Other")


class InvoiceState(models.TextChoices):
    """Derived from amounts and dates, never stored."""

    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
