"""Start-up checks: credfile refuses to run rather than store sensitive data unencrypted."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def encryption_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from credfile.core.crypto import key_ring

    try:
        key_ring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="credfile keys init", id="credfile.E001")]
    return []
