"""Forms of the financials section (parsing only; financials.services validates)."""

from __future__ import annotations

from credfile.core.forms import form_for
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.financials.services import INDIVIDUAL_FIELDS, STATEMENT_FIELDS

INDIVIDUAL_REQUIRED = ("as_of", "annual_income", "total_assets", "total_liabilities")
STATEMENT_REQUIRED = (
    "period_type",
    "period_end",
    "total_assets",
    "total_liabilities",
    "equity",
    "revenue",
    "net_profit",
)

IndividualFinancialForm = form_for(
    IndividualFinancial,
    INDIVIDUAL_FIELDS,
    name="IndividualFinancialForm",
    required=INDIVIDUAL_REQUIRED,
)
FinancialStatementForm = form_for(
    FinancialStatement,
    STATEMENT_FIELDS,
    name="FinancialStatementForm",
    required=STATEMENT_REQUIRED,
)
