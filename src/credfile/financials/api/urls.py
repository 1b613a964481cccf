from django.urls import URLPattern

from credfile.financials.api.views import FinancialStatementViewSet, IndividualFinancialViewSet

urlpatterns: list[URLPattern] = [
    IndividualFinancialViewSet.urlpattern(),
    IndividualFinancialViewSet.detail_urlpattern(),
    FinancialStatementViewSet.urlpattern(),
    FinancialStatementViewSet.detail_urlpattern(),
]
