"""The auditor's pages: the trail with filters and keyset pages, and its exports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.audit.digests import chain_status
from credfile.audit.display import event_rows
from credfile.audit.exports import csv_lines, export_filename, xlsx_file
from credfile.audit.forms import AuditFilterForm
from credfile.audit.selectors import AuditFilters, audit_event_search, can_audit
from credfile.audit.services import audit_export_record
from credfile.audit.verification import chain_check
from credfile.core.htmx import render_page_or_partial
from credfile.core.pagination import decode_cursor, keyset_paginate
from credfile.core.permissions import can_verify_audit_chain


def _auditor(request: HttpRequest) -> Any:
    # A 404, as for a credit file outside one's scope: the page does not exist for them.
    if not can_audit(request.user):
        raise Http404
    return request.user


def _cursor(request: HttpRequest) -> str | None:
    """The cursor if it holds a seq; a tampered one starts from the first page."""
    cursor = request.GET.get("cursor") or None
    decoded = decode_cursor(cursor) if cursor else None
    if decoded is None or len(decoded[0]) != 1 or type(decoded[0][0]) is not int:
        return None
    return cursor


@never_cache
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    queryset = audit_event_search(user=user, filters=filters or AuditFilters())
    if filters is None:
        queryset = queryset.none()
    page = keyset_paginate(
        queryset,
        order="-seq",
        cursor=_cursor(request),
        size=int(settings.CREDFILE_PAGE_SIZE),
        unique=True,
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "rows": event_rows(page.items),
        "can_verify": can_verify_audit_chain(user),
        "query_string": params.urlencode(),
        "filtered": bool(filters and filters.as_dict()),
        # Called by the page template only, not for the htmx partial of the results.
        "chain_status": chain_status,
    }
    return render_page_or_partial(request, "audit/list.html", "audit/_results.html", context)


def _export(request: HttpRequest, file_format: str) -> tuple[Any, Any, int]:
    user = _auditor(request)
    filters = AuditFilterForm(request.GET or None).filters()
    if filters is None:
        raise Http404
    queryset = audit_event_search(user=user, filters=filters)
    # Recorded first, so the export is on the trail even if the download is cut off; the
    # file holds the events before this one, a fixed snapshot while others keep writing.
    event = audit_export_record(actor=user, file_format=file_format, filters=filters.as_dict())
    return user, queryset, event.seq - 1


@never_cache
@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _user, queryset, upto = _export(request, "csv")
    response = StreamingHttpResponse(
        csv_lines(queryset, upto_seq=upto, language=get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename("csv")}"'
    return response


@never_cache
@login_required
def export_xlsx(request: HttpRequest) -> FileResponse:
    _user, queryset, upto = _export(request, "xlsx")
    return FileResponse(
        xlsx_file(queryset, upto_seq=upto),
        as_attachment=True,
        filename=export_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@never_cache
@require_POST
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Recompute every link of the chain now and say what was found."""
    user = _auditor(request)
    if not can_verify_audit_chain(user):
        raise Http404
    result = chain_check()
    if result.ok:
        messages.success(
            request,
            _(
                "Audit trail intact: %(checked)s events checked, seq 1 to %(seq)s, every "
                "digest matches."
            )
            % {"checked": f"{result.checked:,}", "seq": result.last_seq},
        )
    else:
        messages.error(
            request,
            _("Audit trail broken. %(why)s") % {"why": " ".join(result.problems)},
        )
    return redirect("audit:list")
