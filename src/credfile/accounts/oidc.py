"""Sign-in with an OpenID Connect provider (mozilla-django-oidc, authorization code flow with
PKCE and a nonce).

mozilla-django-oidc is a Django authentication backend with the two views of the code flow:
it keeps state, nonce and PKCE verifier in the session and checks the ID token's signature
against the provider's keys. credfile adds what it leaves out: endpoints discovered from the
issuer, the ID token's issuer and audience checked, and the account written by credfile
itself from the group claim (accounts.sso.directory_sign_in).
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from credfile.accounts.lockout import lockout_message
from credfile.accounts.sso import attempt_mark, directory_sign_in, refusal_of, refuse
from credfile.accounts.sso_config import OIDC_ENDPOINTS
from credfile.audit.services import audit_login_failed

log = logging.getLogger(__name__)

_DISCOVERED: dict[str, dict[str, Any]] = {}
_DISCOVERY_LOCK = threading.Lock()


def oidc_config() -> dict[str, str]:
    config: dict[str, str] | None = getattr(settings, "CREDFILE_OIDC", None)
    if not getattr(settings, "CREDFILE_OIDC_ENABLED", False) or not config:
        raise Http404
    return config


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's metadata, fetched once per process; it must name the configured issuer
    (OpenID Connect Discovery 1.0, section 4.3)."""
    with _DISCOVERY_LOCK:
        if issuer not in _DISCOVERED:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration",
                timeout=import_from_settings("OIDC_TIMEOUT", 10),
                verify=import_from_settings("OIDC_VERIFY_SSL", True),
            )
            response.raise_for_status()
            metadata = response.json()
            if str(metadata.get("issuer", "")).rstrip("/") != issuer:
                raise ImproperlyConfigured(
                    f"The provider at {issuer} names another issuer: {metadata.get('issuer')!r}"
                )
            _DISCOVERED[issuer] = metadata
        return _DISCOVERED[issuer]


OIDC_BACKEND = "credfile.accounts.oidc.DirectoryOIDCBackend"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def logout_endpoint() -> str:
    """The provider's end-session endpoint: CREDFILE_OIDC_LOGOUT_ENDPOINT, else the one its
    discovery document names; empty when the provider has none (or cannot be reached)."""
    explicit = str(getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "") or "")
    if explicit:
        return explicit
    try:
        return str(discovery(oidc_config()["issuer"]).get("end_session_endpoint") or "")
    except (requests.RequestException, ValueError, ImproperlyConfigured) as exc:
        log.warning("the provider's end_session_endpoint could not be read: %s", exc)
        return ""


def provider_logout_url(request: HttpRequest) -> str:
    """Where to send a person who signed in through the provider and signs out of credfile,
    so that the provider's session ends too (OpenID Connect RP-Initiated Logout 1.0); empty
    for every other sign-in, or when the provider has no logout endpoint. Read before the
    session is flushed: it holds the ID token (the hint) and the backend."""
    config = getattr(settings, "CREDFILE_OIDC", None) or {}
    if not getattr(settings, "CREDFILE_OIDC_ENABLED", False) or not config:
        return ""
    if not config.get("logout_at_provider", True):
        return ""
    if request.session.get(BACKEND_SESSION_KEY) != OIDC_BACKEND:
        return ""
    endpoint = logout_endpoint()
    if not endpoint:
        return ""
    params = {
        "client_id": str(oidc_setting("OIDC_RP_CLIENT_ID")),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token := request.session.get("oidc_id_token"):
        params["id_token_hint"] = str(id_token)
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


def form_action_origins() -> list[str]:
    """The provider's origins a form may lead to (the logout's redirect), for the
    Content-Security-Policy's form-action: the issuer's, the configured logout endpoint's,
    and the discovered one's once this process has read it."""
    config = getattr(settings, "CREDFILE_OIDC", None) or {}
    if not getattr(settings, "CREDFILE_OIDC_ENABLED", False) or not config:
        return []
    if not config.get("logout_at_provider", True):
        return []
    urls = [config["issuer"], str(getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "") or "")]
    urls.append(str(_DISCOVERED.get(config["issuer"], {}).get("end_session_endpoint") or ""))
    origins = []
    for url in urls:
        if (origin := _origin(url)) and origin not in origins:
            origins.append(origin)
    return origins


