from django.urls import URLPattern, path

from credfile.history.api.views import FileHistoryViewSet

urlpatterns: list[URLPattern] = [
    path(
        "customers/<id:customer_pk>/versions/",
        FileHistoryViewSet.as_view({"get": "versions"}),
        name="customer-versions",
    ),
    path(
        "customers/<id:customer_pk>/versions/diff/",
        FileHistoryViewSet.as_view({"get": "diff"}),
        name="customer-versions-diff",
    ),
    path(
        "customers/<id:customer_pk>/as-of/",
        FileHistoryViewSet.as_view({"get": "as_of"}),
        name="customer-as-of",
    ),
]
