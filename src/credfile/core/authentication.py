"""API authentication, kept apart from views to avoid an import cycle with DRF settings."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` with a token from POST /api/v1/auth/token/."""

    keyword = "Bearer"
