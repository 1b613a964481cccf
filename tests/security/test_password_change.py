"""A user changes their own password from the navigation bar."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from credfile.audit.models import AuditEvent
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

URL = reverse("password_change")
NEW = "plum-lantern-harbour-42"


def test_the_navigation_bar_links_to_the_password_page(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(personas.account_manager).get(reverse("customers:list")).content.decode()
    assert f'href="{URL}"' in page
    assert "Change password" in page


def test_a_user_changes_their_password_and_stays_signed_in(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Your password has been changed." in page.content.decode()
    assert AuditEvent.objects.filter(
        action="update", object_id=str(personas.account_manager.pk), after={"password": "changed"}
    ).exists()

    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert (
        fresh.post(reverse("login"), {"username": "li.na", "password": PASSWORD}).status_code == 200
    )
    assert fresh.post(reverse("login"), {"username": "li.na", "password": NEW}).status_code == 302


def test_the_old_password_must_be_right(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    page = client.post(URL, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})
    assert page.status_code == 422
    assert "Your old password was entered incorrectly" in page.content.decode()
    personas.account_manager.refresh_from_db()
    assert personas.account_manager.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "This password is too short. It must contain at least 10 characters."),
        ("1234567890123", "This password is entirely numeric."),
        ("password123", "This password is too common."),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(  # type: ignore[no-untyped-def]
    personas: Personas, client_for, new: str, message: str
) -> None:
    client = client_for(personas.account_manager)
    page = client.post(URL, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert page.status_code == 422
    assert message in page.content.decode()
    personas.account_manager.refresh_from_db()
    assert personas.account_manager.check_password(PASSWORD)


def test_an_auditor_keeps_the_verified_session_after_the_change(
    personas: Personas, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.auditor)
    client.post(URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert client.get(reverse("customers:list")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get(URL)["Location"].startswith(reverse("login"))
