"""The portfolio summary: per department of the reader's portfolio, the files, the exposure
and ageing per currency, and the grades in force — four grouped queries, whatever the size
(`files_per_department`, `grades_per_department`, `ageing_per_department`,
`orders_per_department`).

The files counted are those of `portfolio_report_scope` (the receivables portfolio's); the
ageing is the receivables portfolio's own engine (`transactions.receivables.ageing_report`,
grouped by department), so the summary's totals are the `/receivables/` page's; the grades
are the ratings in force that `/ratings/matrix/` counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from credfile.accounts.models import Department
from credfile.core.permissions import portfolio_report_scope
from credfile.customers.choices import CustomerKind
from credfile.customers.models import Customer
from credfile.limits.facts import counted_kinds
from credfile.limits.models import OpenOrder
from credfile.ratings.defaults import company_card
from credfile.ratings.models import Rating
from credfile.reports.document import Facts, Report, ReportSection, Table, Text
from credfile.transactions.receivables import Bucket, Figures, ageing_buckets, ageing_report

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class DepartmentFiles:
    department_id: int
    name: str
    files: int = 0
    individuals: int = 0
    organisations: int = 0
    rated: int = 0


@dataclass
class Exposure:
    """One department's receivables in one currency."""

    department_id: int
    currency: str
    ageing: dict[str, Decimal] = field(default_factory=dict)
    open: Decimal = ZERO
    overdue: Decimal = ZERO
    orders: Decimal = ZERO

    @property
    def exposure(self) -> Decimal:
        return self.open + self.orders


@dataclass
class PortfolioSummary:
    as_of: datetime.date
    departments: list[DepartmentFiles]
    exposures: list[Exposure]
    grades: dict[int, dict[str, int]]  # department → grade → files
    scale: list[str]
    buckets: tuple[Bucket, ...]

    @property
    def customers(self) -> int:
        return sum(d.files for d in self.departments)

    def currencies(self) -> list[str]:
        return sorted({e.currency for e in self.exposures})

    def totals(self, currency: str) -> Exposure:
        total = Exposure(0, currency, ageing={b.key: ZERO for b in self.buckets})
        for row in self.exposures:
            if row.currency != currency:
                continue
            total.open += row.open
            total.overdue += row.overdue
            total.orders += row.orders
            for key, value in row.ageing.items():
                total.ageing[key] += value
        return total

    def grade_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for grades in self.grades.values():
            for grade, count in grades.items():
                totals[grade] += count
        return dict(totals)


def files_per_department(user: Any) -> list[Any]:
    """Files, individuals and organisations per department: one grouped query."""
    return list(
        Customer.objects.filter(portfolio_report_scope(user))
        .order_by()
        .values("department_id")
        .annotate(
            files=Count("pk"),
            individuals=Count("pk", filter=Q(kind=CustomerKind.INDIVIDUAL)),
            organisations=Count("pk", filter=Q(kind=CustomerKind.ORGANIZATION)),
        )
    )


def grades_per_department(user: Any) -> list[Any]:
    """The ratings in force per department and grade: one grouped query."""
    return list(
        Rating.objects.filter(portfolio_report_scope(user, prefix="customer__"), is_current=True)
        .order_by()
        .values("customer__department_id", "grade")
        .annotate(n=Count("pk"))
    )


def ageing_per_department(user: Any, as_of: datetime.date) -> list[Figures]:
    """The receivables portfolio's ageing, per department and currency: one query."""
    return ageing_report(
        scope=portfolio_report_scope(user, prefix="customer__"), as_of=as_of, by="department"
    )


def orders_per_department(user: Any) -> list[Any]:
    """The open orders that count as exposure, per department and currency: one query."""
    return list(
        OpenOrder.objects.filter(
            portfolio_report_scope(user, prefix="customer__"),
            is_open=True,
            kind__in=counted_kinds(),
        )
        .order_by()
        .values("customer__department_id", "currency")
        .annotate(total=Sum(F("amount")))
    )


