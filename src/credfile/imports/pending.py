"""A checked file waiting for the user's confirmation, kept sealed on disk.

The file holds identity numbers and phone numbers, so it is encrypted with the master key
like every sealed value, bound to the user who uploaded it, and deleted when it is used.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from django.conf import settings

from credfile.core.crypto import associated_data, seal, unseal


def _path(user_id: int, token: str) -> Path:
    return Path(settings.CREDFILE_HOME) / "imports" / f"{user_id}-{token}"


def _aad(user_id: int, token: str) -> bytes:
    return associated_data("imports.pending", "file", f"{user_id}-{token}")


def pending_store(*, user_id: int, data: bytes) -> str:
    token = secrets.token_hex(16)
    path = _path(user_id, token)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seal(base64.b64encode(data).decode("ascii"), _aad(user_id, token)))
    return token


def pending_read(*, user_id: int, token: str) -> bytes | None:
    """The file stored under `token` by this user, left on disk; None if there is none."""
    try:
        sealed = _path(user_id, token).read_text()
    except OSError:
        return None
    return base64.b64decode(unseal(sealed, _aad(user_id, token)))


def pending_take(*, user_id: int, token: str) -> bytes | None:
    """The file stored under `token` by this user, removed from disk; None if there is none."""
    data = pending_read(user_id=user_id, token=token)
    _path(user_id, token).unlink(missing_ok=True)
    return data
