"""Sign-in with an OpenID Connect provider run by the test (tests/security/sso_servers.py),
through the whole redirect flow: credfile → provider → credfile."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from credfile.accounts import oidc
from credfile.accounts.models import User
from credfile.accounts.sso_config import oidc_settings, parse_group_map
from credfile.audit.models import AuditEvent
from tests.conftest import Personas
from tests.security.sso_servers import Provider, oidc_provider

__all__ = ["oidc_provider"]

pytestmark = pytest.mark.django_db

GROUP_MAP = """{
  "/credfile/credit": {"role": "credit_manager"},
  "/credfile/sales": {"role": "account_manager", "department": "SALES"},
  "/credfile/audit": {"role": "auditor"}
}"""


@pytest.fixture
def provider(
    oidc_provider: Provider, settings: Any, monkeypatch: pytest.MonkeyPatch, personas: Personas
) -> Provider:
    for name, value in {
        "CREDFILE_OIDC_ISSUER": oidc_provider.issuer,
        "CREDFILE_OIDC_CLIENT_ID": oidc_provider.client_id,
        "CREDFILE_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
        "CREDFILE_OIDC_PROVIDER_NAME": "Keycloak",
    }.items():
        monkeypatch.setenv(name, value)
    for name, value in oidc_settings().items():
        setattr(settings, name, value)
    settings.CREDFILE_OIDC_ENABLED = True
    settings.CREDFILE_SSO_GROUP_MAP = parse_group_map(GROUP_MAP, source="test")
    settings.CREDFILE_PRIVILEGE_APPROVAL = False
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "credfile.accounts.oidc.DirectoryOIDCBackend",
    ]
    oidc_provider.tamper = ""
    oidc._DISCOVERED.clear()
    return oidc_provider


def _claims(username: str, *groups: str) -> dict[str, Any]:
    return {
        "sub": f"sub-{username}",
        "preferred_username": username,
        "name": "吴敏",
        "email": f"{username}@credfile.test",
        "groups": list(groups),
    }


def _sign_in(provider: Provider, claims: dict[str, Any]) -> tuple[Client, Any]:
    """The browser's round trip: the button, the provider's automatic consent, the callback."""
    provider.claims = claims
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start = client.get(reverse("oidc-start"))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    consent = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["Location"])
    assert back.path == reverse("oidc-callback")
    return client, client.get(f"{back.path}?{back.query}")


def test_the_login_page_offers_the_provider_only_when_configured(
    client: Client, settings: Any, provider: Provider
) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("login")).content.decode()
    assert "Sign in with Keycloak" in page
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("login")).content.decode()
    assert "使用 Keycloak 登录" in zh
    settings.CREDFILE_OIDC_ENABLED = False
    assert "Sign in with" not in Client().get(reverse("login")).content.decode()
    assert Client().get(reverse("oidc-start")).status_code == 404


def test_a_provider_sign_in_creates_the_account_with_the_mapped_role(
    provider: Provider, personas: Personas
) -> None:
    client, answer = _sign_in(provider, _claims("wu.min", "/staff", "/credfile/sales"))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")
    user = User.objects.get(username="wu.min")
    assert (user.role, user.department, user.is_active) == ("account_manager", personas.sales, True)
    assert (user.display_name, user.email) == ("吴敏", "wu.min@credfile.test")
    assert client.get(reverse("customers:list")).status_code == 200
    login = AuditEvent.objects.filter(action="login", object_id=str(user.pk)).get()
    assert login.after == {"via": "oidc"}
    # Endpoints came from the issuer's discovery document, once.
    assert provider.requests.count("/.well-known/openid-configuration") == 1

    # Moved to credit in the provider: the next sign-in follows, audited.
    _client, answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    assert answer.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.department) == ("credit_manager", None)
    update = AuditEvent.objects.filter(action="update", object_id=str(user.pk)).last()
    assert update is not None
    assert update.after["via"] == "oidc"


def test_a_first_provider_sign_in_waits_for_approval_when_it_is_on(
    provider: Provider, settings: Any
) -> None:
    settings.CREDFILE_PRIVILEGE_APPROVAL = True
    client, answer = _sign_in(provider, _claims("wu.min", "/credfile/sales"))
    assert answer.status_code == 403
    assert "waits for an executive's approval" in html.unescape(answer.content.decode())
    assert not User.objects.get(username="wu.min").is_active
    assert client.get(reverse("customers:list")).status_code == 302


def test_a_person_in_no_mapped_group_is_refused(provider: Provider) -> None:
    client, answer = _sign_in(provider, _claims("wu.min", "/staff"))
    assert answer.status_code == 403
    assert "none of your groups gives access to credfile" in answer.content.decode()
    assert not User.objects.filter(username="wu.min").exists()
    assert client.get(reverse("customers:list")).status_code == 302


@pytest.mark.parametrize("tamper", ["signature", "audience", "nonce", "issuer"])
def test_a_spoiled_id_token_is_refused(provider: Provider, tamper: str) -> None:
    provider.tamper = tamper
    client, answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    assert answer.status_code == 403
    assert "The sign-in with Keycloak did not succeed" in answer.content.decode()
    assert not User.objects.filter(username="wu.min").exists()
    assert client.get(reverse("customers:list")).status_code == 302
    assert AuditEvent.objects.filter(action="login_failed").last().after["via"] == "oidc"  # type: ignore[union-attr]


def test_a_role_that_needs_a_second_factor_still_gives_its_code(provider: Provider) -> None:
    client, answer = _sign_in(provider, _claims("wu.min", "/credfile/audit"))
    assert answer.status_code == 302
    listing = client.get(reverse("customers:list"))
    assert listing.status_code == 302
    assert listing["Location"].startswith(reverse("otp-setup"))


def test_a_local_account_is_not_taken_over_by_the_provider(
    provider: Provider, personas: Personas
) -> None:
    _client, answer = _sign_in(provider, _claims("li.na", "/credfile/credit"))
    assert answer.status_code == 403
    assert "signs in with its credfile password" in answer.content.decode()
    personas.account_manager.refresh_from_db()
    assert personas.account_manager.role == "account_manager"


def test_a_locked_out_name_is_refused_through_the_provider_too(provider: Provider) -> None:
    for _attempt in range(5):
        Client().post(reverse("login"), {"username": "wu.min", "password": "wrong"})
    _client, answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    assert answer.status_code == 403
    assert "Too many failed log-in attempts" in answer.content.decode()
