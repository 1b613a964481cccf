"""What a locked-out sign-in sees (django-axes calls this through AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credfile.core.api import PROBLEM_CONTENT_TYPE

LOCKED_STATUS = 429


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed log-in attempts. Log-in for this account from your address is locked "
        "for %(minutes)d minute; try again later or ask an administrator to unlock it.",
        "Too many failed log-in attempts. Log-in for this account from your address is locked "
        "for %(minutes)d minutes; try again later or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def attempt_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> Any:
    """The name django-axes counts a failure against and checks for a lockout
    (AXES_USERNAME_CALLABLE): axes' own rule (the credentials, else the posted form), then
    the name a provider sign-in left on the request (accounts.sso.attempt_mark)."""
    from credfile.accounts.sso import attempt_name

    if credentials:
        name = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        name = data.get("username")
    return name or attempt_name(request) or None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page with the lockout message, or for the API an RFC 9457 problem."""
    retry_after = str(cooloff_minutes() * 60)
    if request.path_info.startswith("/api/"):
        if original_response is not None and original_response.status_code == LOCKED_STATUS:
            return original_response  # the token view has answered it already
        body = {
            "type": "about:blank",
            "title": _("Too many requests"),
            "status": LOCKED_STATUS,
            "detail": lockout_message(),
        }
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=LOCKED_STATUS,
            content_type=PROBLEM_CONTENT_TYPE,
            headers={"Retry-After": retry_after},
        )
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    from credfile.accounts.views import login_context

    context = {**login_context(request), "form": form, "locked_out": lockout_message()}
    response = render(request, "registration/login.html", context, status=LOCKED_STATUS)
    response["Retry-After"] = retry_after
    return response
