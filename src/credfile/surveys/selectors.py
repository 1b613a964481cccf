"""Reads of satisfaction surveys: only what the user may see, in the query; the scores per
customer, department and period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth, TruncQuarter
from django.http import Http404
from django.utils import timezone

from credfile.core.permissions import (
    Section,
    event_survey_scope,
    event_view_scope,
    record_scope,
    scope_flag,
    survey_record_scope,
    survey_score_scope,
)
from credfile.customers.models import Customer
from credfile.events.models import CustomerEvent
from credfile.events.selectors import file_invitations
from credfile.surveys.choices import Kind, Period, QuestionKind, ResponseStatus
from credfile.surveys.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyResponse,
)
from credfile.surveys.scoring import (
    DETRACTOR_UP_TO,
    PROMOTER_FROM,
    SATISFIED_FROM,
    Counts,
    Score,
    score_from_counts,
    trend,
)

TIMELINE_MAX = 200


# --- questionnaires ------------------------------------------------------------------------------


def questionnaire_list(*, active_only: bool = False) -> QuerySet[Questionnaire]:
    qs = Questionnaire.objects.annotate(
        response_count=Count(
            "responses", filter=Q(responses__status=ResponseStatus.ANSWERED), distinct=True
        ),
        version_number=Count("versions", distinct=True),
    )
    return qs.filter(is_active=True) if active_only else qs


def usable_questionnaires() -> QuerySet[Questionnaire]:
    """The questionnaires in use whose current version has questions: those one may send."""
    latest = QuestionnaireVersion.objects.filter(questionnaire=OuterRef("pk")).order_by("-number")
    has_questions = Question.objects.filter(version_id=OuterRef("latest_version"))
    return (
        Questionnaire.objects.filter(is_active=True)
        .annotate(latest_version=Subquery(latest.values("pk")[:1]))
        .filter(Exists(has_questions))
        .order_by("name")
    )


def questionnaire_get(*, pk: int) -> Questionnaire:
    found = questionnaire_list().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def version_with_questions(questionnaire: Questionnaire) -> QuestionnaireVersion:
    version = (
        questionnaire.versions.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position"))
        )
        .order_by("-number")
        .first()
    )
    assert version is not None
    return version


def question_get(*, questionnaire: Questionnaire, pk: int) -> Question:
    found = (
        Question.objects.select_related("version__questionnaire")
        .filter(version__questionnaire=questionnaire, pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- responses -----------------------------------------------------------------------------------


def _with_answers(qs: QuerySet[SurveyResponse]) -> QuerySet[SurveyResponse]:
    return qs.select_related(
        "questionnaire", "version", "customer", "recorded_by", "event"
    ).prefetch_related(
        Prefetch(
            "answers",
            queryset=SurveyAnswer.objects.select_related("question").order_by("question__position"),
        )
    )


def event_visible(user: Any) -> Exists:
    """Whether the response's event is one the user may open: an event outside it (another
    department's, seen through a grant on the file's surveys only) is not named."""
    return Exists(CustomerEvent.objects.filter(event_view_scope(user), pk=OuterRef("event_id")))


def responses_visible(*, user: Any) -> QuerySet[SurveyResponse]:
    """Every response in a file whose surveys section the user may see (grants included),
    with whether the user may record answers on it and may see its event."""
    return _with_answers(
        SurveyResponse.objects.filter(record_scope(user, Section.SURVEYS)).annotate(
            may_answer=scope_flag(survey_record_scope(user, prefix="customer__")),
            event_visible=event_visible(user),
        )
    )


def response_get(*, user: Any, pk: int) -> SurveyResponse:
    found = responses_visible(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def file_responses(customer: Customer, *, user: Any, limit: int = 100) -> list[SurveyResponse]:
    """The responses of a file already opened through the scope (the file page's section),
    with whether the user may see each one's event."""
    qs = _with_answers(customer.survey_responses.annotate(event_visible=event_visible(user)))
    return list(qs.order_by("-answered_at", "-sent_at", "-id")[:limit])


# The events offered when recording a survey on a file: its latest invitations.
EVENT_CHOICES_MAX = 50


def file_event_choices(customer: Customer) -> list[CustomerEvent]:
    """The events the customer was invited to, newest first (a bounded list, on the file's
    invitations index): those a survey of this file may be about."""
    return [i.event for i in file_invitations(customer, limit=EVENT_CHOICES_MAX)]


def survey_responses_for_timeline(
    user: Any,
    customer: Customer,
    before: SurveyResponse | tuple[datetime.datetime, int] | None = None,
    limit: int = 50,
) -> list[SurveyResponse]:
    """The answered responses of one file that the user may see, newest first, keyset on
    (answered_at, id): `before` is the last one shown (or its pair), for the next page."""
    qs = SurveyResponse.objects.filter(
        record_scope(user, Section.SURVEYS),
        customer_id=customer.pk,
        status=ResponseStatus.ANSWERED,
    )
    if before is not None:
        when, pk = (before.answered_at, before.pk) if isinstance(before, SurveyResponse) else before
        qs = qs.filter(Q(answered_at__lt=when) | Q(answered_at=when, pk__lt=pk))
    size = max(1, min(int(limit), TIMELINE_MAX))
    return list(_with_answers(qs).order_by("-answered_at", "-id")[:size])


# --- scores --------------------------------------------------------------------------------------


def _scored(qs: QuerySet[SurveyAnswer]) -> QuerySet[SurveyAnswer]:
    return qs.filter(
        response__status=ResponseStatus.ANSWERED,
        question__kind=QuestionKind.SCORE,
        score__isnull=False,
    )


_COUNTS = {
    "answers": Count("id"),
    "total": Sum("score"),
    "satisfied": Count("id", filter=Q(score__gte=SATISFIED_FROM)),
    "promoters": Count("id", filter=Q(score__gte=PROMOTER_FROM)),
    "detractors": Count("id", filter=Q(score__lte=DETRACTOR_UP_TO)),
}


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(
        answers=row["answers"],
        total=row["total"] or 0,
        satisfied=row["satisfied"],
        promoters=row["promoters"],
        detractors=row["detractors"],
    )


def customer_scores(customer_ids: list[int]) -> dict[int, dict[str, Score]]:
    """Per file and kind (CSAT, NPS): the score of all its answers — one query."""
    rows = (
        _scored(SurveyAnswer.objects.filter(response__customer_id__in=customer_ids))
        .values("response__customer_id", "response__questionnaire__kind")
        .annotate(**_COUNTS)
        .order_by()
    )
    found: dict[int, dict[str, Score]] = {pk: {} for pk in customer_ids}
    for row in rows:
        kind = row["response__questionnaire__kind"]
        found[row["response__customer_id"]][kind] = score_from_counts(kind, _counts(dict(row)))
    return found


@dataclass
class ScoreRow:
    """One period of one group (the whole scope, a department or a customer)."""

    period: datetime.date
    score: Score
    trend: Any = None  # points since the previous period, None without one


@dataclass
class ScoreSeries:
    key: Any  # None (all), a department id or a customer id
    label: str
    rows: list[ScoreRow] = field(default_factory=list)

    @property
    def latest(self) -> ScoreRow | None:
        return self.rows[0] if self.rows else None


def period_start(day: datetime.date, period: str) -> datetime.date:
    month = day.month if period == Period.MONTH else 3 * ((day.month - 1) // 3) + 1
    return day.replace(month=month, day=1)


def previous_period(start: datetime.date, period: str) -> datetime.date:
    step = 1 if period == Period.MONTH else 3
    month = start.month - step
    year = start.year
    if month < 1:
        month += 12
        year -= 1
    return start.replace(year=year, month=month)


def period_label(start: datetime.date, period: str) -> str:
    if period == Period.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


@dataclass(frozen=True)
class ScoreFilters:
    kind: str = Kind.CSAT
    period: str = Period.MONTH
    department: int | None = None
    customer: int | None = None
    since: datetime.date | None = None
    questionnaire: int | None = None
    event: int | None = None


def _filtered(qs: QuerySet[SurveyAnswer], filters: ScoreFilters) -> QuerySet[SurveyAnswer]:
    qs = _scored(qs.filter(response__questionnaire__kind=filters.kind))
    if filters.department:
        qs = qs.filter(response__customer__department_id=filters.department)
    if filters.customer:
        qs = qs.filter(response__customer_id=filters.customer)
    if filters.questionnaire:
        qs = qs.filter(response__questionnaire_id=filters.questionnaire)
    if filters.event:
        qs = qs.filter(response__event_id=filters.event)
    if filters.since:
        since = datetime.datetime.combine(
            period_start(filters.since, filters.period), datetime.time.min
        )
        qs = qs.filter(response__answered_at__gte=timezone.make_aware(since))
    return qs


def _in_scope(user: Any) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(survey_score_scope(user, prefix="response__customer__"))


def _by_event(qs: QuerySet[SurveyAnswer], user: Any) -> QuerySet[SurveyAnswer]:
    """Only the answers about an event whose survey figures the user sees: another
    department's event is neither named nor counted."""
    return qs.filter(event_survey_scope(user, prefix="response__event__"))


def score_series(*, user: Any, filters: ScoreFilters, by: str = "all") -> list[ScoreSeries]:
    """The scores of the answers in the user's score scope, per period (newest first) with
    the trend against the previous period; `by` "all", "department", "customer" or "event"
    (the answers about an event, per event). Filtered by an event, only an event whose
    figures the user sees counts."""
    qs = _filtered(_in_scope(user), filters)
    if by == "event" or filters.event:
        qs = _by_event(qs, user)
    if by == "event":
        qs = qs.filter(response__event__isnull=False)
    return _series(qs, filters, by)


def file_score_series(customer: Customer, filters: ScoreFilters) -> list[ScoreSeries]:
    """The same for one file already opened through the scope (its section of the page)."""
    answers = SurveyAnswer.objects.filter(response__customer_id=customer.pk)
    return _series(_filtered(answers, filters), filters, "all")


def _series(qs: QuerySet[SurveyAnswer], filters: ScoreFilters, by: str) -> list[ScoreSeries]:
    trunc = TruncMonth if filters.period == Period.MONTH else TruncQuarter
    keys = {
        "all": (),
        "department": ("response__customer__department_id", "response__customer__department__name"),
        "customer": (
            "response__customer_id",
            "response__customer__code",
            "response__customer__name",
        ),
        "event": ("response__event_id", "response__event__title"),
    }[by]
    rows = (
        qs.annotate(start=trunc("response__answered_at", tzinfo=timezone.get_current_timezone()))
        .values("start", *keys)
        .annotate(**_COUNTS)
        .order_by()
    )
    grouped: dict[Any, dict[datetime.date, Counts]] = defaultdict(dict)
    labels: dict[Any, str] = {}
    for row in rows:
        key = row[keys[0]] if keys else None
        labels[key] = " ".join(str(row[k]) for k in keys[1:]) if keys else ""
        start = row["start"]
        day = start.date() if isinstance(start, datetime.datetime) else start
        grouped[key][day] = grouped[key].get(day, Counts()) + _counts(row)
    series = []
    for key, periods in grouped.items():
        scores = {day: score_from_counts(filters.kind, c) for day, c in periods.items()}
        ordered = sorted(scores, reverse=True)
        series.append(
            ScoreSeries(
                key=key,
                label=labels[key],
                rows=[
                    ScoreRow(
                        period=day,
                        score=scores[day],
                        trend=trend(scores[day], scores.get(previous_period(day, filters.period))),
                    )
                    for day in ordered
                ],
            )
        )
    return sorted(series, key=lambda s: s.label)


def score_total(*, user: Any, filters: ScoreFilters) -> Score:
    """One score over every answer the filters select (no period split)."""
    qs = _filtered(_in_scope(user), filters)
    if filters.event:
        qs = _by_event(qs, user)
    row = qs.aggregate(**_COUNTS)
    return score_from_counts(filters.kind, _counts(row))


# --- an event's surveys --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionnaireFigures:
    """One questionnaire's responses about one event, and their score."""

    questionnaire_id: int
    name: str
    kind: str
    responses: int
    answered: int
    score: Score


@dataclass(frozen=True)
class EventSurveyFigures:
    responses: int
    answered: int
    rows: list[QuestionnaireFigures]


def _scored_answer(prefix: str) -> Q:
    """The answers that count in a score, seen from a response (`prefix` "answers__")."""
    return Q(
        status=ResponseStatus.ANSWERED,
        **{
            f"{prefix}question__kind": QuestionKind.SCORE,
            f"{prefix}score__isnull": False,
        },
    )


def event_survey_figures(*, user: Any, event: CustomerEvent) -> EventSurveyFigures | None:
    """The responses about an event, per questionnaire — how many, how many answered, and
    the CSAT or NPS of their answers — in one grouped query over the files in the user's
    score scope; None for whoever may not see the event's survey figures."""
    if not CustomerEvent.objects.filter(event_survey_scope(user), pk=event.pk).exists():
        return None
    scored = _scored_answer("answers__")
    rows = (
        SurveyResponse.objects.filter(survey_score_scope(user), event_id=event.pk)
        .values("questionnaire_id", "questionnaire__name", "questionnaire__kind")
        .annotate(
            responses=Count("id", distinct=True),
            answered_count=Count("id", filter=Q(status=ResponseStatus.ANSWERED), distinct=True),
            answers_count=Count("answers", filter=scored),
            total=Sum("answers__score", filter=scored),
            satisfied=Count("answers", filter=scored & Q(answers__score__gte=SATISFIED_FROM)),
            promoters=Count("answers", filter=scored & Q(answers__score__gte=PROMOTER_FROM)),
            detractors=Count("answers", filter=scored & Q(answers__score__lte=DETRACTOR_UP_TO)),
        )
        .order_by("questionnaire__name")
    )
    found = [
        QuestionnaireFigures(
            questionnaire_id=row["questionnaire_id"],
            name=row["questionnaire__name"],
            kind=row["questionnaire__kind"],
            responses=row["responses"],
            answered=row["answered_count"],
            score=score_from_counts(
                row["questionnaire__kind"],
                Counts(
                    answers=row["answers_count"],
                    total=row["total"] or 0,
                    satisfied=row["satisfied"],
                    promoters=row["promoters"],
                    detractors=row["detractors"],
                ),
            ),
        )
        for row in rows
    ]
    return EventSurveyFigures(
        responses=sum(r.responses for r in found),
        answered=sum(r.answered for r in found),
        rows=found,
    )
