"""The import page (upload, a preview of the first rows with every error, then confirm) and
the customer list's export in the import's columns."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from credfile.accounts.models import User
from credfile.core.permissions import can_export_files, can_import
from credfile.customers.forms import CustomerFilterForm
from credfile.imports.exports import FORMATS, file_export
from credfile.imports.forms import ConfirmForm, ImportForm
from credfile.imports.pending import pending_store, pending_take
from credfile.imports.services import import_file


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    # A 404, as for any page outside one's role: it does not exist for them.
    if not can_import(request.user):
        raise Http404
    user = cast(User, request.user)  # login_required
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmForm(request.POST)
        data = (
            pending_take(user_id=user.pk, token=confirm.cleaned_data["token"])
            if confirm.is_valid()
            else None
        )
        if data is None:
            messages.error(request, _("The checked file has expired; upload it again."))
            return redirect("imports:page")
        result = import_file(
            actor=user,
            kind=confirm.cleaned_data["kind"],
            data=data,
            department_code=confirm.cleaned_data["department"] or None,
        )
        if result.imported:
            messages.success(
                request,
                _("%(created)d files opened, %(unchanged)d imported before.")
                % {"created": result.created, "unchanged": result.unchanged},
            )
            return redirect("imports:page")
        return render(request, "imports/page.html", {"form": ImportForm(), "result": result})
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        result = import_file(
            actor=user,
            kind=form.cleaned_data["kind"],
            data=data,
            department_code=form.cleaned_data["department"] or None,
            dry_run=True,
        )
        context["result"] = result
        if not result.errors:
            context["confirm"] = ConfirmForm(
                initial={
                    "token": pending_store(user_id=user.pk, data=data),
                    "kind": form.cleaned_data["kind"],
                    "department": form.cleaned_data["department"],
                }
            )
    return render(request, "imports/page.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def customer_list_export(request: HttpRequest, fmt: str) -> FileResponse:
    """The customer list as filtered (the filters in the query string) in the import's
    columns. Values in clear only from the list's form (a POST, so a link planted elsewhere
    cannot reveal anything), and only on the files whose reveal right the user holds."""
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
