"""A password set by any path ends the user's API tokens.

The pages and services end them themselves, with the acting user; this catches the paths
that set a password outside them — Django's `changepassword` command, the admin's password
form — so that no token outlives the password it was issued against.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from credfile.accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="credfile_tokens_end_with_password")
def _password_set(sender: Any, instance: User, created: bool, raw: bool, **kwargs: Any) -> None:
    # AbstractBaseUser keeps the new raw password in `_password` from set_password() until
    # save() has finished, so here it tells that this save stored a new password.
    if raw or created or getattr(instance, "_password", None) is None:
        return
    from credfile.accounts.services import api_tokens_revoke

    api_tokens_revoke(user=instance, actor=None, reason="password_changed")
