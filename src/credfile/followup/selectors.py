"""Reads of collection actions and the overdue list, always through the user's scope.

The last action, the next-action date and whether the latest promise is broken are columns
of the invoice's own query (correlated subqueries over the invoice's actions, served by the
index on invoice and date): one query for a page of the list or a file's invoices.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from credfile.core.permissions import Section, overdue_list_scope, record_scope
from credfile.followup.choices import BAND_DAYS, ActionKind
from credfile.followup.models import CollectionAction
from credfile.transactions.models import Invoice

# Invoices without a planned action sort after every date.
NO_NEXT_ACTION = datetime.date(9999, 12, 31)
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def promise_tolerance() -> Decimal:
    raw = str(settings.CREDFILE_PROMISE_TOLERANCE)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("-1")
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(
            f"CREDFILE_PROMISE_TOLERANCE must be an amount of zero or more, not {raw!r}"
        )
    return value


def with_followup(
    invoices: QuerySet[Invoice], *, today: datetime.date | None = None
) -> QuerySet[Invoice]:
    """`invoices` with `last_action_kind`, `last_action_on`, `next_action_on` (of the latest
    action), `promised_on` and `promise_broken` (the latest promise's date has passed and the
    invoice, still open, was paid less than the promised amount since, beyond the tolerance)."""
    today = today or timezone.localdate()
    actions = CollectionAction.objects.filter(invoice=OuterRef("pk")).order_by(
        "-action_date", "-id"
    )
    promises = actions.filter(kind=ActionKind.PROMISE)
    kept_at = promises.annotate(limit=F("open_at_promise") - F("promised_amount")).values("limit")
    return invoices.annotate(
        last_action_kind=Subquery(actions.values("kind")[:1]),
        last_action_on=Subquery(actions.values("action_date")[:1]),
        next_action_on=Subquery(actions.values("next_action_on")[:1], output_field=DateField()),
        promised_on=Subquery(promises.values("promised_on")[:1], output_field=DateField()),
        promise_limit=Subquery(kept_at[:1], output_field=_MONEY),
    ).annotate(
        promise_broken=Case(
            When(
                Q(fully_paid_on__isnull=True, promised_on__lt=today)
                & Q(amount__gt=F("amount_paid") + F("promise_limit") + Value(promise_tolerance())),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@dataclass(frozen=True)
class OverdueFilters:
    department: int | None = None
    manager: int | None = None
    broken: bool = False
    band: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, for the record of an export."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", False)}


def overdue_invoices(
    *, user: Any, filters: OverdueFilters, today: datetime.date | None = None
) -> QuerySet[Invoice]:
    """The open overdue invoices of the user's overdue list (`overdue_list_scope`), with the
    follow-up columns and `days_overdue`; ordered by the next-action date (none last)."""
    today = today or timezone.localdate()
    qs = Invoice.objects.filter(
        overdue_list_scope(user, prefix="customer__"),
        fully_paid_on__isnull=True,
        due_date__lt=today,
    )
    if filters.department:
        qs = qs.filter(customer__department_id=filters.department)
    if filters.manager:
        qs = qs.filter(customer__account_manager_id=filters.manager)
    if filters.band in BAND_DAYS:
        first, last = BAND_DAYS[filters.band]
        qs = qs.filter(due_date__lte=today - datetime.timedelta(days=first))
        if last is not None:
            qs = qs.filter(due_date__gte=today - datetime.timedelta(days=last))
    qs = with_followup(qs, today=today).annotate(
        next_key=Coalesce("next_action_on", Value(NO_NEXT_ACTION), output_field=DateField())
    )
    if filters.broken:
        qs = qs.filter(Q(promise_broken=True))
    return qs.select_related(
        "customer", "customer__department", "customer__account_manager"
    ).order_by("next_key", "pk")


def invoice_actions(*, user: Any, invoice: Invoice) -> QuerySet[CollectionAction]:
    """The actions recorded on an invoice, newest first, as far as the user sees the file's
    transactions."""
    return (
        CollectionAction.objects.filter(record_scope(user, Section.TRANSACTIONS))
        .filter(invoice=invoice)
        .select_related("recorded_by")
    )
