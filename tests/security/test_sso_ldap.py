"""Sign-in against a real LDAP directory (Debian's slapd, started for these tests)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from credfile.accounts.models import PrivilegeChange, User
from credfile.accounts.services import privilege_change_approve
from credfile.accounts.sso_config import ldap_settings, parse_group_map
from credfile.audit.models import AuditEvent
from tests.conftest import PASSWORD, Personas
from tests.security.sso_servers import (
    READER_DN,
    READER_PASSWORD,
    SUFFIX,
    Directory,
    require_tools,
    slapd,
)

__all__ = ["slapd"]

pytestmark = pytest.mark.django_db

GROUP_MAP = f"""{{
  "cn=credit-managers,ou=groups,{SUFFIX}": {{"role": "credit_manager"}},
  "sales-managers": {{"role": "account_manager", "department": "SALES"}},
  "executives": {{"role": "executive"}}
}}"""


@pytest.fixture
def directory(
    slapd: Directory, settings: Any, monkeypatch: pytest.MonkeyPatch, personas: Personas
) -> Directory:
    require_tools("ldapadd")
    for name, value in {
        "CREDFILE_LDAP_SERVER_URI": slapd.uri,
        "CREDFILE_LDAP_BIND_DN": READER_DN,
        "CREDFILE_LDAP_BIND_PASSWORD": READER_PASSWORD,
        "CREDFILE_LDAP_USER_SEARCH_BASE": f"ou=people,{SUFFIX}",
        "CREDFILE_LDAP_GROUP_SEARCH_BASE": f"ou=groups,{SUFFIX}",
    }.items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings().items():
        setattr(settings, name, value)
    settings.CREDFILE_LDAP_ENABLED = True
    settings.CREDFILE_SSO_GROUP_MAP = parse_group_map(GROUP_MAP, source="test")
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "credfile.accounts.ldap_backend.DirectoryLDAPBackend",
    ]
    return slapd


def _sign_in(username: str, password: str, language: str = "en") -> tuple[Client, Any]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.post(reverse("login"), {"username": username, "password": password})
    return client, page


def _text(page: Any) -> str:
    return html.unescape(page.content.decode())


def _events(user: User, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="accounts.user", object_id=str(user.pk), action=action
        )
    )


def test_a_first_directory_sign_in_waits_for_an_executive(
    directory: Directory, personas: Personas
) -> None:
    _client, page = _sign_in("ma.li", "Directory-pass-1")
    assert page.status_code == 200
    assert "waits for an executive's approval" in _text(page)
    user = User.objects.get(username="ma.li")
    # The first group of the map that the person is in decides: credit-managers, not canteen.
    assert (user.role, user.department, user.is_active) == ("credit_manager", None, False)
    assert (user.display_name, user.email) == ("MaLi", "ma.li@credfile.test")
    assert not user.has_usable_password()
    change = PrivilegeChange.objects.get(user=user, status="pending")
    assert (change.after_role, change.after_active, change.requested_by) == (
        "credit_manager",
        True,
        user,
    )
    created = _events(user, "create")
    assert created[0].after["via"] == "ldap"

    privilege_change_approve(actor=personas.executive, change=change)
    client, page = _sign_in("ma.li", "Directory-pass-1")
    assert page.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200
    assert _events(user, "login")[-1].after == {"via": "ldap"}


def test_the_directory_role_and_department_apply_at_sign_in_without_approval(
    directory: Directory, personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_PRIVILEGE_APPROVAL = False
    client, page = _sign_in("he.jun", "Directory-pass-2")
    assert page.status_code == 302
    user = User.objects.get(username="he.jun")
    assert (user.role, user.department, user.is_active) == ("account_manager", personas.sales, True)
    listing = client.get(reverse("customers:list"))
    assert listing.status_code == 200

    # Moved to the credit managers in the directory: the next sign-in follows, audited.
    directory.modify(
        f"""dn: cn=credit-managers,ou=groups,{SUFFIX}
changetype: modify
add: member
member: uid=he.jun,ou=people,{SUFFIX}
"""
    )
    try:
        _client, page = _sign_in("he.jun", "Directory-pass-2")
        assert page.status_code == 302
        user.refresh_from_db()
        assert (user.role, user.department) == ("credit_manager", None)
        update = _events(user, "update")[-1]
        assert update.before["role"] == "account_manager"
        assert update.after["role"] == "credit_manager"
        assert update.after["via"] == "ldap"
    finally:
        directory.modify(
            f"""dn: cn=credit-managers,ou=groups,{SUFFIX}
