from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OrderKind(models.TextChoices):
    ORDER = "order", _("Open order")
    SHIPMENT = "shipment", _("Undelivered shipment")


class OrderClosing(models.TextChoices):
    """Why an open order stopped counting as exposure."""

    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class Refusal(models.TextChoices):
    """Why an exposure check refuses an order (the codes are part of the API)."""

    NO_LIMIT = "no_limit", _("The customer has no credit limit in this currency.")
    EXPIRED = "limit_expired", _("The customer's credit limit has expired.")
    BLOCKED = "blocked", _("The customer's credit is blocked.")
    OVER_LIMIT = "over_limit", _("The order would take exposure over the limit.")
    OVERDUE = "overdue", _("The customer has invoices overdue beyond the allowed days.")
    GRADE = "grade_below_floor", _("The customer's grade is below the floor.")
    GROUP_OVER_LIMIT = (
        "group_over_limit",
        _("The order would take the customer group's exposure over the group limit."),
    )
    GROUP_EXPIRED = "group_limit_expired", _("The customer group's limit has expired.")
    GROUP_BLOCKED = "group_blocked", _("The customer group's credit is blocked.")


class GroupRelation(models.TextChoices):
    """How a member is related to the rest of its customer group (集团客户 / 关联方)."""

    PARENT = "parent", _("Parent company")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    AFFILIATE = "affiliate", _("Affiliate")
    COMMON_CONTROL = "common_control", _("Under common control")
    GUARANTOR = "guarantor", _("Guarantor")
    OTHER = "other", _("Other related party")
