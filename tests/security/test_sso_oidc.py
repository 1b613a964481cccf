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
    oidc_provider.end_session = True
    oidc_provider.logouts.clear()
    oidc_provider.sessions.clear()
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
    # The refusal counts as one more failure of the name: the lockout page, as for a password.
    assert answer.status_code == 429
    assert "Too many failed log-in attempts" in answer.content.decode()
    assert not User.objects.filter(username="wu.min").exists()


def _logout_at_credfile(client: Client) -> Any:
    """The log-out button: a POST with the page's CSRF token, as a browser sends it."""
    page = client.get(reverse("customers:list"))
    assert page.status_code == 200
    token = html.unescape(page.content.decode()).split('name="csrfmiddlewaretoken" value="')[1]
    return client.post(reverse("logout"), {"csrfmiddlewaretoken": token.split('"', 1)[0]})


def test_signing_out_ends_the_providers_session_too(provider: Provider) -> None:
    client, answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    assert answer.status_code == 302
    assert "sub-wu.min" in provider.sessions
    # Every page lets its log-out form lead to the provider (CSP form-action).
    csp = client.get(reverse("customers:list"))["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in csp

    out = _logout_at_credfile(client)

    assert out.status_code == 302
    target = urlsplit(out["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/logout"
    # credfile's session has ended already; the provider's ends at its endpoint.
    assert client.get(reverse("customers:list")).status_code == 302
    back = requests.get(out["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == "http://testserver" + reverse("login")
    assert "sub-wu.min" not in provider.sessions
    [logout] = provider.logouts
    assert logout["client_id"] == provider.client_id
    user = User.objects.get(username="wu.min")
    assert AuditEvent.objects.filter(action="logout", object_id=str(user.pk)).exists()


def test_a_configured_logout_endpoint_is_used_instead_of_discovery(
    provider: Provider, settings: Any
) -> None:
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://sso.example.com/realms/staff/logout?ui=1"
    client, _answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    csp = client.get(reverse("customers:list"))["Content-Security-Policy"]
    assert "https://sso.example.com" in csp

    out = _logout_at_credfile(client)

    assert out["Location"].startswith("https://sso.example.com/realms/staff/logout?ui=1&")
    assert "id_token_hint=" in out["Location"]


def test_signing_out_stays_in_credfile_without_a_provider_session(
    provider: Provider, personas: Personas, settings: Any
) -> None:
    # A password sign-in: the provider has nothing to end.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas.credit_manager, backend="django.contrib.auth.backends.ModelBackend")
    out = _logout_at_credfile(client)
    assert out.status_code == 302 and out["Location"] == reverse("login")
    # A provider without an end-session endpoint: credfile's own sign-out only.
    provider.end_session = False
    oidc._DISCOVERED.clear()
    client, _answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    out = _logout_at_credfile(client)
    assert out.status_code == 302 and out["Location"] == reverse("login")
    assert client.get(reverse("customers:list")).status_code == 302
    assert provider.logouts == []


def test_without_the_provider_the_form_action_is_self_only(settings: Any) -> None:
    settings.CREDFILE_OIDC_ENABLED = False
    csp = Client().get(reverse("login"))["Content-Security-Policy"]
    assert "form-action 'self';" in csp


def test_a_refused_provider_sign_in_is_recorded_and_counts_towards_the_lockout(
    provider: Provider,
) -> None:
    from axes.models import AccessAttempt

    _client, answer = _sign_in(provider, _claims("wu.min", "/staff"))
    assert answer.status_code == 403
    failed = AuditEvent.objects.filter(action="login_failed").last()
    assert failed is not None
    assert failed.after == {"username": "wu.min", "via": "oidc"}
    assert AccessAttempt.objects.get(username="wu.min").failures_since_start == 1
    # As for a password: the limit of refusals locks the name, whichever way it comes.
    for _attempt in range(4):
        _sign_in(provider, _claims("wu.min", "/staff"))
    _client, answer = _sign_in(provider, _claims("wu.min", "/credfile/credit"))
    assert "Too many failed log-in attempts" in html.unescape(answer.content.decode())
    assert not User.objects.filter(username="wu.min").exists()
    status = Client().post(reverse("login"), {"username": "wu.min", "password": "x"}).status_code
    assert status == 429


def test_an_error_from_the_provider_is_recorded(provider: Provider) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(reverse("oidc-start"))
    answer = client.get(reverse("oidc-callback"), {"error": "access_denied", "state": "x"})
    assert answer.status_code == 403
    failed = AuditEvent.objects.filter(action="login_failed").last()
    assert failed is not None and failed.after == {"username": "", "via": "oidc"}
