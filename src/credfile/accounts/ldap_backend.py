"""Sign-in against an LDAP directory or Active Directory (django-auth-ldap).

The library binds as the person to check the password and reads their entry and groups;
the account itself is written by credfile (accounts.sso.directory_sign_in), so the group
map, the privilege approval and the audit trail apply as to every other account write.
django-axes' backend comes first in AUTHENTICATION_BACKENDS, so a locked-out name is refused
before the directory is asked, and a wrong password counts as any failed sign-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from credfile.accounts.sso import attempt_mark, directory_sign_in


def _first(attrs: Any, name: str) -> str:
    values = (attrs or {}).get(name) or []
    return str(values[0]).strip() if values else ""


class DirectoryLDAPBackend(LDAPBackend):
    """django-auth-ldap with credfile's account rules."""

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> Any:
        try:
            return super().authenticate_ldap_user(ldap_user, password)
        finally:
            # The directory knows the name: a failure (its password refused, no mapped
            # group) is a directory sign-in's, and recorded as one (`via`: "ldap").
            if getattr(ldap_user, "_user_dn", None) is not None:
                attempt_mark(getattr(ldap_user, "_request", None), via="ldap")

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        # Called once the directory has accepted the password: the person is who they say.
        attributes: dict[str, str] = getattr(settings, "CREDFILE_LDAP_ATTRIBUTES", {})
        profile = {field: _first(ldap_user.attrs, attr) for field, attr in attributes.items()}
        groups = [*ldap_user.group_dns, *ldap_user.group_names]
        user = directory_sign_in(
            request=getattr(ldap_user, "_request", None),
            source="ldap",
            username=username.lower(),
            groups=groups,
            profile=profile,
        )
        # Not "built": the library then neither fills in nor saves the account itself.
        return user, False