changetype: modify
delete: member
member: uid=he.jun,ou=people,{SUFFIX}
"""
        )


def test_a_directory_change_of_role_waits_while_the_account_keeps_its_own(
    directory: Directory, personas: Personas
) -> None:
    User.objects.create(
        username="he.jun", role="credit_manager", department=None, password="!unusable"
    )
    _client, page = _sign_in("he.jun", "Directory-pass-2")
    assert page.status_code == 302
    user = User.objects.get(username="he.jun")
    assert user.role == "credit_manager"
    change = PrivilegeChange.objects.get(user=user, status="pending")
    assert (change.after_role, change.after_department) == ("account_manager", personas.sales)
    # Signing in again asks for nothing new.
    _sign_in("he.jun", "Directory-pass-2")
    assert PrivilegeChange.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "none of your groups gives access to credfile"),
        ("zh-hans", "您的任何一个组都没有使用 credfile 的权限"),
    ],
)
def test_a_person_in_no_mapped_group_is_refused_with_the_reason(
    directory: Directory, language: str, text: str
) -> None:
    with translation.override(language):
        _client, page = _sign_in("guo.yu", "Directory-pass-3", language=language)
    assert page.status_code == 200
    assert text in _text(page)
    assert not User.objects.filter(username="guo.yu").exists()
    assert AuditEvent.objects.filter(action="login_failed", object_repr="guo.yu").exists()


def test_a_wrong_directory_password_is_a_failed_sign_in_and_locks_like_any(
    directory: Directory,
) -> None:
    for _attempt in range(4):
        _client, page = _sign_in("he.jun", "wrong-password")
        assert "Please enter a correct username and password" in _text(page)
    _client, page = _sign_in("he.jun", "wrong-password")
    assert page.status_code == 429
    # Locked: even the right password is not tried at the directory.
    _client, page = _sign_in("he.jun", "Directory-pass-2")
    assert page.status_code == 429
    assert "Too many failed log-in attempts" in _text(page)
    assert not User.objects.filter(username="he.jun").exists()


def test_a_role_that_needs_a_second_factor_still_gives_its_code(
    directory: Directory, settings: Any
) -> None:
    settings.CREDFILE_PRIVILEGE_APPROVAL = False
    client, page = _sign_in("qian.bo", "Directory-pass-5")
    assert page.status_code == 302
    assert User.objects.get(username="qian.bo").role == "executive"
    listing = client.get(reverse("customers:list"))
    assert listing.status_code == 302
    assert listing["Location"].startswith(reverse("otp-setup"))


def test_local_accounts_keep_their_password_and_are_not_taken_over(
    directory: Directory, personas: Personas
) -> None:
    # li.na is a local account; the directory's li.na (sales-managers) cannot sign it in.
    _client, page = _sign_in("li.na", "Directory-pass-4")
    assert "signs in with its credfile password" in _text(page)
    client, page = _sign_in("li.na", PASSWORD)
    assert page.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200
    assert not PrivilegeChange.objects.filter(user=personas.account_manager).exists()


def _failures(username: str) -> list[dict[str, Any]]:
    return [
        event.after
        for event in AuditEvent.objects.filter(action="login_failed", object_repr=username)
    ]


def test_failed_directory_sign_ins_are_recorded_with_their_way_in(directory: Directory) -> None:
    from axes.models import AccessAttempt

    # The directory refused the password of a person it knows.
    _sign_in("he.jun", "wrong-password")
    # The directory accepted the password, credfile refused: no mapped group.
    _sign_in("guo.yu", "Directory-pass-3")
    # No one of that name anywhere: a plain failed sign-in, not the directory's.
    _sign_in("nobody.here", "wrong-password")

    assert _failures("he.jun") == [{"username": "he.jun", "via": "ldap"}]
    assert _failures("guo.yu") == [{"username": "guo.yu", "via": "ldap"}]
    assert _failures("nobody.here") == [{"username": "nobody.here"}]
    # Each counts towards its name's lockout, as a local account's failure does.
    attempts = dict(AccessAttempt.objects.values_list("username", "failures_since_start"))
    assert attempts == {"he.jun": 1, "guo.yu": 1, "nobody.here": 1}
