"""Error pages: the API answers in RFC 9457 problem+json even for URLs it does not know."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from credfile.core.api import PROBLEM_CONTENT_TYPE


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": _("Not found"), "status": 404}
        return HttpResponse(json.dumps(body), status=404, content_type=PROBLEM_CONTENT_TYPE)
    return defaults.page_not_found(request, exception)
