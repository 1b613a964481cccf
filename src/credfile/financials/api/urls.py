from django.urls import URLPattern, path

from credfile.financials.api.views import (
    FinancialAnalysisView,
    FinancialStatementViewSet,
    IndividualFinancialViewSet,
)

urlpatterns: list[URLPattern] = [
    IndividualFinancialViewSet.urlpattern(),
    IndividualFinancialViewSet.detail_urlpattern(),
    FinancialStatementViewSet.urlpattern(),
    FinancialStatementViewSet.detail_urlpattern(),
    path(
        "customers/<id:customer_pk>/financial-analysis/",
        FinancialAnalysisView.as_view(),
        name="customer-financial-analysis",
    ),
]
