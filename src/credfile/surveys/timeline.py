"""Answered satisfaction surveys on the file's timeline (`customers/timeline.py`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credfile.core.permissions import Section as Policy
from credfile.customers.timeline import (
    Before,
    TimelineEntry,
    before_filter,
    person,
    register_timeline_source,
)
from credfile.surveys.choices import QuestionKind, ResponseStatus
from credfile.surveys.models import SurveyResponse
from credfile.surveys.selectors import event_visible

KIND = "survey"


def survey_entries(user: Any, customer: Any, before: Before | None, limit: int) -> list[Any]:
    """The file's answered surveys before the keyset, on `survey_customer_idx`; the mean
    score of each comes in the same query, not one query per response."""
    url = reverse("customers:section", args=[customer.pk, Policy.SURVEYS])
    rows = (
        SurveyResponse.objects.filter(customer_id=customer.pk, status=ResponseStatus.ANSWERED)
        .filter(before_filter("answered_at", KIND, before))
        .select_related("questionnaire", "recorded_by", "event")
        .annotate(
            mean=Avg(
                "answers__score",
                filter=Q(answers__question__kind=QuestionKind.SCORE),
            ),
            event_visible=event_visible(user),
        )
        .order_by("-answered_at", "-id")[:limit]
    )
    entries = []
    for r in rows:
        assert r.answered_at is not None  # an answered response has its time (a constraint)
        title = gettext("Satisfaction survey: %(name)s") % {"name": r.questionnaire.name}
        summary = (
            gettext("Mean score %(mean).1f · %(kind)s")
            % {"mean": r.mean, "kind": r.questionnaire.get_kind_display()}
            if r.mean is not None
            else ""
        )
        if r.event is not None and r.event_visible:
            about = gettext("Event: %(title)s") % {"title": r.event.title}
            summary = f"{summary} · {about}" if summary else about
        entries.append(
            TimelineEntry(
                kind=KIND,
                id=r.pk,
                when=r.answered_at,
                title=title,
                summary=summary,
                url=url,
                actor=person(r.recorded_by),
            )
        )
    return entries


def register() -> None:
    register_timeline_source(
        KIND,
        _("Satisfaction surveys"),
        Policy.SURVEYS,
        survey_entries,
        order=35,
        icon="clipboard-heart",
    )
