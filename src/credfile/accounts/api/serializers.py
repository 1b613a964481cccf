"""Input and output of the accounts API: tokens and privilege changes."""

from __future__ import annotations

from typing import Any

from knox.models import AuthToken
from rest_framework import serializers

from credfile.accounts.models import PrivilegeChange


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
    token = serializers.CharField(help_text="Shown once; only its hash is kept.")
    expires = serializers.DateTimeField()


class TokenInfoOutput(serializers.Serializer[AuthToken]):
    """A token of one's own, without the token: its id (to revoke it) and first characters."""

    id = serializers.CharField(source="digest")
    prefix = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(source="expiry", allow_null=True)

    def get_prefix(self, token: AuthToken) -> str:
        return str(token.token_key)[:8]


class PrivilegeDecisionInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PrivilegeChangeOutput(serializers.ModelSerializer[PrivilegeChange]):
    user = serializers.CharField(source="user.username")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    before_department = serializers.CharField(
        source="before_department.code", allow_null=True, default=None
    )
    after_department = serializers.CharField(
        source="after_department.code", allow_null=True, default=None
    )

    class Meta:
        model = PrivilegeChange
        fields = [
            "id",
            "user",
            "requested_by",
            "before_role",
            "after_role",
            "before_department",
            "after_department",
            "before_active",
            "after_active",
            "status",
            "decided_by",
            "decided_at",
            "reason",
            "created_at",
        ]
        read_only_fields = fields
