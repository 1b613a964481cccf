"""The import page: upload, a check in the background with its progress, a preview of the
first rows with every problem, then confirm and follow the import."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from credfile.accounts.models import User
from credfile.core.permissions import can_import, import_run_scope
from credfile.imports.forms import KIND_LABELS, ImportForm
from credfile.imports.models import ImportRun, RunStatus
from credfile.imports.runs import is_stale, run_result, start_run

RECENT_RUNS = 10


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    # A 404, as for any page outside one's role: it does not exist for them.
    if not can_import(request.user):
        raise Http404
    user = cast(User, request.user)  # login_required
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            run = start_run(
                actor=user,
                kind=form.cleaned_data["kind"],
                department_code=form.cleaned_data["department"] or "",
                data=form.cleaned_data["file"].read(),
                check=None,
            )
        return redirect("imports:run", pk=run.pk)
    recent = ImportRun.objects.filter(import_run_scope(user))[:RECENT_RUNS]
    return render(
        request,
        "imports/page.html",
        {"form": form, "recent": recent, "kind_labels": KIND_LABELS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_run(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    run = get_object_or_404(ImportRun.objects.filter(import_run_scope(user)), pk=pk)
    if request.method == "POST":
        return _confirm(request, user, run)
    result = run_result(run) if run.status == RunStatus.DONE else None
    context = {
        "run": run,
        "result": result,
        "kind_label": KIND_LABELS.get(run.kind, run.kind),
        "stale": is_stale(run),
        "confirmable": (
            result is not None and run.dry_run and not result.errors and run.confirmed_at is None
        ),
        "error_count": run.result.get("error_count", 0),
    }
    return render(request, "imports/run.html", context)


def _confirm(request: HttpRequest, user: User, check: ImportRun) -> HttpResponse:
    clean = check.dry_run and check.status == RunStatus.DONE and not check.result.get("error_count")
    with transaction.atomic():
        # Once: a second click (or a second tab) finds the check confirmed already.
        claimed = clean and (
            ImportRun.objects.filter(pk=check.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            == 1
        )
        if not claimed:
            messages.error(request, _("This check was imported already or cannot be imported."))
            return redirect("imports:run", pk=check.pk)
        run = start_run(actor=user, kind=check.kind, department_code="", data=None, check=check)
    return redirect("imports:run", pk=run.pk)
