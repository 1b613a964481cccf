"""Log-ins, log-outs and refused log-ins go to the audit trail; a key rotation gets a digest."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_login_failed, audit_record

SSO_BACKENDS = {
    "credfile.accounts.ldap_backend.DirectoryLDAPBackend": "ldap",
    "credfile.accounts.oidc.DirectoryOIDCBackend": "oidc",
}


@receiver(user_logged_in, dispatch_uid="credfile_audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Single sign-on names its way in; a password sign-in stays as it always was recorded.
    via = SSO_BACKENDS.get(getattr(user, "backend", "") or "")
    audit_record(
        actor=user, action=AuditAction.LOGIN, obj=user, after={"via": via} if via else None
    )


@receiver(user_logged_out, dispatch_uid="credfile_audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed, dispatch_uid="credfile_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Only the name: Django masks the password in `credentials`, but nothing else is needed.
    # A directory or provider sign-in leaves its way in (and the provider its name, which
    # Django's credentials lack) on the request.
    from credfile.accounts.sso import attempt_name, attempt_via

    user_model = get_user_model()
    username = str(
        credentials.get(user_model.USERNAME_FIELD)
        or credentials.get("username")
        or attempt_name(request)
        or ""
    )
    account = (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if username
        else None
    )
    audit_login_failed(username=username, account=account, via=attempt_via(request))


log = logging.getLogger(__name__)


def _digest_under_new_key() -> None:
    from credfile.audit.digests import DigestError, digest_write

    try:
        digest_write()
    except (DigestError, OSError):
        log.exception("no audit digest written at the key rotation")


@receiver(post_save, sender="core.KeyRotation", dispatch_uid="credfile_audit_rotation_digest")
def _rotation_started(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # Once the rotation finishes, the old key leaves the ring and the digests it signed can
    # no longer be authenticated. A digest signed with the new key as soon as the rotation
    # starts (the old digests still checked with the old key first) carries the anchor over.
    if created:
        transaction.on_commit(_digest_under_new_key)
