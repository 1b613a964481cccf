"""The credit-limit section (额度) of the file page: the limit in force, the recommended
limit step by step, requests and their decisions, and the last exposure checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.core.permissions import (
    limit_block_scope,
    limit_decide_scope,
    limit_request_scope,
    open_order_scope,
)
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.limits import selectors
from credfile.limits.choices import LimitStatus
from credfile.limits.facts import recommended_limit
from credfile.limits.forms import LimitRequestForm, OpenOrderForm
from credfile.limits.models import CreditLimit, ExposureCheck, LimitRequest
from credfile.limits.orders import file_orders
from credfile.limits.services import refusal_label

CHECKS = 20


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    today = timezone.localdate()
    limits = list(
        CreditLimit.objects.filter(customer=customer, status=LimitStatus.ACTIVE).select_related(
            "approved_by", "blocked_by"
        )
    )
    for limit in limits:
        limit.is_expired = limit.expired(today)  # type: ignore[attr-defined]
    requests = list(
        LimitRequest.objects.filter(customer=customer)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")[:20]
    )
    deciding = set(
        LimitRequest.objects.filter(
            limit_decide_scope(user), pk__in=[r.pk for r in requests]
        ).values_list("pk", flat=True)
    )
    checks = list(
        ExposureCheck.objects.filter(customer=customer)
        .select_related("checked_by")
        .order_by("-checked_at", "-pk")[:CHECKS]
    )
    for check in checks:
        check.labels = [refusal_label(c) for c in check.reasons]  # type: ignore[attr-defined]
    may_request = Customer.objects.filter(limit_request_scope(user), pk=customer.pk).exists()
    membership = selectors.membership_of(customer.pk)
    return {
        "group_membership": membership,
        "group_positions": selectors.group_positions(membership.group_id, today=today)
        if membership
        else [],
        "limits": limits,
        "limit_recommendation": recommended_limit(
            customer, currency=settings.CREDFILE_LIMIT_CURRENCY
        ),
        "limit_requests": requests,
        "limit_deciding": deciding,
        "exposure_checks": checks,
        "limit_form": LimitRequestForm() if may_request else None,
        **_orders_and_blocks(user, customer, limits),
    }


def _orders_and_blocks(user: User, customer: Customer, limits: list[CreditLimit]) -> dict[str, Any]:
    """The file's open orders (with the form to add one where the user may), and the limits
    under which the user may block or unblock credit."""
    may_write = Customer.objects.filter(open_order_scope(user), pk=customer.pk).exists()
    blocking = set(
        CreditLimit.objects.filter(
            limit_block_scope(user), pk__in=[limit.pk for limit in limits]
        ).values_list("pk", flat=True)
    )
    return {
        "open_orders": file_orders(customer),
        "open_order_form": OpenOrderForm() if may_write else None,
        "may_close_orders": may_write,
        "limit_blocking": blocking,
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.LIMITS,
            title=_("Credit limit"),
            template="limits/section.html",
            order=67,
            context=_context,
        )
    )
