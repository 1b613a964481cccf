"""Reads of the risk measures. `blocked()` is the flag other apps read (an exposure or
credit-limit check): whether new credit is blocked for a set of files."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from credfile.core.permissions import watch_list_scope
from credfile.customers.models import Customer
from credfile.ratings.models import Rating
from credfile.risk.choices import WatchStatus
from credfile.risk.models import RiskRule, WatchEntry


def blocked(customer_ids: Iterable[int]) -> set[int]:
    """The ids among `customer_ids` for which new credit is blocked: those with an active
    watch entry under a rule that blocks credit. One query; no user scope (a check that
    reads it decides for a file it already holds)."""
    ids = list(customer_ids)
    if not ids:
        return set()
    return set(
        WatchEntry.objects.filter(
            customer_id__in=ids, status=WatchStatus.ACTIVE, rule__block_credit=True
        )
        .values_list("customer_id", flat=True)
        .distinct()
    )


def rule_queryset() -> QuerySet[RiskRule]:
    return RiskRule.objects.order_by("-is_active", "name")


def file_entries(customer: Customer) -> list[WatchEntry]:
    """The file's watch entries, active first, then the cleared ones (the latest 20)."""
    return list(
        WatchEntry.objects.filter(customer=customer)
        .select_related("rule")
        .order_by("status", "-since", "-pk")[:20]
    )


@dataclass(frozen=True)
class WatchFilters:
    status: str = WatchStatus.ACTIVE
    rule: int | None = None
    department: int | None = None
    blocking: bool = False
    q: str = ""


def watch_list(*, user: Any, filters: WatchFilters) -> QuerySet[WatchEntry]:
    """The watch entries of the user's watch list (`watch_list_scope`), newest first, with
    the file's grade in force."""
    grade = Rating.objects.filter(customer_id=OuterRef("customer_id"), is_current=True).values(
        "grade"
    )[:1]
    qs = (
        WatchEntry.objects.filter(watch_list_scope(user))
        .select_related("customer", "customer__department", "rule")
        .annotate(grade=Subquery(grade))
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    if filters.department:
        qs = qs.filter(customer__department_id=filters.department)
    if filters.blocking:
        qs = qs.filter(rule__block_credit=True)
    if filters.q:
        qs = qs.filter(Q(customer__name__icontains=filters.q) | Q(customer__code__iexact=filters.q))
    return qs.order_by("-since", "-pk")


def overdue_of(customer_ids: Iterable[int], *, as_of: datetime.date) -> dict[int, dict[str, Any]]:
    """{customer: {currency: overdue}} now, for the rows of a page: two queries."""
    from credfile.transactions.receivables import receivable_figures

    ids = list(customer_ids)
    if not ids:
        return {}
    result: dict[int, dict[str, Any]] = {}
    for figures in receivable_figures(scope=Q(customer_id__in=ids), as_of=as_of, by="customer"):
        if figures.overdue:
            result.setdefault(figures.group["customer_id"], {})[figures.currency] = figures.overdue
    return result
