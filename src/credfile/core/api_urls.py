from django.urls import include, path

urlpatterns = [
    path("", include("credfile.accounts.api.urls")),
    path("", include("credfile.customers.api.urls")),
]
