"""htmx helpers: one way to answer a partial request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page_or_partial(
    request: HttpRequest,
    page_template: str,
    partial_template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """The partial for an htmx request (history restores get the whole page), else the page."""
    partial = is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"
    return render(request, partial_template if partial else page_template, context, status=status)


def redirect_page(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a redirect, or for htmx a full-page HX-Redirect.

    A plain redirect would make htmx swap the target page into a fragment of the current one.
    """
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)
