"""The panels of the home pages: each one a summary of a list or report of another app, read
through that app's own selectors under that list's own scope, so that a panel shows the same
figures as the page it links to, and never more.

Every panel is a fixed number of set-based queries, whatever the number of files: counts and
sums are grouped in the database, and a panel lists at most `ROWS` rows of its list.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.access.selectors import pending_for_decision
from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.selectors import AuditFilters, audit_event_search, chain_head
from credfile.changes.choices import ChangeStatus
from credfile.changes.selectors import awaiting_decision, request_queryset
from credfile.complaints.selectors import complaint_list
from credfile.core.permissions import (
    limit_decide_scope,
    portfolio_scope,
    rating_waiting_scope,
)
from credfile.customers.choices import Industry
from credfile.followup.selectors import OverdueFilters, overdue_invoices
from credfile.home import charts
from credfile.inspections.models import Inspection
from credfile.limits.expiring import EXPIRING_WITHIN_DAYS, limits_expiring
from credfile.limits.facts import counted_kinds
from credfile.limits.models import LimitRequest, OpenOrder
from credfile.ratings.defaults import company_card, value_scale
from credfile.ratings.display import strategy
from credfile.ratings.models import Rating
from credfile.reviews.selectors import DUE_WINDOW_DAYS, queue_counts
from credfile.risk.selectors import WatchFilters, watch_list
from credfile.transactions.receivables import (
    Figures,
    ageing_buckets,
    ageing_report,
    portfolio_totals,
)

# The rows a panel lists of its list (the list itself has the rest).
ROWS = 5
# A complaint whose deadline falls within this many hours counts as near its deadline.
COMPLAINT_NEAR_HOURS = 24
# The reveals the auditor's panel lists.
REVEALS = 10
ZERO = Decimal("0")
HEAT = (
    "",
    "bg-primary bg-opacity-10",
    "bg-primary bg-opacity-25",
    "bg-primary bg-opacity-50",
    "bg-primary bg-opacity-75 text-white",
)
WIDE = frozenset({"by_department", "by_industry"})


@dataclass
class Panel:
    """One panel: its title, the list it summarises, and what its template shows."""

    key: str
    title: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"home/panels/{self.key}.html"

    @property
    def wide(self) -> bool:
        """Tables across the page's width (a column per ageing bucket)."""
        return self.key in WIDE


@dataclass
class Context:
    """What the panels of one page share: the user, the day and the ageing over the user's
    portfolio (computed once, used by several panels)."""

    user: User
    today: datetime.date
    now: datetime.datetime
    _cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def ageing_by(self, by: str) -> list[Figures]:
        """The portfolio's ageing per group and currency as of today (the receivables
        portfolio's figures, `/receivables/?department=…` or `?industry=…`)."""
        return self.once(
            f"ageing:{by}",
            lambda: ageing_report(
                scope=portfolio_scope(self.user), as_of=self.today, by=by, order="total"
            ),
        )


# --- the work of an account manager (and a department head) ------------------------------------


def followups(ctx: Context) -> Panel:
    """The overdue list (`/overdue/`): the overdue invoices, the broken promises and those
    whose next action is due, with the first rows as the list orders them."""
    invoices = overdue_invoices(user=ctx.user, filters=OverdueFilters(), today=ctx.today)
    # The counts, the broken promises (the list's `?broken=1` filter, `promise_broken`) and
    # the open amounts in one pass over the list, per currency, added up here.
    counts = {"total": 0, "due": 0, "unplanned": 0}
    broken = 0
    amounts: dict[str, Decimal] = {}
    for row in (
        invoices.order_by()
        .values("currency")
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=Q(next_action_on__lte=ctx.today)),
            unplanned=Count("pk", filter=Q(next_action_on__isnull=True)),
            broken=Count("pk", filter=Q(promise_broken=True)),
            open=Sum("amount") - Sum("amount_paid"),
        )
        .order_by("currency")
    ):
        counts["total"] += row["total"]
        counts["due"] += row["due"]
        counts["unplanned"] += row["unplanned"]
        broken += row["broken"]
        amounts[row["currency"]] = row["open"]
    url = reverse("followup:overdue")
    return Panel(
        "followups",
        str(_("Overdue follow-ups")),
        url,
        {
            "counts": counts,
            "broken": broken,
            "broken_url": f"{url}?broken=1",
            "amounts": amounts,
            "rows": list(invoices[:ROWS]),
            "today": ctx.today,
        },
    )


