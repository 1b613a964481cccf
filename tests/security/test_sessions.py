"""Sessions end after a period without activity, and at the latest CREDFILE_SESSION_AGE after
sign-in."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from credfile.core.middleware import LAST_SEEN, SIGNED_IN_AT
from tests.api.helpers import assert_problem
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("customers:list")


def _age(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_thirty_idle_minutes_log_the_user_out(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    assert client.get(CUSTOMERS).status_code == 200
    _age(client, LAST_SEEN, 31 * 60)

    response = client.get(CUSTOMERS)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/customers/"
    page = client.get(response["Location"])
    assert "You were logged out after 30 minutes without activity." in page.content.decode()
    assert client.get(CUSTOMERS).status_code == 302


def test_activity_keeps_the_session(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    _age(client, LAST_SEEN, 29 * 60)
    assert client.get(CUSTOMERS).status_code == 200
    # The request counted as activity: the idle clock started again.
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    assert client.get(CUSTOMERS).status_code == 200


def test_the_idle_limit_follows_the_setting(personas: Personas, client_for, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDFILE_SESSION_IDLE_MINUTES = 5
    client = client_for(personas.account_manager)
    _age(client, LAST_SEEN, 6 * 60)
    response = client.get(CUSTOMERS)
    assert response.status_code == 302
    assert "after 5 minutes without activity" in client.get(response["Location"]).content.decode()


def test_a_session_ends_at_the_session_age_even_when_in_use(
    personas: Personas, client_for, settings
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    _age(client, SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 60)
    response = client.get(CUSTOMERS)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Your session has ended. Log in again to continue." in page.content.decode()


def test_an_idle_htmx_request_sends_the_whole_page_to_the_login(
    personas: Personas, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    _age(client, LAST_SEEN, 31 * 60)
    response = client.get(CUSTOMERS, {"q": "星辰"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_an_idle_session_no_longer_opens_the_api(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    assert client.get("/api/v1/customers/").status_code == 200
    _age(client, LAST_SEEN, 31 * 60)
    assert_problem(client.get("/api/v1/customers/"), 401)
    assert client.get(CUSTOMERS).status_code == 302


def test_a_new_sign_in_starts_fresh_clocks(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    _age(client, LAST_SEEN, 31 * 60)
    client.get(CUSTOMERS)
    client.post(reverse("login"), {"username": "li.na", "password": "correct-horse-battery"})
    assert client.get(CUSTOMERS).status_code == 200
