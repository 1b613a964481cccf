"""OpenAPI descriptions of the API's problem responses (see core.api.problem_exception_handler)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from credfile.core.api import PROBLEM_CONTENT_TYPE


class ProblemRecordSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    url = serializers.CharField(required=False)
    name = serializers.CharField(required=False)


class ProblemSerializer(serializers.Serializer[Any]):
    """An RFC 9457 problem; `errors` names the fields at fault, each with its messages."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    # Shadows Serializer.errors for type checkers only: declared fields leave the class.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    existing = ProblemRecordSerializer(required=False, help_text=_("The record already on file."))
    matches = ProblemRecordSerializer(
        many=True, required=False, help_text=_("Files with a similar name.")
    )
    confirm_with = serializers.CharField(
        required=False, help_text=_("The input flag that confirms the warning.")
    )
    current_version = serializers.IntegerField(required=False)


_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each field at fault.",
    403: "Not permitted for your role or department.",
    404: "No such record within your scope.",
    409: "Duplicate record, similar name to confirm, or edit conflict.",
}


def problem_responses(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    """`responses=` entries for the given error status codes, as application/problem+json."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=_DESCRIPTIONS[code]
        )
        for code in codes
    }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    """The browser session (with its second factor where required) for the API."""

    target_class = "credfile.core.authentication.OTPSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """API tokens from POST /api/v1/auth/token/ (django-rest-knox), sent as `Bearer <token>`."""

    target_class = "credfile.core.authentication.BearerTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}