def portfolio_summary(*, user: Any, as_of: datetime.date) -> PortfolioSummary:
    """The figures of the summary, by department, for the files of the user's portfolio."""
    names = dict(Department.objects.values_list("pk", "name"))
    departments = {
        row["department_id"]: DepartmentFiles(
            row["department_id"],
            names.get(row["department_id"], "—"),
            row["files"],
            row["individuals"],
            row["organisations"],
        )
        for row in files_per_department(user)
    }
    grades: dict[int, dict[str, int]] = defaultdict(dict)
    for row in grades_per_department(user):
        department = row["customer__department_id"]
        grades[department][row["grade"]] = row["n"]
        if department in departments:
            departments[department].rated += row["n"]
    buckets = ageing_buckets()
    exposures: dict[tuple[int, str], Exposure] = {}
    for figures in ageing_per_department(user, as_of):
        department = figures.group["customer__department_id"]
        exposures[(department, figures.currency)] = Exposure(
            department,
            figures.currency,
            ageing=figures.ageing,
            open=figures.total,
            overdue=figures.overdue,
        )
    for order in orders_per_department(user):
        key = (order["customer__department_id"], order["currency"])
        if key not in exposures:
            exposures[key] = Exposure(key[0], key[1], ageing={b.key: ZERO for b in buckets})
        exposures[key].orders = Decimal(str(order["total"] or 0)).quantize(CENT)
    scale = [g.grade for g in company_card().scale]
    seen = {g for per in grades.values() for g in per}
    scale += sorted(seen - set(scale))
    ordered = sorted(departments.values(), key=lambda d: d.name)
    position = {d.department_id: i for i, d in enumerate(ordered)}
    return PortfolioSummary(
        as_of=as_of,
        departments=ordered,
        exposures=sorted(
            exposures.values(), key=lambda e: (e.currency, position.get(e.department_id, 1 << 30))
        ),
        grades=dict(grades),
        scale=scale,
        buckets=buckets,
    )


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def portfolio_report(*, user: Any, as_of: datetime.date) -> tuple[Report, PortfolioSummary]:
    summary = portfolio_summary(user=user, as_of=as_of)
    names = {d.department_id: d.name for d in summary.departments}
    sections = [
        ReportSection(
            "files",
            _("Files by department"),
            [
                Facts(
                    [
                        (_("Departments"), str(len(summary.departments))),
                        (_("Files"), str(summary.customers)),
                        (_("Rated"), str(sum(d.rated for d in summary.departments))),
                        (_("As of"), as_of.isoformat()),
                    ]
                ),
                Table(
                    [_("Department"), _("Files"), _("Individuals"), _("Organisations"), _("Rated")],
                    [
                        [
                            d.name,
                            str(d.files),
                            str(d.individuals),
                            str(d.organisations),
                            str(d.rated),
                        ]
                        for d in summary.departments
                    ],
                    widths=(36, 16, 16, 16, 16),
                    align=("L", "R", "R", "R", "R"),
                ),
            ],
        )
    ]
    exposure = ReportSection("exposure", _("Exposure and ageing by department"))
    currencies = summary.currencies()
    if not currencies:
        exposure.blocks.append(Text(_("No receivables."), True))
    buckets = summary.buckets
    for currency in currencies:
        rows = [e for e in summary.exposures if e.currency == currency]
        total = summary.totals(currency)
        exposure.blocks.append(
            Table(
                [
                    _("Department"),
                    _("Open receivables"),
                    _("Overdue"),
                    _("Open orders"),
                    _("Exposure"),
                ],
                [
                    *[
                        [
                            names.get(e.department_id, "—"),
                            _money(e.open),
                            _money(e.overdue),
                            _money(e.orders),
                            _money(e.exposure),
                        ]
                        for e in rows
                    ],
                    [
                        _("Total"),
                        _money(total.open),
                        _money(total.overdue),
                        _money(total.orders),
                        _money(total.exposure),
                    ],
                ],
                widths=(30, 18, 17, 17, 18),
                align=("L", "R", "R", "R", "R"),
                caption=_("Exposure in %(currency)s") % {"currency": currency},
            )
        )
        exposure.blocks.append(
            Table(
                [_("Department"), *(b.label for b in buckets)],
                [
                    *[
                        [
                            names.get(e.department_id, "—"),
                            *(_money(e.ageing[b.key]) for b in buckets),
                        ]
                        for e in rows
                    ],
                    [_("Total"), *(_money(total.ageing[b.key]) for b in buckets)],
                ],
                widths=(22, *[78 / len(buckets)] * len(buckets)),
                align=("L", *["R"] * len(buckets)),
                caption=_("Ageing in %(currency)s (days past due)") % {"currency": currency},
            )
        )
    sections.append(exposure)
    scale = summary.scale
    grade_totals = summary.grade_totals()
    sections.append(
        ReportSection(
            "grades",
            _("Grade distribution"),
            [
                Table(
                    [_("Department"), *scale, _("Total")],
                    [
                        *[
                            [
                                d.name,
                                *(
                                    str(summary.grades.get(d.department_id, {}).get(g, 0))
                                    for g in scale
                                ),
                                str(d.rated),
                            ]
                            for d in summary.departments
                        ],
                        [
                            _("Total"),
                            *(str(grade_totals.get(g, 0)) for g in scale),
                            str(sum(grade_totals.values())),
                        ],
                    ],
                    widths=(24, *[66 / max(len(scale), 1)] * len(scale), 10),
                    align=("L", *["R"] * (len(scale) + 1)),
                    caption=_("Files by credit grade in force"),
                )
            ],
        )
    )
    reader = user.get_username()
    report = Report(
        title=_("Portfolio summary"),
        subtitle=_("As of %(date)s · %(departments)d departments · printed for %(reader)s")
        % {"date": as_of.isoformat(), "departments": len(summary.departments), "reader": reader},
        reader=reader,
        sections=sections,
        notes=[
            _(
                "Exposure is the open receivables plus the open orders that count towards a "
                "credit limit. Amounts are in each currency; no currency is converted."
            )
        ],
    )
    return report, summary
