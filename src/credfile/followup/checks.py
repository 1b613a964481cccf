"""Start-up check: a promise tolerance that is not an amount stops credfile at start, not
the overdue list in the middle of the day."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured


def promise_tolerance_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from credfile.followup.selectors import promise_tolerance

    try:
        promise_tolerance()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="CREDFILE_PROMISE_TOLERANCE=1.00", id="credfile.E101")]
    return []
