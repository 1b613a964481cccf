"""Which files meet each condition of the risk rules, for every file at once: one query per
condition kind whatever the number of files (the receivables figures, which give both the
90+ overdue and the days beyond terms, are read once, in their two queries)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from credfile.ratings.choices import grades_at_or_below
from credfile.ratings.models import Rating
from credfile.risk.choices import Condition
from credfile.risk.models import RiskRule
from credfile.transactions.receivables import ageing_buckets, receivable_figures

Reason = dict[str, Any]


@dataclass
class Facts:
    """What the conditions read, per customer id."""

    grade: dict[int, str] = field(default_factory=dict)
    caps: dict[int, set[str]] = field(default_factory=dict)
    # {customer: {currency: amount}} of the oldest ageing bucket (more than 90 days).
    overdue_90: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    max_dbt: dict[int, int] = field(default_factory=dict)


def read_facts(rules: Iterable[RiskRule], *, as_of: datetime.date) -> Facts:
    """The facts the given rules need, and only those."""
    rules = list(rules)
    facts = Facts()
    if any(r.grade_at_or_below for r in rules):
        facts.grade = dict(
            Rating.objects.filter(is_current=True).values_list("customer_id", "grade")
        )
    if any(r.rating_cap for r in rules):
        # Only ratings that were capped at all; their caps are few and short.
        capped = Rating.objects.filter(is_current=True).filter(Q(basis__caps__0__isnull=False))
        for customer_id, caps in capped.values_list("customer_id", "basis__caps"):
            facts.caps[customer_id] = {c.get("key", "") for c in caps or []}
    if any(r.overdue_90_above is not None or r.max_dbt_above is not None for r in rules):
        oldest = ageing_buckets()[-1].key
        for figures in receivable_figures(scope=Q(), as_of=as_of, by="customer"):
            customer_id = figures.group["customer_id"]
            amount = figures.ageing.get(oldest, Decimal(0))
            if amount:
                facts.overdue_90.setdefault(customer_id, {})[figures.currency] = amount
            if figures.max_dbt is not None:
                facts.max_dbt[customer_id] = max(figures.max_dbt, facts.max_dbt.get(customer_id, 0))
    return facts


def rule_matches(rule: RiskRule, facts: Facts) -> dict[int, list[Reason]]:
    """{customer id: reasons} of the files that meet every condition the rule sets."""
    found: list[dict[int, Reason]] = []
    if rule.grade_at_or_below:
        grades = set(grades_at_or_below(rule.grade_at_or_below))
        found.append(
            {
                c: {"condition": Condition.GRADE, "value": g, "threshold": rule.grade_at_or_below}
                for c, g in facts.grade.items()
                if g in grades
            }
        )
    if rule.overdue_90_above is not None:
        limit = rule.overdue_90_above
        matches: dict[int, Reason] = {}
        for customer_id, amounts in facts.overdue_90.items():
            over = {
                cur: amount
                for cur, amount in sorted(amounts.items())
                if amount > limit and (not rule.overdue_currency or cur == rule.overdue_currency)
            }
            if over:
                currency, amount = next(iter(over.items()))
                matches[customer_id] = {
                    "condition": Condition.OVERDUE_90,
                    "value": str(amount),
                    "currency": currency,
                    "threshold": str(limit),
                }
        found.append(matches)
    if rule.max_dbt_above is not None:
        found.append(
            {
                c: {"condition": Condition.MAX_DBT, "value": d, "threshold": rule.max_dbt_above}
                for c, d in facts.max_dbt.items()
                if d > rule.max_dbt_above
            }
        )
    if rule.rating_cap:
        found.append(
            {
                c: {"condition": Condition.CAP, "value": rule.rating_cap}
                for c, caps in facts.caps.items()
                if rule.rating_cap in caps
            }
        )
    if not found:
        return {}
    customers = set(found[0]).intersection(*found[1:])
    return {c: [part[c] for part in found] for c in sorted(customers)}
