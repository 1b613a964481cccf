"""The credit-limit routes under a credit file's URL."""

from django.urls import path

from credfile.limits import views

app_name = "customer-limits"
urlpatterns = [
    path("<id:customer_pk>/limits/request/", views.limit_request_view, name="request"),
]