def reviews(ctx: Context) -> Panel:
    """The review queue (`/reviews/`): the files overdue for review and due within 30 days."""
    url = reverse("reviews:queue")
    return Panel(
        "reviews",
        str(_("Reviews due")),
        url,
        {
            "counts": queue_counts(user=ctx.user, today=ctx.today),
            "window": DUE_WINDOW_DAYS,
            "overdue_url": f"{url}?state=overdue",
            "due_url": f"{url}?state=due",
        },
    )


def complaints(ctx: Context) -> Panel:
    """The open-complaint list (`/complaints/`): open complaints, those past their deadline
    and those within a day of it, the nearest deadlines first."""
    open_complaints = complaint_list(user=ctx.user)
    near = ctx.now + datetime.timedelta(hours=COMPLAINT_NEAR_HOURS)
    counts = open_complaints.aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(due_at__lt=ctx.now)),
        near=Count("pk", filter=Q(due_at__gte=ctx.now, due_at__lte=near)),
    )
    return Panel(
        "complaints",
        str(_("Complaints near their deadline")),
        reverse("complaints:list"),
        {
            "counts": counts,
            "hours": COMPLAINT_NEAR_HOURS,
            "rows": list(open_complaints.filter(due_at__lte=near).order_by("due_at", "pk")[:ROWS]),
            "now": ctx.now,
        },
    )


def my_changes(ctx: Context) -> Panel:
    """The user's own change requests waiting for a decision (`/changes/?tab=mine`), and
    those decided in the last 30 days that were rejected."""
    mine = request_queryset(user=ctx.user).filter(maker=ctx.user)
    since = ctx.now - datetime.timedelta(days=30)
    counts = mine.aggregate(
        pending=Count("pk", filter=Q(status=ChangeStatus.PENDING)),
        rejected=Count("pk", filter=Q(status=ChangeStatus.REJECTED, decided_at__gte=since)),
    )
    url = reverse("changes:queue")
    return Panel(
        "my_changes",
        str(_("Your change requests")),
        f"{url}?tab=mine&status=pending",
        {
            "counts": counts,
            "rejected_url": f"{url}?tab=mine&status=rejected",
            "rows": list(mine.filter(status=ChangeStatus.PENDING).order_by("-pk")[:ROWS]),
        },
    )


# --- approvals --------------------------------------------------------------------------------


def approvals(ctx: Context) -> Panel:
    """The change requests waiting for the user's decision (`/changes/?tab=decide`)."""
    waiting = awaiting_decision(user=ctx.user)
    return Panel(
        "approvals",
        str(_("Approvals waiting")),
        f"{reverse('changes:queue')}?tab=decide",
        {"total": waiting.count(), "rows": list(waiting.order_by("-pk")[:ROWS])},
    )


def usage_applications(ctx: Context) -> Panel:
    """The usage applications waiting for the executive's decision (`/access/?tab=decide`),
    and the limit requests above the credit manager's authority (`/limits/refusals/`)."""
    waiting = pending_for_decision(user=ctx.user)
    limits = LimitRequest.objects.filter(limit_decide_scope(ctx.user))
    return Panel(
        "usage_applications",
        str(_("Usage applications waiting")),
        f"{reverse('access:list')}?tab=decide",
        {
            "total": waiting.count(),
            "rows": list(waiting.order_by("-pk")[:ROWS]),
            "limit_requests": limits.count(),
            "limits_url": reverse("limits:refusals"),
        },
    )


def credit_work(ctx: Context) -> Panel:
    """What waits for a credit manager: rating proposals (`/ratings/`) and limit requests
    (`/limits/refusals/`)."""
    return Panel(
        "credit_work",
        str(_("Waiting for your decision")),
        reverse("ratings:waiting"),
        {
            "ratings": Rating.objects.filter(rating_waiting_scope(ctx.user)).count(),
            "limit_requests": LimitRequest.objects.filter(limit_decide_scope(ctx.user)).count(),
            "limits_url": reverse("limits:refusals"),
        },
    )


# --- the portfolio ----------------------------------------------------------------------------


