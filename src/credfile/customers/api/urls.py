from django.urls import URLPattern, path

from credfile.customers.api import timeline
from credfile.customers.api.views import (
    AddressViewSet,
    ContactVerifyView,
    ContactViewSet,
    CustomerViewSet,
)

urlpatterns: list[URLPattern] = [
    path(
        "customers/",
        CustomerViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-list",
    ),
    path(
        "customers/<id:pk>/",
        CustomerViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
        ),
        name="customer-detail",
    ),
    ContactViewSet.urlpattern(),
    ContactViewSet.detail_urlpattern(),
    path(
        "customers/<id:customer_pk>/contacts/<id:pk>/verify/",
        ContactVerifyView.as_view(),
        name="customer-contact-verify",
    ),
    AddressViewSet.urlpattern(),
    AddressViewSet.detail_urlpattern(),
    *timeline.urlpatterns,
]
