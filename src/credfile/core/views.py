"""Error pages: the API answers in RFC 9457 problem+json even for URLs it does not know;
pages get a translated page with the site's navigation (errors/page.html). A server error,
and any page whose navigation cannot be rendered, gets a standalone page (errors/error.html)
that needs neither the database nor a signed-in user."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from credfile.core.api import PROBLEM_CONTENT_TYPE

logger = logging.getLogger(__name__)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Bad request"),
            _("The request could not be understood. Check the address or the form and try again."),
        ),
        403: (_("Forbidden"), _("You may not open this page.")),
        404: (_("Not found"), _("There is no such page, or you may not see it.")),
        413: (_("Request too large"), _("The request body is larger than this server accepts.")),
        500: (_("Server error"), _("Something went wrong on our side. Try again later.")),
    }


def error_response(request: HttpRequest, status: int, detail: str | None = None) -> HttpResponse:
    """The error answer for `status`: problem+json under /api/, otherwise a page. Never the
    exception's text — it may name tables, values or code."""
    title, default_detail = _titles()[status]
    detail = detail or default_detail
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": title, "status": status}
        if status != 404:
            body["detail"] = detail
        return HttpResponse(
            json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
        )
    context = {"status": status, "title": title, "detail": detail}
    if status != 500:
        try:
            html = loader.get_template("errors/page.html").render(context, request)
        except Exception:  # the navigation needs the database and the session
            logger.exception("could not render the %s page with its navigation", status)
        else:
            return HttpResponse(html, status=status)
    # Rendered without the request: no context processor may touch the database or the user.
    html = loader.get_template("errors/error.html").render(context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Django turns a body over DATA_UPLOAD_MAX_MEMORY_SIZE into a 400; it is a 413.
    return error_response(request, 413 if isinstance(exception, RequestDataTooBig) else 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: most often a page left open past its session."""
    detail = _(
        "The form could not be accepted: it was open for too long or came from another "
        "site. Reload the page and try again."
    )
    return error_response(request, 403, detail)
