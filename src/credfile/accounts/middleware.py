"""Keeps a user whose role needs a second factor on the second-factor pages until verified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from credfile.accounts.otp import otp_pending, totp_device
from credfile.core.htmx import redirect_page

# Pages a user may open before the second factor: signing in and out, the second-factor pages
# themselves and the language switch.
OPEN_URL_NAMES = frozenset({"login", "logout", "otp-setup", "otp-verify", "set_language"})


class OTPRequiredMiddleware:
    """Redirects every other page to the enrolment or verification page.

    The JSON API is left to answer for itself: its session authentication refuses such a user
    with a 403 problem (credfile.core.authentication.OTPSessionAuthentication), and a token is
    only issued with a valid one-time code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not otp_pending(request.user):
            return None
        match = request.resolver_match
        url_name = match.url_name if match else None
        if url_name in OPEN_URL_NAMES:
            return None
        if request.path_info.startswith("/api/") and url_name != "swagger-ui":
            return None
        target = "otp-verify" if totp_device(request.user) is not None else "otp-setup"
        query = urlencode({"next": request.get_full_path()})
        return redirect_page(request, f"{reverse(target)}?{query}")
