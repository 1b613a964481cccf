"""Behind a reverse proxy the lockout and the audit trail see the client, by one rule."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent
from credfile.core.client_ip import client_ip_of
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LIMIT = 5  # CREDFILE_LOGIN_FAILURE_LIMIT's default
PROXY = "10.0.0.5"  # the address the proxy connects from
CLIENT = "203.0.113.7"  # what the proxy appends: the address it received the request from


def _fail(client: Client, username: str, forwarded: str) -> int:
    page = client.post(
        reverse("login"),
        {"username": username, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return int(page.status_code)


def test_behind_one_proxy_the_lockout_counts_the_forwarded_client(
    personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_PROXY_COUNT = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # The client forges a leftmost entry each time; the proxy's own entry is the client.
    statuses = [_fail(client, "li.na", f"198.51.100.{n}, {CLIENT}") for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]
    # Another client behind the same proxy is not locked out with it.
    page = client.post(
        reverse("login"),
        {"username": "li.na", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert page.status_code == 302


def test_behind_one_proxy_the_audit_records_the_forwarded_client(
    personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_PROXY_COUNT = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(
        reverse("login"),
        {"username": "li.na", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT}",
    )
    assert page.status_code == 302
    login = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("seq")
    assert login.ip == CLIENT


def test_without_a_proxy_a_forged_header_is_ignored(personas: Personas, settings: Any) -> None:
    settings.CREDFILE_PROXY_COUNT = 0
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # A new forged address each try would dodge a lockout that believed the header.
    statuses = [_fail(client, "li.na", f"198.51.100.{n}") for n in range(LIMIT)]
    assert statuses[-1] == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]
    page = client.post(
        reverse("login"),
        {"username": "li.na", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert page.status_code == 302
    login = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("seq")
    assert login.ip == "192.0.2.10"


def test_the_header_is_configurable(personas: Personas, settings: Any) -> None:
    settings.CREDFILE_PROXY_COUNT = 1
    settings.CREDFILE_CLIENT_IP_META = "HTTP_X_REAL_IP"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(
        reverse("login"),
        {"username": "li.na", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP=CLIENT,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert page.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("seq").ip == CLIENT


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (0, "198.51.100.1", PROXY),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.4", "203.0.113.7"),
        (2, "203.0.113.7", PROXY),  # fewer entries than proxies: nothing in it is trusted
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_the_rule(settings: Any, count: int, header: str, expected: str) -> None:
    settings.CREDFILE_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": header}
    assert client_ip_of(meta) == expected
