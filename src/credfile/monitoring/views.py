"""/healthz, /readyz and /metrics: answered without a session, a sign-in or a CSRF token
(credfile.monitoring.middleware.ProbeMiddleware calls them before those layers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from credfile.monitoring import metrics, readiness
from credfile.monitoring.access import metrics_allowed


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is asked, the database least of all."""
    return _no_store(JsonResponse({"status": "ok"}))


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Every readiness check by name; 503 when any failed."""
    checks = readiness.readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ok" if ready else "failed",
        "checks": {check.name: check.as_dict() for check in checks},
    }
    return _no_store(JsonResponse(body, status=200 if ready else 503))


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return _no_store(HttpResponse("forbidden\n", status=403, content_type="text/plain"))
    body, content_type = metrics.exposition()
    return _no_store(HttpResponse(body, content_type=content_type))
