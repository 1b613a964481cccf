"""Shared API pieces: bearer tokens, keyset pagination and RFC 9457 problem responses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from credfile.core.errors import ConfirmationRequired, DuplicateRecord, StaleVersion

PROBLEM_CONTENT_TYPE = "application/problem+json"


class KeysetPagination(CursorPagination):
    """Cursor pagination: stable and equally fast on every page of a large table."""

    ordering: str | list[str] | tuple[str, ...] = "-id"  # API views set it per request
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Any) -> Any:
        # A damaged cursor is bad input (400 naming the parameter), not a missing page.
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {
                    self.cursor_query_param: [
                        _("This cursor is not valid; start from the first page.")
                    ]
                }
            ) from None


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [
                str(m) for e in errors for m in e.messages
            ]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "field.0.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def problem(status_code: int, title: str, detail: str = "", **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as application/problem+json, with per-field messages under `errors`."""
    if isinstance(exc, DjangoValidationError | StaleVersion | OverflowError | DataError):
        set_rollback()  # as DRF does for its own exceptions
    if isinstance(exc, RequestDataTooBig):
        return problem(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            _("Request too large"),
            _("The request body is larger than this server accepts."),
        )
    if isinstance(exc, OverflowError | DataError):
        # A number no column can hold reached the database: bad input, not a server error.
        return problem(
            status.HTTP_400_BAD_REQUEST,
            _("Malformed request"),
            _("A number in the request is out of range."),
        )
    if isinstance(exc, DuplicateRecord):
        existing = exc.existing
        return problem(
            status.HTTP_409_CONFLICT,
            _("Duplicate credit file"),
            str(_field_errors(exc)[exc.field][0]),
            errors=_field_errors(exc),
            existing={
                "id": existing.pk,
                "code": existing.code,
                "url": f"/api/v1/customers/{existing.pk}/",
            },
        )
    if isinstance(exc, ConfirmationRequired):
        return problem(
            status.HTTP_409_CONFLICT,
            _("Confirmation required"),
            str(_field_errors(exc)[exc.field][0]),
            errors=_field_errors(exc),
            matches=[{"id": m.pk, "code": m.code, "name": m.name} for m in exc.matches],
            confirm_with="confirm_similar_name",
        )
    if isinstance(exc, StaleVersion):
        return problem(
            status.HTTP_409_CONFLICT,
            _("Edit conflict"),
            str(getattr(exc, "message", ""))
            or _(
                "Someone changed this credit file after you loaded it. Reload it and apply your "
                "change again."
            ),
            current_version=exc.current_version,
            # What changed meanwhile, field by field (sensitive values masked).
            changes=list(exc.changes.values()),
        )
    if isinstance(exc, DjangoValidationError):
        errors = _field_errors(exc)
        return problem(
            status.HTTP_400_BAD_REQUEST,
            _("Invalid input"),
            _("Correct the fields named in errors."),
            errors=errors,
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            response.status_code,
            _("Invalid input"),
            _("Correct the fields named in errors."),
            errors=_flatten(exc.detail),
        )
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    title = {
        400: _("Malformed request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        406: _("Not acceptable"),
        405: _("Method not allowed"),
        429: _("Too many requests"),
    }.get(response.status_code, _("Error"))
    result = problem(response.status_code, str(title), str(detail))
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            result[header] = response[header]
    return result
