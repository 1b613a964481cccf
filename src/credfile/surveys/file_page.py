"""The surveys section of the file page: the customer's answers, their scores per kind and
quarter, and links to record a response or the answers to one sent."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import Section, register_section
from credfile.surveys.choices import Kind, Period
from credfile.surveys.models import SurveyResponse
from credfile.surveys.selectors import (
    ScoreFilters,
    customer_scores,
    file_responses,
    file_score_series,
    period_label,
    usable_questionnaires,
)

# Quarters shown in the section's trend.
TREND_QUARTERS = 4


def _surveys(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    since = timezone.localdate() - datetime.timedelta(days=92 * (TREND_QUARTERS - 1))
    scores = customer_scores([customer.pk])[customer.pk]
    kinds = []
    for kind in Kind:
        series = file_score_series(
            customer, ScoreFilters(kind=kind, period=Period.QUARTER, since=since)
        )
        rows = [
            (period_label(r.period, Period.QUARTER), r) for r in (series[0].rows if series else [])
        ]
        kinds.append((str(kind), kind.label, scores.get(kind), rows))
    return {
        "survey_responses": file_responses(customer, user=user),
        "survey_kinds": kinds,
        "survey_questionnaires": list(usable_questionnaires()),
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.SURVEYS,
            title=_("Satisfaction surveys"),
            template="surveys/section.html",
            order=47,
            context=_surveys,
            counted=SurveyResponse,
        )
    )
