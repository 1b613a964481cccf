"""Financial information in a credit file, through the generic record view."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import views
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet
from credfile.customers.selectors import customer_get
from credfile.financials.analysis import analyse, as_data
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


class FinancialAnalysisView(views.APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, **problem_responses(404)})
    def get(self, request: Request, customer_pk: int) -> Response:
        """Ratios and growth rates of every financial statement of the file, oldest first;
        a figure that cannot be computed is null with the reason."""
        customer = customer_get(
            user=request.user,
            pk=customer_pk,
            section=Section.FINANCIALS,
            use="api financial-analysis",
        )
        statements = FinancialStatement.objects.filter(customer=customer)
        return Response(
            {
                "customer": customer.pk,
                "statements": [
                    {
                        "id": column.statement.pk,
                        "period_type": column.statement.period_type,
                        "period_end": column.statement.period_end.isoformat(),
                        "currency": column.statement.currency,
                        "figures": {k: as_data(f) for k, f in column.figures.items()},
                    }
                    for column in analyse(list(statements))
                ],
            }
        )
