"""POST /api/v1/imports/: the import of the page and the command, as multipart upload; and
GET /api/v1/exports/…/: the exports in the import's columns, as the command writes them."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.accounts.models import User
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import can_export_files, can_import, can_reveal_in_exports
from credfile.customers.selectors import CustomerFilters
from credfile.imports.api.serializers import ExportQuery, ImportInput, ImportOutput
from credfile.imports.exports import CONTENT_TYPES, file_export
from credfile.imports.services import import_file


class ImportView(GenericAPIView[Any]):
    """Import a CSV or xlsx file. With any error nothing is imported: 400 with every error
    by row and column; `dry_run` checks and reports without writing."""

    parser_classes = [MultiPartParser]
    serializer_class = ImportInput

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        # A 400 is either the file's error report or a problem with the request itself.
        responses={
            200: ImportOutput,
            (400, "application/json"): ImportOutput,
            **problem_responses(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        # Before reading the upload: a role that may not import learns nothing about its file.
        if not can_import(request.user):
            raise PermissionDenied(_("You may not import files."))
        form = ImportInput(data=request.data)
        form.is_valid(raise_exception=True)
        actor = request.user
        assert isinstance(actor, User)
        result = import_file(
            actor=actor,
            kind=form.validated_data["kind"],
            data=form.validated_data["file"].read(),
            department_code=form.validated_data.get("department") or None,
            dry_run=form.validated_data["dry_run"],
        )
        body = ImportOutput(
            {
                **result.__dict__,
                "imported": result.imported,
                "errors": [e.__dict__ for e in result.errors],
            }
        ).data
        return Response(body, status=400 if result.errors else 200)


_FILE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description=gettext_lazy("The file, as an attachment named after kind and time."),
)


class ExportView(GenericAPIView[Any]):
    """The three exports in the import's columns (imports.exports.file_export)."""

    kind = ""
    pagination_class = None

    def get(self, request: Request) -> FileResponse:
        # A role without exports learns nothing about the files: the route is not there.
        if not can_export_files(request.user):
            raise NotFound
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        file_format, reveal = data.pop("file_format"), data.pop("reveal")
        if reveal and not can_reveal_in_exports(request.user):
            raise PermissionDenied(_("You may not reveal sensitive values."))
        actor = request.user
        assert isinstance(actor, User)
        export = file_export(
            actor=actor,
            kind=self.kind,
            filters=CustomerFilters(**data),
            file_format=file_format,
            reveal=reveal,
            language=get_language(),
        )
        return FileResponse(
            export.handle,
            as_attachment=True,
            filename=export.filename,
            content_type=export.content_type,
        )


_EXPORT_DESCRIPTION = (
    "The files of your export scope (your department's, or every department's for credit "
    "managers and executives; never a file lent through a grant), filtered as "
    "`GET /api/v1/customers/` filters them, in the columns `POST /api/v1/imports/` reads, "
    "headers in the request's language. Each export is one audit event with its filters, "
    "format and row count."
)


def _export_schema(summary: str, detail: str) -> Any:
    return extend_schema(
        summary=summary,
        description=f"{_EXPORT_DESCRIPTION}\n\n{detail}",
        parameters=[ExportQuery],
        responses={
            **{(200, media.split(";")[0]): _FILE for media in CONTENT_TYPES.values()},
            **problem_responses(400, 403, 404),
        },
    )


class CustomerExportView(ExportView):
    kind = "customers"

    @_export_schema(
        "The customer list as CSV or xlsx (credfile import customers)",
        "`external_code` is the file's external code, or its customer code where it has "
        "none. ID and phone numbers are masked unless `reveal` is given and you hold the "
        "reveal right on the file (each file shown in clear is a `reveal` event); `reveal` "
        "from a role without that right is a 403.",
    )
    def get(self, request: Request) -> FileResponse:
        return super().get(request)


class InvoiceExportView(ExportView):
    kind = "invoices"

    @_export_schema(
        "The invoices of the customer list's files (credfile import invoices)",
        "One row per invoice: `customer` as the customers export names the file, the amount "
        "as a plain decimal string beside its currency.",
    )
    def get(self, request: Request) -> FileResponse:
        return super().get(request)


class PaymentExportView(ExportView):
    kind = "payments"

    @_export_schema(
        "The payments of the customer list's files (credfile import payments)",
        "One row per invoice a payment settles (the import takes the rows of one payment "
        "number as one payment), the amount it settled, with the invoice's currency.",
    )
    def get(self, request: Request) -> FileResponse:
        return super().get(request)


urlpatterns = [
    path("imports/", ImportView.as_view(), name="import"),
    path("exports/customers/", CustomerExportView.as_view(), name="export-customers"),
    path("exports/invoices/", InvoiceExportView.as_view(), name="export-invoices"),
    path("exports/payments/", PaymentExportView.as_view(), name="export-payments"),
]
