"""Payment behaviour for the credit report (see docs: domain).

Figures follow the definitions in the credit domain reference: ageing buckets on the open
amount by days past due, days beyond terms (DBT) per paid invoice and the amount-weighted
payment index (1–100).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from credfile.customers.models import Customer
from credfile.transactions.models import Invoice

# Days beyond terms → payment index anchors (interpolated linearly, clamped at the ends).
PAYMENT_INDEX_ANCHORS: tuple[tuple[int, int], ...] = (
    (-30, 100),
    (-20, 90),
    (0, 80),
    (15, 70),
    (22, 60),
    (30, 50),
    (60, 40),
    (90, 30),
    (120, 20),
)
ZERO = Decimal("0")


def payment_index(days_beyond_terms: float) -> float:
    anchors = PAYMENT_INDEX_ANCHORS
    if days_beyond_terms <= anchors[0][0]:
        return float(anchors[0][1])
    for (d0, p0), (d1, p1) in itertools.pairwise(anchors):
        if days_beyond_terms <= d1:
            return p0 + (p1 - p0) * (days_beyond_terms - d0) / (d1 - d0)
    return float(anchors[-1][1])


def payment_band(index: float | None) -> str:
    if index is None:
        return "none"
    return "low" if index >= 80 else "medium" if index >= 50 else "high"


@dataclass
class PaymentBehaviour:
    currency_open: dict[str, Decimal] = field(default_factory=dict)
    # Per currency, the open amount per ageing bucket (never added across currencies).
    ageing: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    bucket_labels: dict[str, str] = field(default_factory=dict)
    paid_invoices: int = 0
    weighted_dbt: float | None = None
    max_dbt: int | None = None
    index: float | None = None
    band: str = "none"

    @property
    def ageing_rows(self) -> list[tuple[str, str, Decimal]]:
        """(currency, bucket label, open amount), for a table."""
        return [
            (currency, self.bucket_labels[key], amount)
            for currency, buckets in self.ageing.items()
            for key, amount in buckets.items()
        ]


def payment_behaviour(customer: Customer, *, as_of: datetime.date) -> PaymentBehaviour:
    """Ageing of what is open now, per currency, and how the last 12 months' invoices were
    paid."""
    # Imported here: the receivables engine takes the payment index from this module.
    from credfile.transactions.receivables import ageing_buckets, ageing_report

    result = PaymentBehaviour()
    buckets = ageing_buckets()
    result.bucket_labels = {b.key: b.key if b.key == "current" else b.label for b in buckets}
    for row in ageing_report(scope=Q(customer_id=customer.pk), as_of=as_of, buckets=buckets):
        result.ageing[row.currency] = row.ageing
        result.currency_open[row.currency] = row.total
    since = as_of - datetime.timedelta(days=365)
    paid = list(
        Invoice.objects.filter(
            customer=customer, fully_paid_on__gte=since, fully_paid_on__lte=as_of
        ).values_list("amount", "due_date", "fully_paid_on")
    )
    result.paid_invoices = len(paid)
    if paid:
        total = sum((a for a, _d, _p in paid), ZERO)
        dbts = [((p - d).days, a) for a, d, p in paid if p is not None]
        result.weighted_dbt = float(sum(Decimal(d) * a for d, a in dbts) / total)
        result.max_dbt = max(d for d, _a in dbts)
        result.index = float(sum(Decimal(str(payment_index(d))) * a for d, a in dbts) / total)
        result.band = payment_band(result.index)
    return result
