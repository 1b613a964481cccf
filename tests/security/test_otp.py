"""A second factor (TOTP) for the roles that read across departments."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from credfile.accounts.otp import totp_secret
from credfile.audit.models import AuditEvent
from tests.api.helpers import assert_problem
from tests.conftest import PASSWORD, Personas, otp_device_for, totp_code

pytestmark = pytest.mark.django_db

SETUP = reverse("otp-setup")
VERIFY = reverse("otp-verify")
CUSTOMERS = reverse("customers:list")


def _password_login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _wait_out_the_throttle(device: TOTPDevice) -> None:
    """As if the user waited: after a wrong code the device refuses tries for a while."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp is not None:
        device.throttling_failure_timestamp -= datetime.timedelta(minutes=5)
        device.save()


def test_an_auditor_enrols_an_authenticator_app_then_reaches_the_customers(
    personas: Personas,
) -> None:
    client = _password_login("sun.li")

    response = client.get(CUSTOMERS)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fcustomers%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Set up two-factor authentication" in text
    assert re.search(r'data-testid="otp-qr"[^>]*><svg[^>]*xmlns="http://www.w3.org/2000/svg"', text)
    device = TOTPDevice.objects.get(user=personas.auditor, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', text)
    assert secret is not None
    assert len(secret.group(1).replace(" ", "")) == 32

    # A wrong code is refused next to the field, and the device stays unconfirmed.
    code = totp_code(device)
    refused = client.post(SETUP, {"otp_token": _wrong(code), "next": CUSTOMERS})
    assert refused.status_code == 422
    assert "This code is wrong or has expired" in refused.content.decode()
    assert client.get(CUSTOMERS).status_code == 302

    _wait_out_the_throttle(device)
    accepted = client.post(SETUP, {"otp_token": code, "next": CUSTOMERS})
    assert accepted.status_code == 302
    assert accepted["Location"] == CUSTOMERS
    page = client.get(CUSTOMERS)
    assert page.status_code == 200
    assert "Two-factor authentication is set up." in page.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action="create", object_type="otp_totp.totpdevice", object_id=str(device.pk)
    ).exists()


