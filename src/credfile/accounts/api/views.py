from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.accounts.api.serializers import (
    PrivilegeChangeOutput,
    PrivilegeDecisionInput,
    TokenInfoOutput,
    TokenInput,
    TokenOutput,
)
from credfile.accounts.choices import PrivilegeChangeStatus
from credfile.accounts.lockout import cooloff_minutes, lockout_message
from credfile.accounts.otp import (
    otp_required,
    otp_wait_message,
    otp_wait_seconds,
    totp_device,
    totp_verify,
)
from credfile.accounts.selectors import (
    api_token_get,
    api_tokens_of,
    privilege_change_get,
    privilege_change_queryset,
)
from credfile.accounts.services import (
    api_token_issue,
    api_token_revoke,
    api_tokens_revoke,
    privilege_change_approve,
    privilege_change_reject,
)
from credfile.audit.choices import AuditAction
from credfile.core.api_schema import problem_responses
from credfile.core.authentication import BearerTokenAuthentication
from credfile.customers.api.views import api_user, paginate


class TokenView(APIView):
    """Exchange a username and password for an API token (send it as `Bearer <token>`).

    The token lives CREDFILE_TOKEN_HOURS hours (`expires`); only its hash is stored, so it
    is shown this once. It ends early at logout, a password change, deactivation or a
    second-factor reset.

    Accounts whose role needs a second factor (by default administrators, executives and
    auditors) get a token only with `otp_token`, the current code of the authenticator app
    they enrolled in the web pages. After too many failed attempts the username is locked
    for the address it was tried from, and the answer is 429 with Retry-After.
    """

    permission_classes = [AllowAny]
    # Bearer only to answer 401 with a WWW-Authenticate challenge on bad credentials.
    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(description="A field is missing, or otp_token is required"),
            401: OpenApiResponse(description="Wrong username, password or one-time code"),
            403: OpenApiResponse(description="The account has no second factor enrolled yet"),
            429: OpenApiResponse(description="Locked after too many failed attempts"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # With the request, so that django-axes counts failures and refuses locked-out users.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            if getattr(request._request, "axes_locked_out", False):
                raise Throttled(wait=cooloff_minutes() * 60, detail=lockout_message())
            raise AuthenticationFailed(_("Wrong username or password."))
        if otp_required(user):
            code = "".join(data.validated_data.get("otp_token", "").split())
            device = totp_device(user)
            if device is None:
                raise PermissionDenied(
                    _(
                        "This account needs a second factor, and none is set up yet. Log in to "
                        "the web pages once to set up an authenticator app, then ask for a token "
                        "with its code in otp_token."
                    )
                )
            if not code:
                raise serializers.ValidationError(
                    {"otp_token": [_("This account needs the code from its authenticator app.")]}
                )
            if wait := otp_wait_seconds(device):
                raise Throttled(wait=wait, detail=otp_wait_message(wait))
            if totp_verify(user, code) is None:
                raise AuthenticationFailed(
                    _("Wrong or expired one-time code. Wait for the next code and try again.")
                )
        token, secret = api_token_issue(user=user)
        return Response({"token": secret, "expires": token.expiry}, status=status.HTTP_200_OK)


class TokenListView(APIView):
    """Your own API tokens in force (never the token itself: only its first characters)."""

    @extend_schema(responses={200: TokenInfoOutput(many=True)})
    def get(self, request: Request) -> Response:
        tokens = api_tokens_of(user=api_user(request))
        return Response(TokenInfoOutput(tokens, many=True).data)


class TokenDetailView(APIView):
    """Revoke one of your own tokens by its id (from the list)."""

    @extend_schema(responses={204: None, **problem_responses(404)})
    def delete(self, request: Request, token_id: str) -> Response:
        user = api_user(request)
        api_token_revoke(actor=user, token=api_token_get(user=user, digest=token_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """End the token this request was made with."""

    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        user = api_user(request)
        token = request.auth
        assert isinstance(token, AuthToken)
        api_tokens_revoke(
            user=user,
            actor=user,
            reason="logout",
            digests=[token.digest],
            action=AuditAction.LOGOUT,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """End every API token you hold."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        user = api_user(request)
        api_tokens_revoke(user=user, actor=user, reason="logout_all", action=AuditAction.LOGOUT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PrivilegeChangeViewSet(viewsets.GenericViewSet[Any]):
    """Changes of a user's role, department or activation, awaiting an executive's approval.

    Executives and auditors see them all, administrators those they asked for; an executive
    decides, never the maker and never about their own account.
    """

    @extend_schema(responses={200: PrivilegeChangeOutput, **problem_responses(400)})
    def list(self, request: Request) -> Response:
        queryset = privilege_change_queryset(user=api_user(request))
        status_filter = request.query_params.get("status", "")
        if status_filter in PrivilegeChangeStatus.values:
            queryset = queryset.filter(status=status_filter)
        return paginate(self, queryset, ("-id",), PrivilegeChangeOutput)

    @extend_schema(responses={200: PrivilegeChangeOutput, **problem_responses(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        change = privilege_change_get(user=api_user(request), pk=pk)
        return Response(PrivilegeChangeOutput(change).data)

    @extend_schema(
        request=PrivilegeDecisionInput,
        responses={200: PrivilegeChangeOutput, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        data = PrivilegeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = api_user(request)
        change = privilege_change_approve(
            actor=user,
            change=privilege_change_get(user=user, pk=pk),
            reason=data.validated_data["reason"],
        )
        return Response(PrivilegeChangeOutput(change).data)

    @extend_schema(
        request=PrivilegeDecisionInput,
        responses={200: PrivilegeChangeOutput, **problem_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Reject, giving the reason."""
        data = PrivilegeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = api_user(request)
        change = privilege_change_reject(
            actor=user,
            change=privilege_change_get(user=user, pk=pk),
            reason=data.validated_data["reason"],
        )
        return Response(PrivilegeChangeOutput(change).data)
