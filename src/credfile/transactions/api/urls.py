from django.urls import URLPattern

from credfile.transactions.api.views import ContractViewSet, InvoiceViewSet, PaymentViewSet

urlpatterns: list[URLPattern] = [
    ContractViewSet.urlpattern(),
    InvoiceViewSet.urlpattern(),
    PaymentViewSet.urlpattern(),
]
