from django.urls import URLPattern

from credfile.transactions.api import receivables
from credfile.transactions.api.views import ContractViewSet, InvoiceViewSet, PaymentViewSet

urlpatterns: list[URLPattern] = [
    ContractViewSet.urlpattern(),
    ContractViewSet.detail_urlpattern(),
    InvoiceViewSet.urlpattern(),
    InvoiceViewSet.detail_urlpattern(),
    PaymentViewSet.urlpattern(),
    PaymentViewSet.detail_urlpattern(),
    *receivables.urlpatterns,
]