def oidc_setting(attr: str, *args: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint not set explicitly comes from discovery."""
    for setting, key in OIDC_ENDPOINTS.values():
        if attr == setting and not hasattr(settings, setting):
            return discovery(oidc_config()["issuer"])[key]
    return import_from_settings(attr, *args)


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """The library's backend, with endpoints resolved only when a sign-in uses them (a
    password sign-in never waits for the provider) and credfile's account rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # the library's attribute name
        return str(self.get_settings("OIDC_OP_TOKEN_ENDPOINT"))

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(self.get_settings("OIDC_OP_USER_ENDPOINT"))

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(self.get_settings("OIDC_OP_JWKS_ENDPOINT"))

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        # The library checks the signature only; an ID token is also for this client from
        # this issuer (OpenID Connect Core 1.0, 3.1.3.7), and it has not expired.
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with an unexpected algorithm")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=oidc_config()["issuer"],
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            # OpenID Connect Core 1.0, 5.3.2: the userinfo answer is for the ID token's person.
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**payload, **claims}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        config = oidc_config()
        claims = self.get_userinfo(access_token, id_token, payload)
        username = str(claims.get(config["username_claim"]) or "").strip().lower()
        # A refusal from here on is a failed sign-in of this name, through the provider.
        attempt_mark(self.request, via="oidc", username=username)
        if not username:
            raise refuse(
                self.request,
                _("The provider did not say who you are (no %(claim)s claim).")
                % {"claim": config["username_claim"]},
            )
        # The lockout of a name applies whichever way its person signs in.
        if not AxesProxyHandler.is_allowed(self.request, {"username": username}):
            raise refuse(self.request, lockout_message())
        groups = claims.get(config["groups_claim"]) or []
        if isinstance(groups, str):
            groups = [groups]
        profile = {
            "first_name": str(claims.get("given_name") or ""),
            "last_name": str(claims.get("family_name") or ""),
            "email": str(claims.get("email") or ""),
            "display_name": str(claims.get("name") or ""),
        }
        return directory_sign_in(
            request=self.request,
            source="oidc",
            username=username,
            groups=[str(group) for group in groups],
            profile=profile,
        )


class OIDCStartView(OIDCAuthenticationRequestView):
    """`Sign in with …` on the login page: off to the provider with state, nonce and PKCE."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        oidc_config()
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here; a refusal is shown on the login page."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        oidc_config()
        if request.GET.get("error"):
            # The provider did not sign the person in (refused, or cancelled there).
            log.info("OpenID Connect provider answered %s", request.GET["error"][:100])
            audit_login_failed(username="", account=None, via="oidc")
        try:
            response: HttpResponse = super().get(request)
        except PermissionDenied:
            return self._refused(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as exc:
            # A forged or stale answer never reached authenticate()'s failure signal.
            log.warning("OpenID Connect sign-in refused: %s", exc)
            audit_login_failed(username="", account=None, via="oidc")
            return self._refused(request)
        return response

    def login_failure(self) -> HttpResponse:
        return self._refused(self.request)

    def _refused(self, request: HttpRequest) -> HttpResponse:
        message = refusal_of(request) or _(
            "The sign-in with %(provider)s did not succeed. Try again, or sign in with your "
            "password."
        ) % {"provider": oidc_config()["provider_name"]}
        from credfile.accounts.views import login_context

        return render(
            request,
            "registration/login.html",
            {**login_context(request), "sso_refused": message},
            status=403,
        )
