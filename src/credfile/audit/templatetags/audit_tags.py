"""Template helpers for the audit pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Before/after values as readable JSON (already masked when recorded)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
