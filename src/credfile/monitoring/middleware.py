"""Request metrics, and the probes answered before sessions and sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from credfile.monitoring.metrics import LATENCY, REQUESTS
from credfile.monitoring.urls import PROBE_PATHS

GetResponse = Callable[[HttpRequest], HttpResponse]


def route_label(request: HttpRequest) -> str:
    """The route's name (namespace:url_name, or the view's dotted path when it has none),
    never the path itself: ids in paths would make a series per file."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return str(match.view_name)
    if request.path_info.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
        return "static"
    return "unmatched"


class RequestMetricsMiddleware:
    """Counts every response by method, route name and status and times it. First in
    MIDDLEWARE, so the time covers every other layer and the status is the one sent."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_label(request)
        method = request.method if request.method in _METHODS else "other"
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        return response


# Anything else a client sends is one label, not a series per invented method.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ProbeMiddleware:
    """Answers /healthz, /readyz and /metrics before the session, sign-in, OTP, CSRF and
    lockout layers: a probe must not load a session from the database, be sent to the login
    page or depend on the Host header a load balancer or kubelet sends (often an address).
    Placed after the security headers, which these answers carry like every other."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