def _ageing_table(
    figures: list[Figures],
    label: Callable[[Figures], str],
    orders: Callable[[Figures], Decimal] | None = None,
) -> list[dict[str, Any]]:
    """Per currency, one line per group (largest first): its name, figures, bar and, with
    `orders`, the open orders counted as exposure and the exposure (open + orders)."""
    buckets = ageing_buckets()
    by_currency: dict[str, list[tuple[str, Figures]]] = {}
    for row in figures:
        by_currency.setdefault(row.currency, []).append((label(row), row))
    tables = []
    for currency in sorted(by_currency):
        rows = sorted(by_currency[currency], key=lambda item: (-item[1].total, item[0]))
        bars = charts.ageing_bars([(n, f.ageing, f.total) for n, f in rows], buckets)
        lines = []
        for (name, row), bar in zip(rows, bars, strict=True):
            line: dict[str, Any] = {"name": name, "figures": row, "bar": bar}
            if orders is not None:
                line["orders"] = orders(row)
                line["exposure"] = row.total + line["orders"]
            lines.append(line)
        tables.append({"currency": currency, "lines": lines})
    return tables


def receivables(ctx: Context) -> Panel:
    """The portfolio's ageing per currency (`/receivables/`): what the portfolio page's
    totals show, with a bar per currency."""
    buckets = ageing_buckets()
    totals = portfolio_totals(ctx.ageing_by("department"))
    currencies = [
        {
            "currency": currency,
            "amounts": amounts,
            "overdue": amounts["total"] - amounts.get(buckets[0].key, ZERO),
            "bar": charts.ageing_bars([(currency, amounts, amounts["total"])], buckets)[0],
        }
        for currency, amounts in totals.items()
    ]
    return Panel(
        "receivables",
        str(_("Receivables ageing")),
        reverse("receivables:portfolio"),
        {
            "totals": totals,
            "currencies": currencies,
            "buckets": buckets,
            "legend": charts.ageing_legend(buckets),
        },
    )


