"""The recommended limit's inputs, read from the credit file (docs/limits.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.customers.models import Customer
from credfile.financials.analysis import analyse
from credfile.financials.choices import PeriodType
from credfile.financials.models import FinancialStatement
from credfile.limits.calc import ZERO, LimitInputs, Recommendation, recommend
from credfile.limits.models import OpenOrder
from credfile.ratings.models import Rating
from credfile.transactions.choices import ContractStatus
from credfile.transactions.models import Contract, Invoice
from credfile.transactions.receivables import receivable_figures

DEFAULT_TERMS = 30


def counted_kinds() -> list[str]:
    """The open-order kinds that count as exposure (CREDFILE_EXPOSURE_COUNTS)."""
    names = {"orders": "order", "shipments": "shipment"}
    return [names[n] for n in settings.CREDFILE_EXPOSURE_COUNTS]


def open_orders(customer_id: int, currency: str) -> Decimal:
    total = OpenOrder.objects.filter(
        customer_id=customer_id, currency=currency, is_open=True, kind__in=counted_kinds()
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def limit_inputs(
    customer: Customer,
    *,
    currency: str | None = None,
    secured: Decimal = ZERO,
    as_of: datetime.date | None = None,
) -> LimitInputs:
    day = as_of or timezone.localdate()
    currency = currency or settings.CREDFILE_LIMIT_CURRENCY
    notes: list[str] = []
    year_ago = day - datetime.timedelta(days=365)
    invoiced = Invoice.objects.filter(
        customer=customer, currency=currency, issue_date__gt=year_ago, issue_date__lte=day
    ).aggregate(total=Sum("amount"))["total"]
    monthly = (Decimal(invoiced or 0) / 12).quantize(Decimal("0.01"))
    # The longest terms of the contracts in force: the limit must carry the slowest cycle.
    terms = Contract.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        customer=customer,
        status=ContractStatus.ACTIVE,
    ).aggregate(days=Max("payment_terms_days"))["days"]
    if terms is None:
        notes.append(_("No contract in force: terms of %(days)s days.") % {"days": DEFAULT_TERMS})
        terms = DEFAULT_TERMS
    figures = [
        f
        for f in receivable_figures(scope=Q(customer_id=customer.pk), as_of=day, by="customer")
        if f.currency == currency
    ]
    add = figures[0].average_days_delinquent if figures else None
    tnw = revenue = None
    statements = list(
        FinancialStatement.objects.filter(
            customer=customer, period_type=PeriodType.ANNUAL
        ).order_by("-period_end", "-pk")[:2]
    )
    if statements:
        latest = statements[0]
        if latest.currency != currency:
            # No exchange rates are kept: a cap is not made from figures in another currency.
            notes.append(
                _(
                    "The latest annual statement (%(period)s) is in %(theirs)s, not %(ours)s: "
                    "no cap without figures in the limit's currency."
                )
                % {"period": latest.period_end, "theirs": latest.currency, "ours": currency}
            )
        else:
            column = analyse(statements)[-1]
            tnw = column.figures["tangible_net_worth"].value
            revenue = latest.revenue
            notes.append(
                _("Tangible net worth and revenue from the annual statement of %(period)s.")
                % {"period": latest.period_end}
            )
    else:
        notes.append(_("No annual statement: no cap."))
    rating = Rating.objects.filter(customer=customer, is_current=True).only("grade").first()
    if rating is None:
        notes.append(_("No grade in force: cash or secured only."))
    return LimitInputs(
        currency=currency,
        monthly_sales=monthly,
        terms_days=int(terms),
        days_delinquent=add or ZERO,
        open_orders=open_orders(customer.pk, currency),
        tangible_net_worth=tnw,
        revenue=revenue,
        grade=rating.grade if rating else "",
        secured=secured,
        as_of=day,
        review_months=settings.CREDFILE_LIMIT_REVIEW_MONTHS,
        rounding=settings.CREDFILE_LIMIT_ROUNDING,
        notes=tuple(notes),
    )


def recommended_limit(
    customer: Customer, *, currency: str | None = None, secured: Decimal = ZERO
) -> Recommendation:
    return recommend(limit_inputs(customer, currency=currency, secured=secured))
