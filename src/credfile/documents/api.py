"""REST API v1: a file's documents (list, attach by multipart upload, correct the title,
delete through change control) and downloading one."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.views import APIView

from credfile.core.api_schema import problem_responses
from credfile.core.parsers import BoundedJSONParser
from credfile.core.permissions import Section
from credfile.customers.api.views import ChildResource, CustomerChildViewSet, api_user
from credfile.customers.models import Customer
from credfile.documents.choices import DocumentType
from credfile.documents.models import Document
from credfile.documents.selectors import document_get
from credfile.documents.services import document_attach, document_content
from credfile.documents.views import serve


class DocumentInput(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=gettext_lazy(
            "PDF, PNG, JPEG, GIF, WebP, xlsx, docx or .eml; its type is read from its content."
        ),
    )
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    document_date = serializers.DateField()


class DocumentOutput(serializers.ModelSerializer[Document]):
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )
    meta = serializers.JSONField(
        read_only=True,
        help_text="An e-mail's from, to, cc, subject, date and attachments (name, type, size).",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "document_type",
            "title",
            "document_date",
            "stored_name",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "encrypted",
            "retention_label",
            "status",
            "meta",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


def _attach(*, actor: Any, customer: Customer, **data: Any) -> Document:
    upload = data.pop("file")
    return document_attach(
        actor=actor, customer=customer, upload=upload, name=upload.name or "", **data
    )


class CustomerDocumentViewSet(CustomerChildViewSet):
    """A file's documents, oldest first. POST (multipart) attaches one: whoever may change the
    file; refused, storing nothing, for a wrong or unsafe name, a size over the limit, content
    that does not match its extension, a zip bomb or an unreadable e-mail. DELETE asks for the
    deletion, which waits for the department head."""

    parser_classes = [MultiPartParser, BoundedJSONParser]
    resource = ChildResource(
        segment="documents",
        section=Section.DOCUMENTS,
        model=Document,
        input=DocumentInput,
        output=DocumentOutput,
        create=_attach,
        ordering=("document_date", "seq", "id"),
        prefetch=("uploaded_by",),
        arguments=lambda data: data,
    )


class DocumentDownloadView(APIView):
    """The document's bytes, as an attachment; every download is recorded in the audit trail."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **problem_responses(404),
        }
    )
    def get(self, request: Request, pk: int) -> Any:
        user = api_user(request)
        customer, document = document_get(user=user, pk=pk)
        data = document_content(
            actor=user, customer=customer, document=document, use="api download"
        )
        return serve(request, document, data, inline=False)


urlpatterns: list[URLPattern] = [
    CustomerDocumentViewSet.urlpattern(),
    CustomerDocumentViewSet.detail_urlpattern(),
    path("documents/<id:pk>/download/", DocumentDownloadView.as_view(), name="document-download"),
]