def by_department(ctx: Context) -> Panel:
    """Exposure and ageing per department and currency: the open receivables as the
    portfolio page filtered by the department shows them, and the open orders that count as
    exposure (docs/limits.md)."""
    figures = ctx.ageing_by("department")
    orders = {
        (row["customer__department_id"], row["currency"]): row["amount"]
        for row in OpenOrder.objects.filter(
            portfolio_scope(ctx.user), is_open=True, kind__in=counted_kinds()
        )
        .values("customer__department_id", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    tables = _ageing_table(
        figures,
        lambda f: str(f.group["customer__department__name"] or "—"),
        lambda f: orders.get((f.group["customer__department_id"], f.currency), ZERO),
    )
    buckets = ageing_buckets()
    return Panel(
        "by_department",
        str(_("Exposure and ageing by department")),
        reverse("receivables:portfolio"),
        {"tables": tables, "buckets": buckets, "legend": charts.ageing_legend(buckets)},
    )


def by_industry(ctx: Context) -> Panel:
    """Ageing per industry and currency (`/receivables/?industry=…`)."""
    names = dict(Industry.choices)
    tables = _ageing_table(
        ctx.ageing_by("industry"),
        lambda f: str(names.get(f.group["customer__industry"], _("no industry"))),
    )
    buckets = ageing_buckets()
    return Panel(
        "by_industry",
        str(_("Ageing by industry")),
        reverse("receivables:portfolio"),
        {"tables": tables, "buckets": buckets, "legend": charts.ageing_legend(buckets)},
    )


def _grade_value_counts(ctx: Context) -> dict[tuple[str, str], int]:
    """Files by credit grade × value grade, ratings in force: the matrix page's counts."""
    return ctx.once(
        "grade_value",
        lambda: {
            (row["grade"], row["value_grade"]): row["n"]
            for row in Rating.objects.filter(is_current=True)
            .filter(portfolio_scope(ctx.user, prefix="customer__"))
            .values("grade", "value_grade")
            .annotate(n=Count("id"))
            .order_by()
        },
    )


def _grades() -> list[str]:
    return [g.grade for g in company_card().scale]


def grades(ctx: Context) -> Panel:
    """The files per credit grade in force (the rows of `/ratings/matrix/`)."""
    counts: dict[str, int] = {}
    for (grade, _value), n in _grade_value_counts(ctx).items():
        counts[grade] = counts.get(grade, 0) + n
    order = _grades() + sorted(set(counts) - set(_grades()))
    rows = [(grade, counts.get(grade, 0)) for grade in order]
    return Panel(
        "grades",
        str(_("Grade distribution")),
        reverse("ratings:matrix"),
        {"rows": rows, "total": sum(counts.values()), "chart": charts.column_chart(rows)},
    )


def value_matrix(ctx: Context) -> Panel:
    """Value grade × credit grade (`/ratings/matrix/`), each cell with its strategy."""
    counts = _grade_value_counts(ctx)
    values = [g.grade for g in value_scale()]
    peak = max(counts.values(), default=0)
    rows = [
        (
            grade,
            [
                (
                    value,
                    counts.get((grade, value), 0),
                    strategy(value, grade),
                    # How dark the cell is drawn: its share of the largest cell.
                    HEAT[round(4 * counts.get((grade, value), 0) / peak) if peak else 0],
                )
                for value in values
            ],
        )
        for grade in _grades()
    ]
    return Panel(
        "value_matrix",
        str(_("Value × credit grade")),
        reverse("ratings:matrix"),
        {
            "rows": rows,
            "values": values,
            "unvalued": sum(n for (_g, v), n in counts.items() if not v),
        },
    )


def watch(ctx: Context) -> Panel:
    """The watch list's active entries (`/watch-list/`), newest first."""
    entries = watch_list(user=ctx.user, filters=WatchFilters())
    counts = entries.aggregate(
        total=Count("pk"), blocking=Count("pk", filter=Q(rule__block_credit=True))
    )
    url = reverse("risk:watch-list")
    return Panel(
        "watch_list",
        str(_("Watch list")),
        url,
        {"counts": counts, "rows": list(entries[:ROWS]), "blocking_url": f"{url}?blocking=on"},
    )


def expiring(ctx: Context) -> Panel:
    """The limits in force running out within 60 days (`/limits/expiring/`)."""
    limits = limits_expiring(user=ctx.user, today=ctx.today)
    counts = limits.aggregate(
        total=Count("pk"), expired=Count("pk", filter=Q(valid_until__lt=ctx.today))
    )
    return Panel(
        "limits_expiring",
        str(_("Credit limits running out")),
        reverse("limits:expiring"),
        {
            "counts": counts,
            "days": EXPIRING_WITHIN_DAYS,
            "rows": list(limits[:ROWS]),
            "today": ctx.today,
        },
    )


# --- the auditor ------------------------------------------------------------------------------


def audit_chain(ctx: Context) -> Panel:
    """The audit chain's head and the last archive inspection's check of it
    (`/archive/inspections/`)."""
    head = chain_head()
    last = Inspection.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    return Panel(
        "audit_chain",
        str(_("Audit chain")),
        reverse("inspections:list"),
        {
            "head_seq": head[0] if head else 0,
            "head_hash": head[1] if head else "",
            "inspection": last,
            "audit_url": reverse("audit:list"),
        },
    )


def reveals(ctx: Context) -> Panel:
    """The latest reveals of sensitive values (`/audit/?action=reveal`)."""
    events = audit_event_search(user=ctx.user, filters=AuditFilters(action=AuditAction.REVEAL))
    since = ctx.today - datetime.timedelta(days=6)
    week = audit_event_search(
        user=ctx.user, filters=AuditFilters(action=AuditAction.REVEAL, date_from=since)
    )
    url = f"{reverse('audit:list')}?action={AuditAction.REVEAL}"
    return Panel(
        "reveals",
        str(_("Recent reveals")),
        url,
        {
            "rows": list(events.select_related("actor").order_by("-seq")[:REVEALS]),
            "week": week.count(),
            "week_url": f"{url}&date_from={since.isoformat()}",
        },
    )


BUILDERS: dict[str, Callable[[Context], Panel]] = {
    "followups": followups,
    "reviews": reviews,
    "complaints": complaints,
    "my_changes": my_changes,
    "approvals": approvals,
    "usage_applications": usage_applications,
    "credit_work": credit_work,
    "receivables": receivables,
    "by_department": by_department,
    "by_industry": by_industry,
    "grades": grades,
    "value_matrix": value_matrix,
    "watch_list": watch,
    "limits_expiring": expiring,
    "audit_chain": audit_chain,
    "reveals": reveals,
}


def build(user: User, keys: tuple[str, ...], *, today: datetime.date | None = None) -> list[Panel]:
    now = timezone.now()
    ctx = Context(user=user, today=today or timezone.localdate(), now=now)
    return [BUILDERS[key](ctx) for key in keys]
