"""Reads of customer groups and their exposure, scoped to the user (docs/limits.md).

A group's exposure is added up in the database, one aggregate per table (invoices, open
orders) over the members' ids as a subquery, never a query per member.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from credfile.accounts.models import User
from credfile.core.permissions import (
    can_count_group_outsiders,
    group_member_scope,
    group_scope,
    limit_decide_scope,
)
from credfile.limits.choices import LimitStatus, RequestStatus
from credfile.limits.facts import counted_kinds
from credfile.limits.models import CreditLimit, CustomerGroup, GroupMember, LimitRequest, OpenOrder
from credfile.transactions.models import Invoice

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def group_list(*, user: User) -> QuerySet[CustomerGroup]:
    """The groups the user may see, each with the number of members the user may see."""
    return (
        CustomerGroup.objects.filter(group_scope(user))
        .annotate(
            shown_members=Count("members", filter=group_member_scope(user, prefix="members__"))
        )
        .order_by("name", "pk")
    )


def group_get(*, user: User, pk: int) -> CustomerGroup:
    group = CustomerGroup.objects.filter(group_scope(user), pk=pk).first()
    if group is None:
        raise Http404
    return group


def visible_members(*, user: User, group: CustomerGroup) -> list[GroupMember]:
    return list(
        GroupMember.objects.filter(group_member_scope(user), group=group)
        .select_related("customer", "customer__department")
        .order_by("-is_head", "customer__name", "pk")
    )


def outsider_count(*, user: User, group: CustomerGroup, shown: int) -> int | None:
    """How many members lie outside the user's files, or None where the policy says nothing."""
    if not can_count_group_outsiders(user):
        return None
    return GroupMember.objects.filter(group=group).count() - shown


def _members(group_id: int) -> QuerySet[GroupMember, int]:
    return GroupMember.objects.filter(group_id=group_id).values_list("customer_id", flat=True)


def exposure_of_group(group: Any, currency: str) -> Any:
    """The group's exposure in `currency` as one SQL expression: open receivables + counted
    open orders of every member. `group` is the group's id, or in a query over another
    table an `OuterRef(OuterRef(…))` to it (the members' list sits two queries deep)."""
    members = GroupMember.objects.filter(group_id=group).values("customer_id")
    receivable = (
        Invoice.objects.filter(
            customer_id__in=members, currency=currency, fully_paid_on__isnull=True
        )
        .order_by()
        .values("currency")
        .annotate(total=Sum(F("amount") - F("amount_paid")))
        .values("total")
    )
    ordered = (
        OpenOrder.objects.filter(
            customer_id__in=members, currency=currency, is_open=True, kind__in=counted_kinds()
        )
        .order_by()
        .values("currency")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=MONEY)
    return ExpressionWrapper(
        Coalesce(Subquery(receivable, output_field=MONEY), zero)
        + Coalesce(Subquery(ordered, output_field=MONEY), zero),
        output_field=MONEY,
    )


def group_exposure(group_id: int, currency: str) -> Decimal:
    """Open receivables + counted open orders of every member, in one currency (one query)."""
    total = (
        CustomerGroup.objects.filter(pk=group_id)
        .annotate(total=exposure_of_group(group_id, currency))
        .values_list("total", flat=True)
        .first()
    )
    return Decimal(total or 0).quantize(CENT)


def group_exposures(group_id: int) -> dict[str, Decimal]:
    """The group's exposure in every currency it has any (one grouped aggregate per table)."""
    members = _members(group_id)
    totals: dict[str, Decimal] = {}
    receivables = (
        Invoice.objects.filter(customer_id__in=members, fully_paid_on__isnull=True)
        .values("currency")
        .annotate(total=Sum(F("amount") - F("amount_paid")))
        .order_by()
    )
    orders = (
        OpenOrder.objects.filter(customer_id__in=members, is_open=True, kind__in=counted_kinds())
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in [*receivables, *orders]:
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + Decimal(row["total"])
    return {c: v.quantize(CENT) for c, v in sorted(totals.items())}


@dataclass(frozen=True)
class GroupPosition:
    """A group's standing in one currency: exposure, the limit in force and the headroom."""

    currency: str
    exposure: Decimal
    limit: CreditLimit | None
    expired: bool

    @property
    def amount(self) -> Decimal | None:
        return self.limit.amount if self.limit is not None and not self.expired else None

    @property
    def headroom(self) -> Decimal | None:
        amount = self.amount
        return (amount - self.exposure).quantize(CENT) if amount is not None else None

    @property
    def used_percent(self) -> int | None:
        amount = self.amount
        if not amount:
            return None
        return min(100, int(self.exposure * 100 / amount))


def group_positions(group_id: int, *, today: datetime.date | None = None) -> list[GroupPosition]:
    """Per currency with a limit in force or any exposure: where the group stands."""
    day = today or timezone.localdate()
    limits = {
        lim.currency: lim
        for lim in CreditLimit.objects.filter(group_id=group_id, status=LimitStatus.ACTIVE)
        .select_related("approved_by")
        .order_by("currency")
    }
    exposures = group_exposures(group_id)
    currencies = sorted(set(limits) | set(exposures))
    return [
        GroupPosition(
            currency=c,
            exposure=exposures.get(c, Decimal("0.00")),
            limit=limits.get(c),
            expired=bool(c in limits and limits[c].expired(day)),
        )
        for c in currencies
    ]


def group_requests(*, user: User, group: CustomerGroup) -> tuple[list[LimitRequest], set[int]]:
    """The group's last limit requests, and those of them the user may decide."""
    requests = list(
        LimitRequest.objects.filter(group=group)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")[:20]
    )
    deciding = set(
        LimitRequest.objects.filter(
            limit_decide_scope(user), pk__in=[r.pk for r in requests]
        ).values_list("pk", flat=True)
    )
    return requests, deciding


def waiting_group_requests(group_ids: list[int]) -> dict[int, int]:
    """How many limit requests wait for a decision, per group (for the list)."""
    rows = (
        LimitRequest.objects.filter(group_id__in=group_ids, status=RequestStatus.PENDING)
        .values("group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["group_id"]: r["n"] for r in rows}


def membership_of(customer_id: int) -> GroupMember | None:
    return GroupMember.objects.filter(customer_id=customer_id).select_related("group").first()
