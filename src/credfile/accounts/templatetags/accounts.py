"""The navbar's entry for privilege changes, with the count an executive may decide."""

from __future__ import annotations

from typing import Any

from django import template

from credfile.accounts.selectors import privilege_changes_to_decide
from credfile.core.permissions import can_see_privilege_changes

register = template.Library()


@register.inclusion_tag("registration/_privileges_nav.html", takes_context=True)
def privileges_nav(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    if not can_see_privilege_changes(user):
        return {"show": False}
    return {"show": True, "count": privilege_changes_to_decide(user=user).count()}
