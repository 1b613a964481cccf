"""The customer list's export in the import's columns (the list's xlsx and CSV buttons)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from credfile.accounts.models import User
from credfile.core.permissions import can_export_files
from credfile.customers.forms import CustomerFilterForm
from credfile.imports.exports import FORMATS, file_export


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def customer_list_export(request: HttpRequest, fmt: str) -> FileResponse:
    """The customer list as filtered (the filters in the query string) in the import's
    columns. Values in clear only from the list's form (a POST, so a link planted elsewhere
    cannot reveal anything), and only on the files whose reveal right the user holds."""
    # A 404, as for any page outside one's role: it does not exist for them.
    if fmt not in FORMATS or not can_export_files(request.user):
        raise Http404
    user = cast(User, request.user)  # login_required
    reveal = request.method == "POST" and request.POST.get("reveal") in {"1", "on", "true"}
    export = file_export(
        actor=user,
        kind="customers",
        filters=CustomerFilterForm(request.GET or None).filters(),
        file_format=fmt,
        reveal=reveal,
    )
    return FileResponse(
        export.handle,
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
