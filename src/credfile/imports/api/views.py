"""POST /api/v1/imports/: the import of the page and the command, as multipart upload."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.accounts.models import User
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import can_import
from credfile.imports.api.serializers import ImportInput, ImportOutput
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


urlpatterns = [path("imports/", ImportView.as_view(), name="import")]
