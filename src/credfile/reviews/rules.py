"""The review rules, in one place: risk, review cycle, data quality, and the SQL that applies
them to every file at once (docs/reviews.md explains them for users).

Risk (there is no rating yet, so it comes from payment behaviour):
  high   — an invoice of the file is open more than 90 days past its due date, or the last
           review concluded "elevated risk" (until a later review concludes otherwise);
  normal — every other file.

Cycle: the first active policy that matches, in this order: the file's risk level, the grade
of its rating in force ("grade B or below": the worst threshold first), its category, the
default rule; with no rule at all, 12 months. The next review is due one
cycle after the last review (or after the file was opened, if it was never reviewed).

Data quality: 100 points less the weight of each part that is not in order (QUALITY_PARTS).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.ratings.choices import GRADES, grades_at_or_below
from credfile.reviews.choices import PolicyBasis, ReviewConclusion, RiskLevel

HIGH_RISK_DAYS_PAST_DUE = 90
FALLBACK_CYCLE_MONTHS = 12
# A contact verified within this many days counts as current; so does a statement.
FRESH_DAYS = 365
# The defaults created by the data migration: high risk every 3 months, others every 12.
DEFAULT_POLICIES = (
    (PolicyBasis.RISK, RiskLevel.HIGH, 3),
    (PolicyBasis.DEFAULT, "", 12),
)
# Precedence of the policy bases: the first that matches a file decides its cycle.
PRECEDENCE = (PolicyBasis.RISK, PolicyBasis.GRADE, PolicyBasis.CATEGORY, PolicyBasis.DEFAULT)
# The grade in force of the file `s` (NULL when it has none).
GRADE_SQL = (
    "(SELECT r.grade FROM ratings_rating r WHERE r.customer_id = s.customer_id AND r.is_current)"
)


def _grade_rules(rules: Iterable[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """(threshold grade, months) of the grade policies, the worst threshold first: a file of
    grade CC meets "CCC or below" before "B or below"."""
    found = [(value, months) for basis, value, months in rules if basis == PolicyBasis.GRADE]
    return sorted(
        (r for r in found if r[0] in GRADES), key=lambda r: GRADES.index(r[0]), reverse=True
    )


@dataclass(frozen=True)
class QualityPart:
    field: str  # the ReviewSchedule column, True when the part is in order
    weight: int
    label: object  # lazy translation
    problem: object  # what is wrong when the part is not in order


QUALITY_PARTS = (
    QualityPart(
        "q_identity",
        25,
        _("Identity"),
        _(
            "Identity fields are missing (ID or passport number and birth date; credit code, "
            "legal representative and establishment date)."
        ),
    ),
    QualityPart(
        "q_contact_details",
        15,
        _("Contact details"),
        _(
            "Contact details are missing (a phone or e-mail, an address, and for an organisation "
            "a contact person)."
        ),
    ),
    QualityPart(
        "q_contact_verified",
        20,
        _("Verified contact"),
        _("No contact has been verified within the last 12 months."),
    ),
    QualityPart(
        "q_financials",
        30,
        _("Financial information"),
        _(
            "No financial statement for the last year (organisation), or no financial "
            "information at all (individual)."
        ),
    ),
    QualityPart(
        "q_classification",
        10,
        _("Classification"),
        _("Province or industry is not set."),
    ),
)
assert sum(p.weight for p in QUALITY_PARTS) == 100


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (as the SQL)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_for(
    policies: Iterable[tuple[str, str, int]], *, risk: str, category: str, grade: str = ""
) -> int:
    """The cycle in months for one file: (basis, value, months) of the active policies."""
    listed = list(policies)
    rules = {(basis, value): months for basis, value, months in listed}
    if (PolicyBasis.RISK, risk) in rules:
        return rules[(PolicyBasis.RISK, risk)]
    for threshold, months in _grade_rules(listed):
        if grade in grades_at_or_below(threshold):
            return months
    for basis, value in (
        (PolicyBasis.CATEGORY, category),
        (PolicyBasis.DEFAULT, ""),
    ):
        if (basis, value) in rules:
            return rules[(basis, value)]
    return FALLBACK_CYCLE_MONTHS


# --- SQL over all files ----------------------------------------------------------------------
# Column references: `s` is reviews_reviewschedule, `c` is customers_customer. Values go in as
# query parameters; only table and column names and fixed literals are written into the SQL.


def risk_sql(today: datetime.date) -> tuple[str, list[Any]]:
    """High when an open invoice is more than HIGH_RISK_DAYS_PAST_DUE days past due, or the
    last review concluded elevated risk."""
    cutoff = today - datetime.timedelta(days=HIGH_RISK_DAYS_PAST_DUE)
    sql = (
        "CASE WHEN s.last_conclusion = %s OR s.customer_id IN ("
        "SELECT i.customer_id FROM transactions_invoice i "
        "WHERE i.fully_paid_on IS NULL AND i.due_date < %s) THEN %s ELSE %s END"
    )
    return sql, [
        str(ReviewConclusion.ELEVATED_RISK),
        cutoff,
        str(RiskLevel.HIGH),
        str(RiskLevel.NORMAL),
    ]


def cycle_sql(policies: Iterable[tuple[str, str, int]]) -> tuple[str, list[Any]]:
    """A CASE over the active policies in precedence order; reads s.risk and c.category."""
    rules = list(policies)
    whens: list[str] = []
    params: list[Any] = []
    default = FALLBACK_CYCLE_MONTHS
    for basis in PRECEDENCE:
        for rule_basis, value, months in sorted(rules):
            if rule_basis != basis:
                continue
            if basis == PolicyBasis.RISK:
                whens.append("WHEN s.risk = %s THEN %s")
                params += [value, months]
            elif basis == PolicyBasis.GRADE:
                continue  # below, in their own order
            elif basis == PolicyBasis.CATEGORY:
                whens.append("WHEN c.category = %s THEN %s")
                params += [value, months]
            else:
                default = months
        if basis == PolicyBasis.GRADE:
            for threshold, months in _grade_rules(rules):
                grades = grades_at_or_below(threshold)
                whens.append(f"WHEN {GRADE_SQL} IN ({', '.join(['%s'] * len(grades))}) THEN %s")
                params += [*grades, months]
    return f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s", [*params, default]


def add_months_sql(vendor: str, base: str, months: str) -> str:
    """SQL for `base` date plus `months` (an integer expression), clamped to the month's end."""
    if vendor == "postgresql":
        return f"CAST({base} + make_interval(months => CAST({months} AS integer)) AS date)"
    # SQLite would roll 31 January + 1 month over into March; go from the month's start.
    return (
        f"min(date({base}, 'start of month', '+' || ({months}) || ' months', "
        f"'+' || (CAST(strftime('%%d', {base}) AS INTEGER) - 1) || ' days'), "
        f"date({base}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day'))"
    )


