"""Attaching a document from the file page, and serving one (download or inline preview)."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from credfile.accounts.models import User
from credfile.core.permissions import Section
from credfile.customers.selectors import customer_get
from credfile.customers.views import section_response
from credfile.documents.forms import DocumentUploadForm
from credfile.documents.models import Document
from credfile.documents.selectors import document_get
from credfile.documents.services import document_attach, document_content


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required


@require_POST
@login_required
def upload_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    user = _user(request)
    customer = customer_get(user=user, pk=customer_pk, section=Section.DOCUMENTS, trace=False)
    if not customer.access.can_change:  # type: ignore[attr-defined]
        raise Http404
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = document_attach(
                actor=user,
                customer=customer,
                upload=upload,
                name=upload.name or "",
                document_type=form.cleaned_data["document_type"],
                title=form.cleaned_data["title"],
                document_date=form.cleaned_data["document_date"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(
                request, _("Document kept as %(name)s.") % {"name": created.stored_name}
            )
            return section_response(request, user, customer.pk, Section.DOCUMENTS)
    return section_response(
        request, user, customer.pk, Section.DOCUMENTS, status=422, document_form=form
    )


def content_disposition(kind: str, name: str) -> str:
    """`attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def serve(request: HttpRequest, document: Document, data: bytes, *, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(
        "inline" if inline else "attachment", document.stored_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _served(request: HttpRequest, customer_pk: int, pk: int, *, inline: bool) -> HttpResponse:
    user = _user(request)
    customer, document = document_get(user=user, pk=pk, customer_pk=customer_pk)
    if inline and not document.previewable:
        raise Http404
    data = document_content(
        actor=user, customer=customer, document=document, use="preview" if inline else "download"
    )
    return serve(request, document, data, inline=inline)


@never_cache
@require_GET
@login_required
def download_view(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    return _served(request, customer_pk, pk, inline=False)


@never_cache
@require_GET
@login_required
def preview_view(request: HttpRequest, customer_pk: int, pk: int) -> HttpResponse:
    return _served(request, customer_pk, pk, inline=True)
