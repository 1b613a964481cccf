from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    HALF_YEAR = "half_year", _("Half-year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


# Statement lines in the order a credit analyst reads them, grouped by statement.
BALANCE_SHEET_LINES = (
    "cash",
    "accounts_receivable",
    "inventory",
    "current_assets",
    "intangible_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "equity",
)
INCOME_STATEMENT_LINES = (
    "revenue",
    "cost_of_sales",
    "interest_expense",
    "profit_before_tax",
    "net_profit",
)
CASH_FLOW_LINES = (
    "cash_from_sales",
    "operating_cash_flow",
    "investing_cash_flow",
    "financing_cash_flow",
)
