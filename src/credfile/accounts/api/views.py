from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credfile.accounts.lockout import cooloff_minutes, lockout_message
from credfile.accounts.otp import (
    otp_required,
    otp_wait_message,
    otp_wait_seconds,
    totp_device,
    totp_verify,
)
from credfile.core.authentication import BearerTokenAuthentication


class TokenInput(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="The current six-digit code of the account's authenticator app; required "
        "for the roles that must sign in with a second factor (CREDFILE_OTP_REQUIRED_ROLES).",
    )


class TokenOutput(serializers.Serializer[dict[str, str]]):
    token = serializers.CharField()


class TokenView(APIView):
    """Exchange a username and password for an API token (send it as `Bearer <token>`).

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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)
