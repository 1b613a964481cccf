"""API authentication, kept apart from views to avoid an import cycle with DRF settings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from credfile.accounts.otp import otp_pending


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` with a token from POST /api/v1/auth/token/.

    django-rest-knox stores only a hash of each token and refuses it after its expiry
    (CREDFILE_TOKEN_HOURS) or when its user is inactive.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            result: tuple[Any, Any] | None = super().authenticate(request)
            return result
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"

    def _cleanup_token(self, auth_token: Any) -> bool:
        # Only the presented token: knox would also read all the user's other tokens on
        # every request. Their expired ones go when the user next asks for a token.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class SecondFactorPending(exceptions.PermissionDenied):
    default_detail = _(
        "This account needs a second factor: enter the code from your authenticator app in "
        "the web pages before using the API from this session."
    )
    default_code = "otp_required"


class OTPSessionAuthentication(SessionAuthentication):
    """The browser session, refused while a required second factor is not yet verified.

    Tokens need no such check: the token endpoint asks for the one-time code itself.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None and otp_pending(request._request.user):
            raise SecondFactorPending()
        return result
