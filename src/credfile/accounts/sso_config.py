"""Settings of single sign-on (docs/sso.md), read from the environment by settings.py.

Kept apart from the backends so that settings.py can build them without importing models,
and so that python-ldap is imported only where a directory is configured.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from credfile.accounts.choices import Role
from credfile.core.env import env_bool, env_choice, env_int, env_str


@dataclass(frozen=True)
class GroupRule:
    """One entry of CREDFILE_SSO_GROUP_MAP: members of `group` get `role` (in `department`)."""

    group: str
    role: str
    department: str | None


def _secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (a mounted secret)."""
    path = env_str(f"{name}_FILE", "")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return env_str(name, "")


def _required(name: str) -> str:
    value = env_str(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when single sign-on is configured")
    return value


def parse_group_map(raw: str, *, source: str) -> tuple[GroupRule, ...]:
    """The group map's JSON object, in its order: the first group a user is in decides."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{source} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f'{source} must be a JSON object {{"group": {{"role": …}}}}')
    rules = []
    for group, target in data.items():
        if not isinstance(target, dict) or set(target) - {"role", "department"}:
            raise ImproperlyConfigured(
                f'{source}: {group!r} must map to {{"role": …, "department": …}}'
            )
        role = target.get("role")
        if role not in Role.values:
            raise ImproperlyConfigured(
                f"{source}: {group!r} names unknown role {role!r}; choose from {Role.values}"
            )
        department = target.get("department")
        if department is not None and (not isinstance(department, str) or not department):
            raise ImproperlyConfigured(f"{source}: {group!r} needs a department code or null")
        rules.append(
            GroupRule(
                group=str(group).strip().lower(),
                role=str(role),
                department=department.strip().upper() if department else None,
            )
        )
    return tuple(rules)


def sso_group_map() -> tuple[GroupRule, ...]:
    """CREDFILE_SSO_GROUP_MAP (JSON) or CREDFILE_SSO_GROUP_MAP_FILE (a JSON file)."""
    path = env_str("CREDFILE_SSO_GROUP_MAP_FILE", "")
    if path:
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ImproperlyConfigured(
                f"CREDFILE_SSO_GROUP_MAP_FILE={path} cannot be read: {exc}"
            ) from exc
        return parse_group_map(raw, source="CREDFILE_SSO_GROUP_MAP_FILE")
    raw = env_str("CREDFILE_SSO_GROUP_MAP", "")
    return parse_group_map(raw, source="CREDFILE_SSO_GROUP_MAP") if raw.strip() else ()


LDAP_GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def ldap_settings() -> dict[str, Any]:
    """django-auth-ldap's AUTH_LDAP_* settings, or nothing when CREDFILE_LDAP_SERVER_URI is
    not set."""
    uri = env_str("CREDFILE_LDAP_SERVER_URI", "").strip()
    if not uri:
        return {}
    try:
        import ldap
        from django_auth_ldap import config
    except ImportError as exc:
        raise ImproperlyConfigured(
            "CREDFILE_LDAP_SERVER_URI is set but django-auth-ldap is not installed: "
            "pip install 'credfile[ldap]' (it builds python-ldap: apt-get install "
            "libldap2-dev libsasl2-dev)"
        ) from exc
    group_type = env_choice("CREDFILE_LDAP_GROUP_TYPE", "groupOfNames", set(LDAP_GROUP_TYPES))
    type_class, default_group_filter = LDAP_GROUP_TYPES[group_type]
    options: dict[Any, Any] = {
        ldap.OPT_NETWORK_TIMEOUT: env_int("CREDFILE_LDAP_TIMEOUT", 10, minimum=1),
        # Active Directory answers searches from the domain root with referrals that
        # python-ldap would follow anonymously.
        ldap.OPT_REFERRALS: 0,
    }
    global_options: dict[Any, Any] = {}
    if ca_file := env_str("CREDFILE_LDAP_CA_FILE", ""):
        global_options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        global_options[ldap.OPT_X_TLS_NEWCTX] = 0
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env_str("CREDFILE_LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": _secret("CREDFILE_LDAP_BIND_PASSWORD"),
        "AUTH_LDAP_START_TLS": env_bool("CREDFILE_LDAP_START_TLS", False),
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_GLOBAL_OPTIONS": global_options,
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            _required("CREDFILE_LDAP_USER_SEARCH_BASE"),
            ldap.SCOPE_SUBTREE,
            env_str("CREDFILE_LDAP_USER_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
            _required("CREDFILE_LDAP_GROUP_SEARCH_BASE"),
            ldap.SCOPE_SUBTREE,
            env_str("CREDFILE_LDAP_GROUP_FILTER", default_group_filter),
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, type_class)(),
        # credfile writes the account itself (accounts.services.directory_account_sync), in
        # one transaction with its audit record; the library only authenticates and reads.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "CREDFILE_LDAP_ATTRIBUTES": {
            "first_name": env_str("CREDFILE_LDAP_ATTR_FIRST_NAME", "givenName"),
            "last_name": env_str("CREDFILE_LDAP_ATTR_LAST_NAME", "sn"),
            "email": env_str("CREDFILE_LDAP_ATTR_EMAIL", "mail"),
            "display_name": env_str("CREDFILE_LDAP_ATTR_DISPLAY_NAME", "displayName"),
        },
    }


OIDC_ENDPOINTS = {
    # credfile's variable → (mozilla-django-oidc's setting, the discovery document's key)
    "CREDFILE_OIDC_AUTHORIZATION_ENDPOINT": (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "authorization_endpoint",
    ),
    "CREDFILE_OIDC_TOKEN_ENDPOINT": ("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
    "CREDFILE_OIDC_USERINFO_ENDPOINT": ("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint"),
    "CREDFILE_OIDC_JWKS_URI": ("OIDC_OP_JWKS_ENDPOINT", "jwks_uri"),
    # RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0); optional at the provider.
    "CREDFILE_OIDC_LOGOUT_ENDPOINT": ("OIDC_OP_LOGOUT_ENDPOINT", "end_session_endpoint"),
}


def oidc_settings() -> dict[str, Any]:
    """mozilla-django-oidc's OIDC_* settings and credfile's own, or nothing when
    CREDFILE_OIDC_CLIENT_ID is not set. Endpoints not given are discovered from the issuer
    (`/.well-known/openid-configuration`) at the first sign-in, not at start."""
    client_id = env_str("CREDFILE_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        return {}
    issuer = _required("CREDFILE_OIDC_ISSUER").rstrip("/")
    endpoints = {
        setting: os.environ[name].strip()
        for name, (setting, _key) in OIDC_ENDPOINTS.items()
        if os.environ.get(name, "").strip()
    }
    secret = _secret("CREDFILE_OIDC_CLIENT_SECRET")
    if not secret:
        raise ImproperlyConfigured(
            "CREDFILE_OIDC_CLIENT_SECRET or CREDFILE_OIDC_CLIENT_SECRET_FILE must be set"
        )
    scopes = env_str("CREDFILE_OIDC_SCOPES", "openid profile email").split()
    if "openid" not in scopes:
        raise ImproperlyConfigured("CREDFILE_OIDC_SCOPES must include openid")
    return {
        **endpoints,
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret,
        "OIDC_RP_SIGN_ALGO": env_choice(
            "CREDFILE_OIDC_SIGN_ALGO", "RS256", {"RS256", "RS384", "RS512", "ES256", "ES384"}
        ),
        "OIDC_RP_SCOPES": " ".join(scopes),
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": env_int("CREDFILE_OIDC_TIMEOUT", 10, minimum=1),
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc-callback",
        "OIDC_VERIFY_SSL": env_bool("CREDFILE_OIDC_VERIFY_TLS", True),
        # The ID token stays in the session, as the hint of the provider's logout.
        "OIDC_STORE_ID_TOKEN": True,
        "CREDFILE_OIDC": {
            "issuer": issuer,
            "provider_name": env_str("CREDFILE_OIDC_PROVIDER_NAME", "OpenID Connect"),
            "groups_claim": env_str("CREDFILE_OIDC_GROUPS_CLAIM", "groups"),
            "username_claim": env_str("CREDFILE_OIDC_USERNAME_CLAIM", "preferred_username"),
            "logout_at_provider": env_bool("CREDFILE_OIDC_LOGOUT_AT_PROVIDER", True),
        },
    }
