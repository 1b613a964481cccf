from django.urls import path

from credfile.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]

# Answered by ProbeMiddleware before sessions, sign-in and CSRF (paths at the site's root).
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
