"""Repeated failed log-ins lock the username from that address (django-axes)."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.helpers import assert_problem
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LIMIT = 5  # CREDFILE_LOGIN_FAILURE_LIMIT's default
LOCKED_TEXT = "Too many failed log-in attempts"


def _log_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def _token(client: APIClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_the_login_page_locks_a_username_after_the_failure_limit(personas: Personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT - 1):
        page = _log_in(client, "li.na", "wrong-password")
        assert page.status_code == 200
        assert "Please enter a correct username and password" in page.content.decode()

    page = _log_in(client, "li.na", "wrong-password")
    assert page.status_code == 429
    text = page.content.decode()
    assert LOCKED_TEXT in text
    assert "locked for 15 minutes" in text
    assert 'id="id_username"' in text  # the login page itself, not a bare error page

    # Now even the right password is refused, and nobody is signed in.
    page = _log_in(client, "li.na", PASSWORD)
    assert page.status_code == 429
    assert LOCKED_TEXT in page.content.decode()
    assert client.get(reverse("customers:list")).status_code == 302


def test_the_lockout_message_is_in_chinese_for_a_chinese_browser(personas: Personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _attempt in range(LIMIT):
        page = _log_in(client, "li.na", "wrong-password")
    assert page.status_code == 429
    assert "15" in page.content.decode()
    assert LOCKED_TEXT not in page.content.decode()


def test_the_lockout_holds_one_username_from_one_address_only(personas: Personas) -> None:
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    for _attempt in range(LIMIT):
        _log_in(attacker, "li.na", "wrong-password")

    colleague = _log_in(attacker, "zhao.lei", PASSWORD)
    assert colleague.status_code == 302
    owner_elsewhere = _log_in(Client(REMOTE_ADDR="198.51.100.20"), "li.na", PASSWORD)
    assert owner_elsewhere.status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(personas: Personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT - 1):
        _log_in(client, "li.na", "wrong-password")
    assert _log_in(client, "li.na", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(LIMIT - 1):
        assert _log_in(client, "li.na", "wrong-password").status_code == 200


def test_the_lock_ends_after_the_cool_off(personas: Personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT):
        _log_in(client, "li.na", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _log_in(client, "li.na", PASSWORD).status_code == 302


def test_axes_reset_unlocks_for_operators(personas: Personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT):
        _log_in(client, "li.na", "wrong-password")
    assert _log_in(client, "li.na", PASSWORD).status_code == 429

    call_command("axes_reset", verbosity=0)

    response = _log_in(client, "li.na", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_token_endpoint_locks_after_the_failure_limit(personas: Personas) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT - 1):
        body = assert_problem(_token(client, "li.na", "wrong-password"), 401)
        assert body["detail"] == "Wrong username or password."

    response = _token(client, "li.na", "wrong-password")
    body = assert_problem(response, 429)
    assert body["detail"].startswith(LOCKED_TEXT)
    assert int(response["Retry-After"]) == 15 * 60

    response = _token(client, "li.na", PASSWORD)
    assert_problem(response, 429)
    assert "token" not in response.json()

    call_command("axes_reset", verbosity=0)
    assert _token(client, "li.na", PASSWORD).status_code == 200


def test_failures_on_the_api_and_the_page_add_up(personas: Personas) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(LIMIT - 1):
        _token(api, "li.na", "wrong-password")
    page = _log_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "li.na", "wrong-password")
    assert page.status_code == 429
