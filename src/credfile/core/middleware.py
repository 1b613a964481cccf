"""Per-request context (request id, client address) for the audit trail and logs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None


_current: ContextVar[RequestContext | None] = ContextVar("credfile_request", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and remembers the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = _current.set(RequestContext(request_id, request.META.get("REMOTE_ADDR")))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response
