from django.urls import include, path

urlpatterns = [
    path("", include("credfile.accounts.api.urls")),
    path("", include("credfile.customers.api.urls")),
    path("", include("credfile.history.api.urls")),
    path("", include("credfile.changes.api.urls")),
    path("", include("credfile.financials.api.urls")),
    path("", include("credfile.transactions.api.urls")),
    path("", include("credfile.followup.api.views")),
    path("", include("credfile.interactions.api.urls")),
    path("", include("credfile.access.api.views")),
    path("", include("credfile.consent.api.views")),
    path("", include("credfile.reviews.api.views")),
    path("", include("credfile.audit.api.views")),
    path("", include("credfile.imports.api.views")),
    path("", include("credfile.limits.api")),
    path("", include("credfile.limits.orders_api")),
    path("", include("credfile.risk.api")),
    path("", include("credfile.ratings.api.views")),
    path("", include("credfile.documents.api")),
    path("", include("credfile.inspections.api")),
    path("", include("credfile.retention.api")),
]
