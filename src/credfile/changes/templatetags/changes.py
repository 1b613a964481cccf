"""The navbar entry (its count of unread notifications loads by itself, so that a page costs
no extra query); a file's pending changes."""

from __future__ import annotations

from typing import Any

from django import template

from credfile.accounts.otp import otp_pending
from credfile.changes.selectors import pending_for_customer

register = template.Library()


@register.inclusion_tag("changes/_nav.html", takes_context=True)
def changes_nav(context: template.Context) -> dict[str, Any]:
    # Before the second factor every page but its own redirects there: loading the badge
    # then would send the browser away from the enrolment page.
    user = context.get("user")
    return {"load_badge": user is not None and not otp_pending(user)}


@register.inclusion_tag("changes/_pending_banner.html")
def pending_changes(customer: Any) -> dict[str, Any]:
    return {"customer": customer, "pending": pending_for_customer(customer=customer).count()}
