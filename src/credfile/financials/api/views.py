"""Financial information in a credit file, through the generic record view."""

from __future__ import annotations

from credfile.core.permissions import Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet
from credfile.financials.api.serializers import (
    FinancialStatementInput,
    FinancialStatementOutput,
    IndividualFinancialInput,
    IndividualFinancialOutput,
)
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.financials.services import financial_statement_create, individual_financial_create


class IndividualFinancialViewSet(CustomerChildViewSet):
    """An individual's declared income, assets and liabilities."""

    resource = ChildResource(
        segment="individual-financials",
        section=Section.FINANCIALS,
        model=IndividualFinancial,
        input=IndividualFinancialInput,
        output=IndividualFinancialOutput,
        create=individual_financial_create,
        ordering=("-as_of", "-id"),
        sealed=("annual_income", "total_assets", "total_liabilities"),
    )


class FinancialStatementViewSet(CustomerChildViewSet):
    """An organisation's financial statements."""

    resource = ChildResource(
        segment="financial-statements",
        section=Section.FINANCIALS,
        model=FinancialStatement,
        input=FinancialStatementInput,
        output=FinancialStatementOutput,
        create=financial_statement_create,
        ordering=("-period_end", "-id"),
    )
