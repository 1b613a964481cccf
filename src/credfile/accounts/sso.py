"""What single sign-on shares between the directory (LDAP) and the OpenID Connect provider:
the group map, the refusals a person sees, and the sign-in that runs the account write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from credfile.accounts.sso_config import GroupRule

# Where a backend leaves the reason of a refusal for the page that shows it: Django's
# authenticate() turns the PermissionDenied into a plain failed sign-in.
REFUSAL_ATTR = "credfile_sso_refusal"


class SignInRefused(PermissionDenied):
    """The provider vouched for the person, but credfile does not let them in."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refuse(request: HttpRequest | None, message: str) -> SignInRefused:
    if request is not None:
        setattr(request, REFUSAL_ATTR, message)
    return SignInRefused(message)


def refusal_of(request: HttpRequest) -> str:
    return str(getattr(request, REFUSAL_ATTR, ""))


# Which way a sign-in came ("ldap", "oidc") and the name it was for, left on the request by
# the backend for the receivers of Django's user_login_failed: the audit trail records the
# failure with its `via`, and django-axes counts it against the name (lockout.py), as for a
# password. The provider's sign-in has no name in Django's credentials (it passes a code).
VIA_ATTR = "credfile_sign_in_via"
NAME_ATTR = "credfile_sign_in_name"


def attempt_mark(request: HttpRequest | None, *, via: str, username: str = "") -> None:
    if request is None:
        return
    setattr(request, VIA_ATTR, via)
    if username:
        setattr(request, NAME_ATTR, username)


def attempt_via(request: HttpRequest | None) -> str:
    return str(getattr(request, VIA_ATTR, "") or "")


def attempt_name(request: HttpRequest | None) -> str:
    return str(getattr(request, NAME_ATTR, "") or "")


def no_group_message() -> str:
    return _(
        "You signed in at the directory, but none of your groups gives access to credfile. "
        "Ask an administrator to add you to a credfile group."
    )


def local_account_message() -> str:
    return _(
        "An account with this name signs in with its credfile password; the directory cannot "
        "sign it in. Use the password form, or ask an administrator."
    )


def pending_message() -> str:
    return _(
        "Your account waits for an executive's approval of its role and department. You can "
        "sign in once it is approved."
    )


def inactive_message() -> str:
    return _("This account is deactivated. Ask an administrator.")


def mapped_rule(groups: Iterable[str]) -> GroupRule | None:
    """The first rule of CREDFILE_SSO_GROUP_MAP whose group the person is in; groups are
    compared without case (LDAP DNs and names, or the provider's group claim values)."""
    held = {group.strip().lower() for group in groups if group}
    rules: tuple[GroupRule, ...] = settings.CREDFILE_SSO_GROUP_MAP
    for rule in rules:
        if rule.group in held:
            return rule
    return None


def directory_sign_in(
    *,
    request: HttpRequest | None,
    source: str,
    username: str,
    groups: Iterable[str],
    profile: dict[str, str],
) -> Any:
    """The account of a person the directory or provider has vouched for, created or brought
    up to date from the group map; raises SignInRefused when credfile does not let them in."""
    from credfile.accounts.services import directory_account_sync

    groups = sorted({group for group in groups if group})
    rule = mapped_rule(groups)
    if rule is None:
        raise refuse(request, no_group_message())
    try:
        user = directory_account_sync(
            source=source,
            username=username,
            role=rule.role,
            department_code=rule.department,
            group=rule.group,
            profile=profile,
        )
    except ValidationError as exc:
        raise refuse(
            request,
            _("The group map gives an account credfile cannot make: %(reason)s")
            % {"reason": " ".join(exc.messages)},
        ) from exc
    if user is None:
        raise refuse(request, local_account_message())
    if not user.is_active:
        pending = user.privilege_changes.filter(status="pending").exists()
        raise refuse(request, pending_message() if pending else inactive_message())
    return user
