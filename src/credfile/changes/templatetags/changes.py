"""The navbar entry (its count of unread notifications loads by itself, so that a page costs
no extra query); a file's pending changes."""

from __future__ import annotations

from typing import Any

from django import template

from credfile.changes.selectors import pending_for_customer

register = template.Library()


@register.inclusion_tag("changes/_nav.html")
def changes_nav() -> dict[str, Any]:
    return {}


@register.inclusion_tag("changes/_pending_banner.html")
def pending_changes(customer: Any) -> dict[str, Any]:
    return {"customer": customer, "pending": pending_for_customer(customer=customer).count()}
