"""Single sign-on settings that credfile cannot use stop it at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LDAP = {
    "CREDFILE_LDAP_SERVER_URI": "ldap://127.0.0.1:1",
    "CREDFILE_LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=com",
    "CREDFILE_LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=example,dc=com",
}
MAP = '{"credit": {"role": "credit_manager"}}'


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.update(CREDFILE_HOME=str(tmp_path / "home"), **variables)
    return subprocess.run(
        [sys.executable, "-c", "import credfile.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (LDAP, "Single sign-on needs CREDFILE_SSO_GROUP_MAP"),
        (
            {**LDAP, "CREDFILE_SSO_GROUP_MAP": '{"credit": {"role": "boss"}}'},
            "CREDFILE_SSO_GROUP_MAP: 'credit' names unknown role 'boss'",
        ),
        ({**LDAP, "CREDFILE_SSO_GROUP_MAP": "[1]"}, "CREDFILE_SSO_GROUP_MAP must be a JSON object"),
        (
            {**LDAP, "CREDFILE_SSO_GROUP_MAP": MAP, "CREDFILE_LDAP_USER_SEARCH_BASE": ""},
            "CREDFILE_LDAP_USER_SEARCH_BASE must be set",
        ),
        (
            {**LDAP, "CREDFILE_SSO_GROUP_MAP": MAP, "CREDFILE_LDAP_GROUP_TYPE": "x"},
            "CREDFILE_LDAP_GROUP_TYPE must be one of",
        ),
        (
            {"CREDFILE_OIDC_CLIENT_ID": "credfile", "CREDFILE_SSO_GROUP_MAP": MAP},
            "CREDFILE_OIDC_ISSUER must be set",
        ),
        (
            {
                "CREDFILE_OIDC_CLIENT_ID": "credfile",
                "CREDFILE_OIDC_ISSUER": "https://sso.example.com",
                "CREDFILE_SSO_GROUP_MAP": MAP,
            },
            "CREDFILE_OIDC_CLIENT_SECRET or CREDFILE_OIDC_CLIENT_SECRET_FILE must be set",
        ),
        (
            {
                "CREDFILE_OIDC_CLIENT_ID": "credfile",
                "CREDFILE_OIDC_ISSUER": "https://sso.example.com",
                "CREDFILE_OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret",
                "CREDFILE_SSO_GROUP_MAP": MAP,
            },
            "CREDFILE_OIDC_CLIENT_SECRET_FILE=/nonexistent/secret cannot be read",
        ),
    ],
)
def test_a_bad_sign_on_setting_stops_the_start(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = _start(tmp_path, **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_complete_configuration_starts(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    result = _start(
        tmp_path,
        **LDAP,
        CREDFILE_SSO_GROUP_MAP=MAP,
        CREDFILE_OIDC_CLIENT_ID="credfile",
        CREDFILE_OIDC_ISSUER="https://sso.example.com/",
        CREDFILE_OIDC_CLIENT_SECRET_FILE=str(secret),
    )
    assert result.returncode == 0, result.stderr
