"""The ratings section of the file page: the grade in force with its basis factor by factor,
a proposal waiting, the history, and the form to rate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.core.permissions import rating_decide_scope, rating_scope
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.ratings.display import cap_rows, factor_rows, history_chart, strategy, value_rows
from credfile.ratings.forms import DecisionForm, RatingForm
from credfile.ratings.models import Rating

HISTORY = 24


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    ratings = list(
        Rating.objects.filter(customer=customer)
        .select_related("version__scorecard", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")[:HISTORY]
    )
    current = next((r for r in ratings if r.is_current), None)
    proposal = next((r for r in ratings if r.status == "proposed"), None)
    shown = proposal or current
    may_rate = Customer.objects.filter(rating_scope(user), pk=customer.pk).exists()
    may_decide = (
        proposal is not None
        and Rating.objects.filter(rating_decide_scope(user), pk=proposal.pk).exists()
    )
    scale = [g["grade"] for g in shown.basis.get("scale", [])] if shown else []
    if shown is not None and not scale:
        scale = [g.grade for g in shown.version.card.scale]
    assessed = (current.basis.get("assessed", {}) if current else {}) or {}
    return {
        "rating_current": current,
        "rating_proposal": proposal,
        "rating_shown": shown,
        "rating_factors": factor_rows(shown) if shown else [],
        "rating_caps": cap_rows(shown) if shown else [],
        "value_factors": value_rows(shown) if shown else [],
        "value_strategy": (
            strategy(shown.value_grade, shown.grade) if shown and shown.value_grade else ""
        ),
        "rating_history": ratings,
        "rating_chart": history_chart(ratings, scale) if scale else None,
        "may_rate": may_rate,
        "may_decide": may_decide,
        "rating_form": RatingForm(initial_assessed=assessed) if may_rate else None,
        "decision_form": DecisionForm() if may_decide else None,
    }


def _header(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    current = Rating.objects.filter(customer=customer, is_current=True).only(
        "grade", "score", "as_of"
    )
    return {"rating_in_force": current.first()}


def register() -> None:
    register_section(
        Section(
            slug=Policy.RATINGS,
            title=_("Credit rating"),
            template="ratings/section.html",
            order=65,
            context=_context,
            header=_header,
            counted=Rating,
        )
    )
