"""The credit limits running out: the limits in force of the files in the user's portfolio
whose `valid_until` falls within the coming days (or has passed), soonest first."""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credfile.accounts.models import User
from credfile.core.permissions import can_see_portfolio, portfolio_scope
from credfile.limits.choices import LimitStatus
from credfile.limits.models import CreditLimit

# A limit running out within this many days is listed (and counted on the home page).
EXPIRING_WITHIN_DAYS = 60
PAGE_ROWS = 200


def limits_expiring(
    *, user: User, today: datetime.date | None = None, within_days: int = EXPIRING_WITHIN_DAYS
) -> QuerySet[CreditLimit]:
    """The file limits in force in the user's portfolio ending by today + `within_days`
    (those already past their date included), soonest first (the `creditlimit_expiry`
    index)."""
    if not can_see_portfolio(user):
        return CreditLimit.objects.none()
    today = today or timezone.localdate()
    return (
        CreditLimit.objects.filter(
            portfolio_scope(user),
            status=LimitStatus.ACTIVE,
            valid_until__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("customer", "customer__department")
        .order_by("valid_until", "pk")
    )


@never_cache
@require_GET
@login_required
def limits_expiring_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not can_see_portfolio(user):
        raise Http404
    today = timezone.localdate()
    limits = limits_expiring(user=user, today=today)
    return render(
        request,
        "limits/expiring.html",
        {
            "limits": list(limits[:PAGE_ROWS]),
            "total": limits.count(),
            "today": today,
            "within_days": EXPIRING_WITHIN_DAYS,
        },
    )