def no_later_than_limit_sql(vendor: str, next_on: str) -> str:
    """`next_on`, or the earliest end of the file's credit limits in force if sooner."""
    ends = (
        "(SELECT MIN(l.valid_until) FROM limits_creditlimit AS l"
        " WHERE l.customer_id = s.customer_id AND l.status = 'active')"
    )
    least = "LEAST" if vendor == "postgresql" else "min"
    return f"{least}({next_on}, COALESCE({ends}, {next_on}))"


QUALITY_SQL = {
    "q_identity": (
        "CASE WHEN c.kind = 'individual' "
        "THEN (c.id_number_enc <> '' OR c.passport_number_enc <> '') AND c.birth_date_enc <> '' "
        "ELSE c.credit_code <> '' AND c.legal_representative <> '' "
        "AND c.established_on IS NOT NULL END"
    ),
    "q_contact_details": (
        "(c.phone_enc <> '' OR c.email <> '') "
        "AND s.customer_id IN (SELECT a.customer_id FROM customers_address a) "
        "AND (c.kind = 'individual' OR s.customer_id IN "
        "(SELECT p.customer_id FROM customers_contact p))"
    ),
    # %s: the earliest date a verification still counts.
    "q_contact_verified": (
        "s.customer_id IN (SELECT v.customer_id FROM customers_contact v WHERE v.verified_on >= %s)"
    ),
    # %s: the earliest period end of a current statement.
    "q_financials": (
        "CASE WHEN c.kind = 'individual' "
        "THEN s.customer_id IN (SELECT f.customer_id FROM financials_individualfinancial f) "
        "ELSE s.customer_id IN (SELECT t.customer_id FROM financials_financialstatement t "
        "WHERE t.period_end >= %s) END"
    ),
    "q_classification": "c.province <> '' AND (c.kind = 'individual' OR c.industry <> '')",
}


def score_sql() -> str:
    return " + ".join(f"(CASE WHEN s.{p.field} THEN {p.weight} ELSE 0 END)" for p in QUALITY_PARTS)
