"""URL map: web pages, the REST API v1 and its schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from credfile.reviews.urls import review_form

urlpatterns = [
    # The home page by role (docs/home.md); the customer list stays at /customers/.
    path("", include("credfile.home.urls")),
    # /healthz, /readyz, /metrics (docs/monitoring.md).
    path("", include("credfile.monitoring.urls")),
    path("accounts/", include("credfile.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    review_form,
    # Before the file's own pages: /customers/<pk>/history/ is not a section of the file.
    path("customers/", include("credfile.history.urls")),
    path("customers/", include("credfile.consent.urls")),
    path("", include("credfile.followup.urls")),
    path("customers/", include("credfile.ratings.file_urls")),
    path("customers/", include("credfile.limits.file_urls")),
    path("customers/", include("credfile.documents.file_urls")),
    path("customers/", include("credfile.retention.file_urls")),
    path("customers/", include("credfile.surveys.file_urls")),
    # The list's export, in the import's columns (/customers/export.xlsx).
    path("customers/", include("credfile.imports.export_urls")),
    # A file's PDF report (/customers/<pk>/report.pdf, docs/reports.md).
    path("customers/", include("credfile.reports.urls")),
    path("customers/", include("credfile.customers.urls")),
    path("changes/", include("credfile.changes.urls")),
    path("receivables/", include("credfile.transactions.urls")),
    path("reviews/", include("credfile.reviews.urls")),
    path("access/", include("credfile.access.urls")),
    path("audit/", include("credfile.audit.urls")),
    path("archive/inspections/", include("credfile.inspections.urls")),
    path("imports/", include("credfile.imports.urls")),
    path("ratings/", include("credfile.ratings.urls")),
    path("", include("credfile.risk.urls")),
    path("limits/", include("credfile.limits.urls")),
    path("complaints/", include("credfile.complaints.urls")),
    path("surveys/", include("credfile.surveys.urls")),
    path("events/", include("credfile.events.urls")),
    path("events/", include("credfile.surveys.event_urls")),
    path("archive/", include("credfile.retention.urls")),
    path("reports/", include("credfile.reports.portfolio_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("credfile.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL: the CSP allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
]

handler400 = "credfile.core.views.bad_request"
handler403 = "credfile.core.views.permission_denied"
handler404 = "credfile.core.views.not_found"
handler500 = "credfile.core.views.server_error"
