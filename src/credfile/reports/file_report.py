"""One credit file as a report: the sections its reader may see, as the file page shows them.

Each part comes from one section of the file and is built only when the reader's access
(`customer.access`, from `customer_get`) sees that section. Sealed values (ID, passport and
phone numbers, birth date, bank account, an individual's amounts) go through the file
page's own formatting (`core.display.display_value`), masked unless the report was asked for
in clear by a reader who holds the reveal right on this file.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.core.display import display_value, field_label
from credfile.core.masking import MASKERS, mask
from credfile.core.permissions import Section
from credfile.customers.models import Customer
from credfile.financials.analysis import trends
from credfile.ratings.display import cap_rows, factor_rows, value_rows
from credfile.ratings.models import Rating
from credfile.reports.document import Facts, Report, ReportSection, Table, Text
from credfile.transactions.receivables import ageing_buckets, file_figures

# The fields of the identity part, as the basic section shows them.
INDIVIDUAL_FIELDS = ("id_number", "passport_number", "gender", "birth_date")
ORGANISATION_FIELDS = (
    "credit_code",
    "legal_representative",
    "registered_capital",
    "established_on",
    "industry",
)
CONTACT_FIELDS = ("phone", "bank_account", "email", "province", "city", "category", "status")
RATING_HISTORY = 12
REVIEWS = 20
COMPLAINTS = 30
TREND_PERIODS = 5


def _money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def _date(value: datetime.date | datetime.datetime | None, *, time: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M" if time else "%Y-%m-%d")
    return value.isoformat()


def _value(customer: Customer, name: str, *, revealed: bool) -> str:
    currency = customer.registered_capital_currency if name == "registered_capital" else None
    return display_value(
        Customer, name, getattr(customer, name, None), currency=currency, reveal=revealed
    )


def identity_section(customer: Customer, *, revealed: bool) -> ReportSection:
    rows: list[tuple[str, str]] = [
        (_("Customer code"), customer.code),
        (field_label(Customer, "kind"), customer.get_kind_display()),
        (field_label(Customer, "name"), customer.name),
        (_("Department"), customer.department.name),
        (_("Account manager"), str(customer.account_manager)),
    ]
    own = INDIVIDUAL_FIELDS if customer.is_individual else ORGANISATION_FIELDS
    for name in (*own, *CONTACT_FIELDS):
        rows.append((field_label(Customer, name), _value(customer, name, revealed=revealed)))
    blocks: list[Any] = [Facts(rows)]
    if not revealed:
        blocks.append(
            Text(_("ID, passport and phone numbers are masked as the file page masks them."), True)
        )
    return ReportSection(str(Section.BASIC), _("Identity"), blocks)


def financial_section(customer: Customer, *, revealed: bool) -> ReportSection:
    section = ReportSection(str(Section.FINANCIALS), _("Financial trend"))
    if customer.is_individual:
        rows = []
        for item in customer.individual_financials.all()[:10]:
            rows.append(
                [
                    _date(item.as_of),
                    *(
                        display_value(item, name, getattr(item, name), reveal=revealed)
                        for name in ("annual_income", "total_assets", "total_liabilities")
                    ),
                    item.employer or "—",
                ]
            )
        if not rows:
            section.blocks.append(Text(_("No financial information recorded."), True))
            return section
        section.blocks.append(
            Table(
                [
                    _("As of"),
                    _("Annual income"),
                    _("Total assets"),
                    _("Total liabilities"),
                    _("Employer"),
                ],
                rows,
                widths=(14, 20, 20, 20, 26),
                align=("L", "R", "R", "R", "L"),
            )
        )
        return section
    found = trends(list(customer.financial_statements.all()), periods=TREND_PERIODS)
    if not found:
        section.blocks.append(Text(_("No financial statements recorded."), True))
        return section
    trend = found[0]  # annual first
    headers = [str(trend.label), *(_date(c.statement.period_end) for c in trend.columns)]
    count = len(trend.columns)
    lines = []
    for line in ("revenue", "net_profit", "total_assets", "total_liabilities", "equity"):
        lines.append(
            [
                field_label("financials.financialstatement", line),
                *(_money(getattr(c.statement, line), c.statement.currency) for c in trend.columns),
            ]
        )
    section.blocks.append(
        Table(headers, lines, widths=(30, *[70 / count] * count), align=("L", *["R"] * count))
    )
    for group in trend.groups:
        rows = [[str(row.label), *(cell.text for cell in row.cells)] for row in group.rows]
        section.blocks.append(
            Table(
                [str(group.title), *headers[1:]],
                rows,
                widths=(30, *[70 / count] * count),
                align=("L", *["R"] * count),
            )
        )
    return section


def _factor_value(key: str, text: str, *, revealed: bool) -> str:
    # A factor that is a sealed value of the file (an individual's income) stays masked.
    if not revealed and key in MASKERS:
        return mask(key, text) or "—"
    return text


def rating_section(customer: Customer, *, revealed: bool) -> ReportSection:
    section = ReportSection(str(Section.RATINGS), _("Credit rating"))
    ratings = list(
        Rating.objects.filter(customer=customer)
        .select_related("version__scorecard", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")[:RATING_HISTORY]
    )
    current = next((r for r in ratings if r.is_current), None)
    if current is None:
        section.blocks.append(Text(_("No rating in force."), True))
    else:
        section.blocks.append(
            Facts(
                [
                    (_("Grade"), current.grade),
                    (_("Score"), str(current.score)),
                    (_("As of"), _date(current.as_of)),
                    (
                        _("Scorecard"),
                        f"{current.version.scorecard.name} v{current.version.number}",
                    ),
                    (_("Proposed by"), str(current.proposed_by or _("credfile"))),
                    (_("Approved by"), str(current.decided_by or "—")),
                    (_("Value grade"), current.value_grade or "—"),
                    (_("Factors without data"), str(current.missing)),
                ]
            )
        )
        rows = [
            [
                f.label,
                _("no data") if f.missing else _factor_value(f.key, f.value, revealed=revealed),
                f.source,
                f.bin,
                f"{f.points:g} / {f.max_points:g}",
            ]
            for f in factor_rows(current)
        ]
        section.blocks.append(
            Table(
                [_("Factor"), _("Value"), _("Data"), _("Bin"), _("Points")],
                rows,
                widths=(24, 18, 26, 20, 12),
                align=("L", "R", "L", "L", "R"),
                caption=_("Basis of the rating"),
            )
        )
        caps = cap_rows(current)
        if caps:
            section.blocks.append(
                Table(
                    [_("Cap"), _("Value"), _("Best grade allowed")],
                    [[c.label, c.value, c.max_grade] for c in caps],
                    widths=(50, 25, 25),
                )
            )
        values = value_rows(current)
        if values:
            section.blocks.append(
                Table(
                    [_("Value factor"), _("Value"), _("Points")],
                    [
                        [
                            f.label,
                            _factor_value(f.key, f.value, revealed=revealed),
                            f"{f.points:g} / {f.max_points:g}",
                        ]
                        for f in values
                    ],
                    widths=(50, 30, 20),
                    align=("L", "R", "R"),
                    caption=_("Customer value"),
                )
            )
    if ratings:
        section.blocks.append(
            Table(
                [_("As of"), _("Grade"), _("Score"), _("Status"), _("Occasion")],
                [
                    [
                        _date(r.as_of),
                        r.grade,
                        str(r.score),
                        r.get_status_display(),
                        r.get_trigger_display(),
                    ]
                    for r in ratings
                ],
                widths=(20, 15, 15, 25, 25),
                caption=_("Rating history"),
            )
        )
    return section


def receivables_section(customer: Customer, *, as_of: datetime.date) -> ReportSection:
    section = ReportSection(str(Section.TRANSACTIONS), _("Receivables"))
    figures = file_figures(customer.pk, as_of=as_of)
    if not figures:
        section.blocks.append(Text(_("No receivables."), True))
        return section
    buckets = ageing_buckets()
    section.blocks.append(
        Table(
            [
                _("Currency"),
                _("Open"),
                _("Overdue"),
                _("DSO"),
                _("Payment index"),
                _("Paid (12 months)"),
            ],
            [
                [
                    f.currency,
                    _money(f.total),
                    _money(f.overdue),
                    "—" if f.dso is None else f"{f.dso}",
                    "—" if f.index is None else f"{f.index}",
                    _money(f.paid_amount),
                ]
                for f in figures
            ],
            widths=(12, 20, 20, 12, 16, 20),
            align=("L", "R", "R", "R", "R", "R"),
            caption=_("Receivables as of %(date)s") % {"date": as_of.isoformat()},
        )
    )
    section.blocks.append(
        Table(
            [_("Currency"), *(_("current") if b.key == "current" else b.label for b in buckets)],
            [[f.currency, *(_money(f.ageing[b.key]) for b in buckets)] for f in figures],
            widths=(12, *[88 / len(buckets)] * len(buckets)),
            align=("L", *["R"] * len(buckets)),
            caption=_("Ageing (days past due)"),
        )
    )
    return section


def reviews_section(customer: Customer) -> ReportSection:
    from credfile.reviews.selectors import customer_reviews

    section = ReportSection(str(Section.REVIEWS), _("Periodic reviews"))
    reviews = list(customer_reviews(customer=customer).order_by("-reviewed_on", "-pk")[:REVIEWS])
    if not reviews:
        section.blocks.append(Text(_("This file has not been reviewed yet."), True))
        return section
    section.blocks.append(
        Table(
            [_("Reviewed on"), _("Reviewer"), _("Conclusion"), _("Findings"), _("Next review")],
            [
                [
                    _date(r.reviewed_on),
                    str(r.reviewer),
                    r.get_conclusion_display(),
                    r.findings,
                    _date(r.next_review_on),
                ]
                for r in reviews
            ],
            widths=(15, 15, 18, 37, 15),
        )
    )
    return section


def complaints_section(customer: Customer) -> ReportSection:
    from credfile.complaints.services import complaint_figures

    section = ReportSection(str(Section.COMPLAINTS), _("Complaints"))
    figures = complaint_figures([customer.pk])[customer.pk]
    hours = figures.median_response_hours
    section.blocks.append(
        Facts(
            [
                (_("Open"), str(figures.open)),
                (_("Received in 12 months"), str(figures.received_12m)),
                (_("Closed in 12 months"), str(figures.closed_12m)),
                (_("Median hours to resolve"), "—" if hours is None else f"{hours:.1f}"),
            ]
        )
    )
    complaints = list(
        customer.complaints.select_related("owner").order_by("-received_at")[:COMPLAINTS]
    )
    if complaints:
        section.blocks.append(
            Table(
                [
                    _("Received"),
                    _("Category"),
                    _("Severity"),
                    _("Status"),
                    _("Deadline"),
                    _("Summary"),
                ],
                [
                    [
                        _date(c.received_at, time=True),
                        c.get_category_display(),
                        c.get_severity_display(),
                        c.get_status_display(),
                        _date(c.due_at, time=True),
                        c.summary,
                    ]
                    for c in complaints
                ],
                widths=(17, 13, 10, 12, 17, 31),
            )
        )
    return section


def file_report(
    *, customer: Customer, reader: Any, revealed: bool, as_of: datetime.date | None = None
) -> Report:
    """The report of a file fetched through the reader's scope (it carries `access`)."""
    access = customer.access  # type: ignore[attr-defined]
    as_of = as_of or timezone.localdate()
    sections: list[ReportSection] = []
    if access.sees(Section.BASIC):
        sections.append(identity_section(customer, revealed=revealed))
    if access.sees(Section.FINANCIALS):
        sections.append(financial_section(customer, revealed=revealed))
    if access.sees(Section.RATINGS):
        sections.append(rating_section(customer, revealed=revealed))
    if access.sees(Section.TRANSACTIONS):
        sections.append(receivables_section(customer, as_of=as_of))
    if access.sees(Section.REVIEWS):
        sections.append(reviews_section(customer))
    if access.sees(Section.COMPLAINTS):
        sections.append(complaints_section(customer))
    return Report(
        title=_("Credit file %(code)s %(name)s") % {"code": customer.code, "name": customer.name},
        subtitle=_("%(department)s · as of %(date)s · printed for %(reader)s")
        % {
            "department": customer.department.name,
            "date": as_of.isoformat(),
            "reader": reader.get_username(),
        },
        reader=reader.get_username(),
        sections=sections,
        notes=[
            _(
                "This report is a copy of the credit file taken from credfile; it is recorded "
                "in the audit trail. Keep it confidential and destroy it when no longer needed."
            )
        ],
    )
