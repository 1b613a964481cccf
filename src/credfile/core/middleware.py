"""Per-request context for the audit trail and logs, and the HTTP security headers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credfile.core.client_ip import client_ip
from credfile.core.htmx import redirect_page

GetResponse = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    # What one request has already read and will not change within it (a user's grants in
    # force), so the policy asks the database once per request.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)


REQUEST_ID_KEY = "credfile.request_id"
_current: ContextVar[RequestContext | None] = ContextVar("credfile_request", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and remembers the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        # Also in the environ: Django logs a 4xx/5xx answer after every middleware has
        # returned, when only the request itself is left to name it (monitoring.logs).
        request.META[REQUEST_ID_KEY] = request_id
        # The same rule as the login lockout's, so the audit names the address it locked.
        token = _current.set(RequestContext(request_id, client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


# Everything from our own origin, nothing inline: the pages carry no inline script or style
# (htmx is told not to inject its indicator style; see base.html).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy() -> str:
    """The policy; with OpenID Connect sign-in, form-action also names the provider: the
    log-out form's answer redirects there to end its session, and browsers hold a form's
    redirects to form-action as well (docs/sso.md)."""
    from credfile.accounts.oidc import form_action_origins

    origins = form_action_origins()
    if not origins:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", " ".join(["form-action 'self'", *origins])
    )


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header to every response that has none yet."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy()
        return response


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on API responses and on every page shown to a signed-in user.

    Those pages hold personal data, which must not stay in a browser or proxy cache
    (OWASP ASVS V14). A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if _is_api(request) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
        return response


SIGNED_IN_AT = "credfile_signed_in_at"
LAST_SEEN = "credfile_last_seen"
# Writing the session on every request would cost a database write each time; a minute's
# precision is plenty for a timeout counted in minutes.
_LAST_SEEN_PRECISION = 60


@receiver(user_logged_in)
def _start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a session after CREDFILE_SESSION_IDLE_MINUTES without a request, and in any case
    CREDFILE_SESSION_AGE seconds after the sign-in (the session itself slides with use)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        signed_in_at = int(session.get(SIGNED_IN_AT, now))
        last_seen = int(session.get(LAST_SEEN, now))
        idle_minutes = int(settings.CREDFILE_SESSION_IDLE_MINUTES)
        if now - last_seen > idle_minutes * 60:
            reason = ngettext(
                "You were logged out after %(minutes)d minute without activity. "
                "Log in again to continue.",
                "You were logged out after %(minutes)d minutes without activity. "
                "Log in again to continue.",
                idle_minutes,
            ) % {"minutes": idle_minutes}
        elif now - signed_in_at > int(settings.SESSION_COOKIE_AGE):
            reason = _("Your session has ended. Log in again to continue.")
        else:
            if SIGNED_IN_AT not in session:
                session[SIGNED_IN_AT] = now
            if now - last_seen >= _LAST_SEEN_PRECISION or LAST_SEEN not in session:
                session[LAST_SEEN] = now
            return self.get_response(request)

        logout(request)
        if _is_api(request):
            # Carries on unauthenticated: the API answers 401/403 itself.
            return self.get_response(request)
        messages.info(request, reason)
        login_redirect = redirect_to_login(request.get_full_path())
        return redirect_page(request, login_redirect["Location"])


class BadInputMiddleware:
    """A number too large for any column that reaches the database (a filter, a form field)
    is the client's error: 400, not a 500 with the database's message."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import DataError

        from credfile.core.views import error_response

        if isinstance(exception, OverflowError | DataError):
            return error_response(request, 400)
        return None
