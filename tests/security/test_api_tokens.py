"""API tokens (django-rest-knox): hashed, expiring, the owner's alone, revoked on every
change that should end them, and each issue and revocation in the audit trail."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from credfile.accounts.services import user_privileges_change
from credfile.audit.models import AuditEvent
from tests.api.helpers import assert_problem
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
TOKENS = "/api/v1/auth/tokens/"
NEW_PASSWORD = "plum-lantern-harbour-42"


def _issue(username: str = "li.na") -> tuple[APIClient, dict[str, Any]]:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    return client, body


def _works(client: APIClient) -> bool:
    status: int = client.get(CUSTOMERS).status_code
    assert status in {200, 401}
    return status == 200


def test_a_token_comes_with_its_expiry_and_only_its_hash_is_stored(
    personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_TOKEN_HOURS = 3
    before = timezone.now()
    client, body = _issue()
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert datetime.timedelta(hours=3) <= expires - before <= datetime.timedelta(hours=3, minutes=1)
    assert _works(client)
    stored = AuthToken.objects.get(user=personas.account_manager)
    assert stored.digest != body["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        rows = cursor.fetchall()
    assert all(body["token"] not in value for row in rows for value in row)


def test_issuing_a_token_is_one_sign_in_event_saying_api_token(personas: Personas) -> None:
    before = AuditEvent.objects.count()
    _issue()
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert [event.action for event in events] == ["login"]
    assert events[0].actor == personas.account_manager
    assert events[0].after is not None
    assert events[0].after["via"] == "API token"
    assert "expires" in events[0].after


def test_a_token_stops_working_when_it_expires(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _body = _issue()
    assert _works(client)
    later = timezone.now() + datetime.timedelta(hours=8, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(CUSTOMERS)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not AuthToken.objects.filter(user=personas.account_manager).exists()


def test_the_owner_lists_their_tokens_without_the_secret(personas: Personas) -> None:
    client, body = _issue()
    _issue()
    _issue("zhao.lei")
    listed = client.get(TOKENS)
    assert listed.status_code == 200
    rows = listed.json()
    assert len(rows) == 2
    assert {"id", "prefix", "created", "expires"} <= set(rows[0])
    assert body["token"] not in listed.content.decode()
    assert any(body["token"].startswith(row["prefix"]) for row in rows)


def test_the_owner_revokes_one_token_and_it_is_audited(personas: Personas) -> None:
    client, body = _issue()
    other, _body = _issue()
    mine = next(row for row in client.get(TOKENS).json() if body["token"].startswith(row["prefix"]))
    before = AuditEvent.objects.count()
    assert other.delete(f"{TOKENS}{mine['id']}/").status_code == 204
    assert not _works(client)
    assert _works(other)
    event = AuditEvent.objects.get(seq=before + 1)
    assert event.action == "revoke"
    assert event.after == {
        "via": "API token",
        "revoked": [mine["prefix"]],
        "reason": "revoked_by_owner",
    }


def test_nobody_reads_or_revokes_another_users_token(personas: Personas, api_for: Any) -> None:
    victim, _body = _issue()
    token = AuthToken.objects.get(user=personas.account_manager)
    for persona in (personas.admin, personas.department_head, personas.executive):
        client = api_for(persona)
        rows = client.get(TOKENS).json()
        assert token.digest not in {row["id"] for row in rows}
        assert_problem(client.delete(f"{TOKENS}{token.digest}/"), 404)
    assert _works(victim)


def test_logout_ends_only_the_token_it_was_sent_with(personas: Personas) -> None:
    first, _body = _issue()
    second, _body = _issue()
    before = AuditEvent.objects.count()
    assert first.post("/api/v1/auth/logout/").status_code == 204
    assert not _works(first)
    assert _works(second)
    event = AuditEvent.objects.get(seq=before + 1)
    assert event.action == "logout"
    assert event.after is not None
    assert event.after["reason"] == "logout"


def test_logout_all_ends_every_token_of_the_caller(personas: Personas) -> None:
    first, _body = _issue()
    second, _body = _issue()
    colleague, _body = _issue("zhao.lei")
    assert first.post("/api/v1/auth/logout-all/").status_code == 204
    assert not _works(first)
    assert not _works(second)
    assert _works(colleague)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "logout"
    assert event.after is not None
    assert len(event.after["revoked"]) == 2


def test_changing_the_password_on_the_page_ends_the_tokens(
    personas: Personas, client_for: Any
) -> None:
    client, _body = _issue()
    page = client_for(personas.account_manager)
    response = page.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _works(client)
    event = AuditEvent.objects.get(action="revoke")
    assert event.actor == personas.account_manager
    assert event.after is not None
    assert event.after["reason"] == "password_changed"


def test_a_password_set_by_a_command_ends_the_tokens(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _body = _issue()
    # Django's `changepassword` asks twice through getpass.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "li.na", stdout=StringIO())
    assert not _works(client)
    assert AuditEvent.objects.filter(action="revoke").count() == 1


def test_a_password_reset_on_the_server_ends_the_tokens(personas: Personas) -> None:
    # What `credfile changepassword USERNAME` does; the admin may no longer set it.
    client, _body = _issue()
    user = personas.account_manager
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _works(client)


def test_deactivation_ends_the_tokens(personas: Personas) -> None:
    client, _body = _issue()
    user = personas.account_manager
    user_privileges_change(
        actor=personas.admin,
        user=user,
        role=user.role,
        department=user.department,
        is_active=False,
        is_staff=False,
        is_superuser=False,
    )
    assert_problem(client.get(CUSTOMERS), 401)
    assert not AuthToken.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="revoke")
    assert event.actor == personas.admin
    assert event.after is not None
    assert event.after["reason"] == "deactivated"


def test_a_second_factor_reset_ends_the_tokens(personas: Personas, api_for: Any) -> None:
    client = api_for(personas.auditor)
    assert _works(client)
    call_command("otp", "reset", "sun.li", stdout=StringIO())
    assert not _works(client)
    event = AuditEvent.objects.get(action="revoke")
    assert event.after is not None
    assert event.after["reason"] == "otp_reset"


def test_there_is_no_token_admin(personas: Personas, client_for: Any) -> None:
    page = client_for(personas.admin)
    assert page.get("/admin/").status_code == 200
    for url in (
        "/admin/authtoken/tokenproxy/",
        "/admin/authtoken/token/",
        "/admin/knox/authtoken/",
        "/admin/knox/authtoken/add/",
    ):
        assert page.get(url).status_code == 404, url
    assert not any(model._meta.app_label in {"knox", "authtoken"} for model in admin.site._registry)
    assert "authtoken" not in page.get("/admin/").content.decode().lower()


def test_the_tokens_page_lists_and_revokes_ones_own_tokens(
    personas: Personas, client_for: Any
) -> None:
    client, body = _issue()
    _issue("zhao.lei")
    page = client_for(personas.account_manager)
    text = page.get(reverse("api-tokens")).content.decode()
    assert "My API tokens" in text
    assert body["token"][:8] in text
    assert body["token"] not in text
    assert text.count("Revoke</button>") == 1
    token = AuthToken.objects.get(user=personas.account_manager)
    response = page.post(reverse("api-token-revoke", args=[token.digest]))
    assert response.status_code == 302
    assert "The token has been revoked." in page.get(reverse("api-tokens")).content.decode()
    assert not _works(client)


def test_the_tokens_page_does_not_reach_another_users_token(
    personas: Personas, client_for: Any
) -> None:
    client, _body = _issue("zhao.lei")
    token = AuthToken.objects.get(user=personas.colleague)
    page = client_for(personas.admin)
    assert page.post(reverse("api-token-revoke", args=[token.digest])).status_code == 404
    assert _works(client)


def test_the_tokens_page_is_in_chinese_too(personas: Personas, client_for: Any) -> None:
    _issue()
    text = client_for(personas.account_manager, "zh-hans").get(reverse("api-tokens")).content
    assert "我的 API 令牌" in text.decode()


def test_a_signed_out_visitor_has_no_tokens_page(client: Client) -> None:
    assert client.get(reverse("api-tokens")).status_code == 302
