"""Financial information: an individual's position and an organisation's statements."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.core.models import TimeStampedModel, currency_field, money_field
from credfile.core.sealed import Sealed
from credfile.customers.models import Customer
from credfile.financials.choices import PeriodType


class IndividualFinancial(TimeStampedModel):
    """An individual's declared income, assets and liabilities as of a date."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="individual_financials",
    )
    as_of = models.DateField(_("as of"))
    currency = currency_field()
    # An individual's money position is personal financial information: sealed.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    annual_income_enc = models.TextField(blank=True, editable=False)
    annual_income = Sealed(_("annual income"), kind=Decimal)
    total_assets_enc = models.TextField(blank=True, editable=False)
    total_assets = Sealed(_("total assets"), kind=Decimal)
    total_liabilities_enc = models.TextField(blank=True, editable=False)
    total_liabilities = Sealed(_("total liabilities"), kind=Decimal)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    source = models.CharField(_("source of information"), max_length=200, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("individual financial information")
        verbose_name_plural = _("individual financial information")
        constraints = [
            models.UniqueConstraint(fields=["customer", "as_of"], name="indfin_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.as_of}"


def _line(label: Any) -> models.DecimalField[Decimal, Decimal]:
    return money_field(label, null=True, blank=True)


class FinancialStatement(TimeStampedModel):
    """Key lines of an organisation's balance sheet, income statement and cash-flow statement."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="financial_statements",
    )
    period_type = models.CharField(
        _("period"), max_length=10, choices=PeriodType.choices, default=PeriodType.ANNUAL
    )
    period_end = models.DateField(_("period end"))
    currency = currency_field()
    audited = models.BooleanField(_("audited"), default=False)
    # Balance sheet
    cash = _line(_("cash and equivalents"))
    accounts_receivable = _line(_("accounts receivable"))
    inventory = _line(_("inventory"))
    current_assets = _line(_("current assets"))
    intangible_assets = _line(_("intangible assets"))
    total_assets = money_field(_("total assets"))
    current_liabilities = _line(_("current liabilities"))
    total_liabilities = money_field(_("total liabilities"))
    equity = money_field(_("owners' equity"))
    # Income statement
    revenue = money_field(_("operating revenue"))
    cost_of_sales = _line(_("cost of sales"))
    interest_expense = _line(_("interest expense"))
    profit_before_tax = _line(_("profit before tax"))
    net_profit = money_field(_("net profit"))
    # Cash-flow statement
    cash_from_sales = _line(_("cash received from sales"))
    operating_cash_flow = _line(_("net operating cash flow"))
    investing_cash_flow = _line(_("net investing cash flow"))
    financing_cash_flow = _line(_("net financing cash flow"))

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period_type", "period_end"], name="finstmt_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(total_assets__gte=0) & Q(total_liabilities__gte=0) & Q(revenue__gte=0),
                name="finstmt_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(current_assets__isnull=True) | Q(current_assets__lte=F("total_assets")),
                name="finstmt_current_within_total_assets",
            ),
        ]

    def __str__(self) -> str:
        # Read by people (change requests, the audit trail): the period by its name.
        return f"{self.get_period_type_display()} {self.period_end}"