def test_an_enrolled_executive_enters_the_code_after_the_password(personas: Personas) -> None:
    device = otp_device_for(personas.executive)
    client = _password_login("liu.yang")

    response = client.get(reverse("customers:detail", args=[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")
    assert "Two-factor authentication" in client.get(VERIFY).content.decode()

    refused = client.post(VERIFY, {"otp_token": _wrong(totp_code(device))})
    assert refused.status_code == 422
    assert "This code is wrong, already used or has expired" in refused.content.decode()
    assert client.post(VERIFY, {"otp_token": "12ab"}).status_code == 422

    _wait_out_the_throttle(device)
    accepted = client.post(VERIFY, {"otp_token": totp_code(device), "next": CUSTOMERS})
    assert accepted["Location"] == CUSTOMERS
    assert client.get(CUSTOMERS).status_code == 200


def test_a_code_is_accepted_only_once(personas: Personas) -> None:
    device = otp_device_for(personas.executive)
    code = totp_code(device)
    first = _password_login("liu.yang")
    assert first.post(VERIFY, {"otp_token": code}).status_code == 302
    second = _password_login("liu.yang")
    assert second.post(VERIFY, {"otp_token": code}).status_code == 422
    assert second.get(CUSTOMERS).status_code == 302


def test_after_a_wrong_code_the_next_try_must_wait(personas: Personas, settings: Any) -> None:
    # A minute's wait (the factor doubles with each wrong code), so a busy machine taking a
    # second between the requests cannot let the second one through.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = otp_device_for(personas.executive)
    client = _password_login("liu.yang")
    client.post(VERIFY, {"otp_token": _wrong(totp_code(device))})

    page = client.post(VERIFY, {"otp_token": totp_code(device)})
    assert page.status_code == 422
    assert "Too many wrong codes. Wait" in page.content.decode()
    assert "seconds before the next try." in page.content.decode()
    assert client.get(CUSTOMERS).status_code == 302

    response = _token(username="liu.yang", password=PASSWORD, otp_token=totp_code(device))
    assert assert_problem(response, 429)["detail"].startswith("Too many wrong codes.")
    assert 50 < int(response["Retry-After"]) <= 60


def test_an_account_manager_needs_no_second_factor(personas: Personas) -> None:
    client = _password_login("li.na")
    assert client.get(CUSTOMERS).status_code == 200
    assert not TOTPDevice.objects.filter(user=personas.account_manager).exists()


def test_an_empty_role_list_turns_the_second_factor_off(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    client = _password_login("sun.li")
    assert client.get(CUSTOMERS).status_code == 200


@pytest.mark.parametrize(
    "url", [CUSTOMERS, "/admin/", "/api/docs/", reverse("password_change"), "/customers/new/"]
)
def test_until_verified_every_page_leads_to_the_second_factor(personas: Personas, url: str) -> None:
    client = _password_login("admin")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_until_verified_an_htmx_request_sends_the_whole_page_there(personas: Personas) -> None:
    client = _password_login("sun.li")
    response = client.get(CUSTOMERS, {"q": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


def test_until_verified_sign_out_and_language_still_work(personas: Personas) -> None:
    client = _password_login("sun.li")
    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": SETUP})
    assert switched.status_code == 302
    assert switched["Location"] == SETUP
    assert "设置双重身份验证" in client.get(SETUP).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(CUSTOMERS)["Location"].startswith(reverse("login"))


def test_until_verified_the_api_refuses_the_session(personas: Personas) -> None:
    client = _password_login("sun.li")
    body = assert_problem(client.get("/api/v1/customers/"), 403)
    assert "second factor" in body["detail"]

    verified = Client(HTTP_ACCEPT_LANGUAGE="en")
    verified.post(reverse("login"), {"username": "li.na", "password": PASSWORD})
    assert verified.get("/api/v1/customers/").status_code == 200


def _token(**credentials: str):  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    return client.post("/api/v1/auth/token/", credentials, format="json")


def test_an_executive_gets_an_api_token_only_with_a_code(personas: Personas) -> None:
    device = otp_device_for(personas.executive)

    body = assert_problem(_token(username="liu.yang", password=PASSWORD), 400, "otp_token")
    assert body["errors"]["otp_token"] == [
        "This account needs the code from its authenticator app."
    ]

    code = totp_code(device)
    wrong = _token(username="liu.yang", password=PASSWORD, otp_token=_wrong(code))
    assert assert_problem(wrong, 401)["detail"].startswith("Wrong or expired one-time code.")
    assert "token" not in wrong.json()

    _wait_out_the_throttle(device)
    response = _token(username="liu.yang", password=PASSWORD, otp_token=code)
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert client.get("/api/v1/customers/").status_code == 200


def test_an_executive_without_an_enrolled_app_gets_no_token(personas: Personas) -> None:
    response = _token(username="liu.yang", password=PASSWORD, otp_token="123456")
    body = assert_problem(response, 403)
    assert "none is set up yet" in body["detail"]


def test_an_account_manager_gets_a_token_without_a_code(personas: Personas) -> None:
    assert _token(username="li.na", password=PASSWORD).status_code == 200


def test_otp_reset_makes_the_user_enrol_again(  # type: ignore[no-untyped-def]
    personas: Personas, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    client = client_for(personas.auditor)
    assert client.get(CUSTOMERS).status_code == 200

    out = StringIO()
    call_command("otp", "reset", "sun.li", stdout=out)

    assert "Removed 1 second-factor device of sun.li" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=personas.auditor).exists()
    event = AuditEvent.objects.filter(object_type="accounts.user", action="update").last()
    assert event is not None and event.object_id == str(personas.auditor.pk)
    assert event.before == {"otp_devices": ["phone"]} and event.after == {"otp_devices": []}
    # The session verified with the removed device is no longer verified.
    assert client.get(CUSTOMERS)["Location"].startswith(SETUP)


def test_otp_reset_names_an_unknown_user(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    with pytest.raises(CommandError, match=r"There is no user nobody\."):
        call_command("otp", "reset", "nobody")


def test_the_role_list_must_name_known_roles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_env import _start

    result = _start(tmp_path, CREDFILE_OTP_REQUIRED_ROLES="auditor,boss")
    assert result.returncode != 0
    assert "CREDFILE_OTP_REQUIRED_ROLES names unknown roles ['boss']" in result.stderr


def test_the_admin_never_shows_a_device_secret(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    device = otp_device_for(personas.auditor)
    client = client_for(personas.admin)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert device.key not in text
    assert totp_secret(device).replace(" ", "") not in text.replace(" ", "")
