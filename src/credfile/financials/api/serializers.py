"""Input and output shapes of financial information."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credfile.core.api_fields import SensitiveField
from credfile.core.models import Currency
from credfile.customers.api.serializers import choice, money, text
from credfile.financials.choices import (
    BALANCE_SHEET_LINES,
    CASH_FLOW_LINES,
    INCOME_STATEMENT_LINES,
    PeriodType,
)
from credfile.financials.models import FinancialStatement, IndividualFinancial


class IndividualFinancialInput(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    currency = choice(Currency.choices)
    annual_income = money()
    total_assets = money()
    total_liabilities = money()
    employer = text(200)
    source = text(200)  # type: ignore[assignment]  # a field, not Field.source


class IndividualFinancialOutput(serializers.ModelSerializer[IndividualFinancial]):
    annual_income = SensitiveField()
    total_assets = SensitiveField()
    total_liabilities = SensitiveField()

    class Meta:
        model = IndividualFinancial
        fields = (
            "id",
            "customer",
            "as_of",
            "currency",
            "annual_income",
            "total_assets",
            "total_liabilities",
            "employer",
            "source",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


def optional_line() -> serializers.DecimalField:
    return money(required=False, allow_null=True)


class FinancialStatementInput(serializers.Serializer[Any]):
    """Key statement lines; profits and cash flows may be negative."""

    period_type = choice(PeriodType.choices)
    period_end = serializers.DateField()
    currency = choice(Currency.choices)
    audited = serializers.BooleanField(required=False)
    # Balance sheet
    cash = optional_line()
    accounts_receivable = optional_line()
    inventory = optional_line()
    current_assets = optional_line()
    intangible_assets = optional_line()
    total_assets = money()
    current_liabilities = optional_line()
    total_liabilities = money()
    equity = money()
    # Income statement
    revenue = money()
    cost_of_sales = optional_line()
    interest_expense = optional_line()
    profit_before_tax = optional_line()
    net_profit = money()
    # Cash-flow statement
    cash_from_sales = optional_line()
    operating_cash_flow = optional_line()
    investing_cash_flow = optional_line()
    financing_cash_flow = optional_line()


class FinancialStatementOutput(serializers.ModelSerializer[FinancialStatement]):
    class Meta:
        model = FinancialStatement
        fields = (
            "id",
            "customer",
            "period_type",
            "period_end",
            "currency",
            "audited",
            *BALANCE_SHEET_LINES,
            *INCOME_STATEMENT_LINES,
            *CASH_FLOW_LINES,
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
