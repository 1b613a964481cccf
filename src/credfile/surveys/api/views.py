"""REST API v1: satisfaction surveys — questionnaires and their questions, responses (sent or
answered, about a customer event or not), sending one to an event's attendees, and the scores
per period, department, customer or event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from credfile.accounts.models import User
from credfile.core.api_schema import problem_responses
from credfile.core.permissions import Section, can_see_surveys, event_survey_send_scope
from credfile.customers.api.views import api_user, paginate
from credfile.customers.selectors import customer_get
from credfile.events.models import CustomerEvent
from credfile.events.selectors import event_get
from credfile.surveys.api.serializers import (
    AttendeeSendInput,
    AttendeeSendOutput,
    QuestionInput,
    QuestionnaireInput,
    QuestionnaireOutput,
    QuestionnairePatch,
    QuestionOutput,
    QuestionPatch,
    ScoreQuery,
    ScoresOutput,
    SurveyAnswersInput,
    SurveyResponseInput,
    SurveyResponseOutput,
    SurveyResponseQuery,
)
from credfile.surveys.choices import Kind, Period, ResponseStatus
from credfile.surveys.models import Question, Questionnaire, SurveyResponse
from credfile.surveys.selectors import (
    ScoreFilters,
    event_visible,
    question_get,
    questionnaire_get,
    questionnaire_list,
    response_get,
    responses_visible,
    score_series,
    version_with_questions,
)
from credfile.surveys.services import (
    question_add,
    question_delete,
    question_update,
    questionnaire_create,
    questionnaire_update,
    survey_response_answer,
    survey_response_record,
    survey_send,
    survey_send_to_attendees,
)


def _surveys_user(request: Request) -> User:
    user = api_user(request)
    if not can_see_surveys(user):
        raise Http404
    return user


def _answers(items: list[dict[str, Any]]) -> dict[Any, Any]:
    """The API's answers ([{question, score | text}]) keyed by question, as the services take
    them."""
    found: dict[Any, Any] = {}
    for item in items:
        value = item.get("score")
        found[item["question"]] = value if value is not None else item.get("text", "")
    return found


# --- questionnaires ------------------------------------------------------------------------------


class QuestionnaireListView(generics.GenericAPIView[Questionnaire]):
    serializer_class = QuestionnaireOutput

    @extend_schema(
        operation_id="questionnaires_list",
        responses={200: QuestionnaireOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request) -> Response:
        """The questionnaires, with the questions of their current version."""
        _surveys_user(request)
        return paginate(self, questionnaire_list(), ("name", "id"), QuestionnaireOutput)

    @extend_schema(
        request=QuestionnaireInput,
        responses={201: QuestionnaireOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        """A new questionnaire (department heads and credit managers), with its questions."""
        user = _surveys_user(request)
        data = QuestionnaireInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        questions = [dict(q) for q in values.pop("questions", [])]
        created = questionnaire_create(actor=user, fields=values, questions=questions)
        return Response(QuestionnaireOutput(created).data, status=status.HTTP_201_CREATED)


class QuestionnaireDetailView(generics.GenericAPIView[Questionnaire]):
    serializer_class = QuestionnaireOutput

    @extend_schema(responses={200: QuestionnaireOutput, **problem_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        _surveys_user(request)
        return Response(QuestionnaireOutput(questionnaire_get(pk=pk)).data)

    @extend_schema(
        request=QuestionnairePatch,
        responses={200: QuestionnaireOutput, **problem_responses(400, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change the name, description, use or (while unanswered) kind."""
        user = _surveys_user(request)
        questionnaire = questionnaire_get(pk=pk)
        data = QuestionnairePatch(data=request.data)
        data.is_valid(raise_exception=True)
        updated = questionnaire_update(
            actor=user, questionnaire=questionnaire, fields=dict(data.validated_data)
        )
        return Response(QuestionnaireOutput(updated).data)


class QuestionListView(generics.GenericAPIView[Question]):
    serializer_class = QuestionOutput
    # One version's questions, a short list answered whole: the schema must not promise pages.
    pagination_class = None

    @extend_schema(
        operation_id="questionnaire_questions_list",
        responses={200: QuestionOutput(many=True), **problem_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        """The questions of the questionnaire's current version."""
        _surveys_user(request)
        version = version_with_questions(questionnaire_get(pk=pk))
        return Response(QuestionOutput(version.questions.all(), many=True).data)

    @extend_schema(
        request=QuestionInput,
        responses={201: QuestionOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add a question at the end; once the version has answers, this makes a new one."""
        user = _surveys_user(request)
        questionnaire = questionnaire_get(pk=pk)
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        added = question_add(
            actor=user, questionnaire=questionnaire, fields=dict(data.validated_data)
        )
        return Response(QuestionOutput(added).data, status=status.HTTP_201_CREATED)


class QuestionDetailView(generics.GenericAPIView[Question]):
    serializer_class = QuestionOutput

    @extend_schema(
        request=QuestionPatch,
        responses={200: QuestionOutput, **problem_responses(400, 403, 404)},
    )
    def patch(self, request: Request, pk: int, question_pk: int) -> Response:
        """Change a question of the current version. If that version has answers, the change
        is a new version and the answer is the question's new row (a new id)."""
        user = _surveys_user(request)
        question = question_get(questionnaire=questionnaire_get(pk=pk), pk=question_pk)
        data = QuestionPatch(data=request.data)
        data.is_valid(raise_exception=True)
        updated = question_update(actor=user, question=question, fields=dict(data.validated_data))
        return Response(QuestionOutput(updated).data)

    @extend_schema(responses={204: None, **problem_responses(400, 403, 404)})
    def delete(self, request: Request, pk: int, question_pk: int) -> Response:
        user = _surveys_user(request)
        question = question_get(questionnaire=questionnaire_get(pk=pk), pk=question_pk)
        question_delete(actor=user, question=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- responses -----------------------------------------------------------------------------------


def _no_customer() -> str:
    return _("No customer you may see has this id.")


class SurveyResponseListView(generics.GenericAPIView[SurveyResponse]):
    serializer_class = SurveyResponseOutput

    @extend_schema(
        operation_id="survey_responses_list",
        parameters=[SurveyResponseQuery],
        responses={200: SurveyResponseOutput(many=True), **problem_responses(400)},
    )
    def get(self, request: Request) -> Response:
        """The responses in the files whose surveys section one may see, newest first."""
        user = api_user(request)
        query = SurveyResponseQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        qs = responses_visible(user=user)
        if "customer" in filters:
            qs = qs.filter(customer_id=filters["customer"])
        if "questionnaire" in filters:
            qs = qs.filter(questionnaire_id=filters["questionnaire"])
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        if "event" in filters:
            # An event one may not open matches nothing, as one that does not exist.
            qs = qs.filter(event_visible(user), event_id=filters["event"])
        return paginate(self, qs, ("-created_at", "-id"), SurveyResponseOutput)

    @extend_schema(
        request=SurveyResponseInput,
        responses={201: SurveyResponseOutput, **problem_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        """Record a customer's answers (or, with `status: sent`, that the questionnaire was
        sent) on a file one may add records to. Errors name the answer as
        `answer_<question id>`."""
        user = api_user(request)
        data = SurveyResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            customer = customer_get(user=user, pk=values.pop("customer"), trace=False)
        except Http404:
            raise serializers.ValidationError({"customer": [_no_customer()]}) from None
        questionnaire = Questionnaire.objects.filter(pk=values.pop("questionnaire")).first()
        if questionnaire is None:
            raise serializers.ValidationError({"questionnaire": [_("No such questionnaire.")]})
        answers = _answers(values.pop("answers", []))
        if values.pop("status", ResponseStatus.ANSWERED) == ResponseStatus.SENT:
            values.pop("answered_at", None)
            saved = survey_send(
                actor=user, customer=customer, questionnaire=questionnaire, fields=values
            )
        else:
            saved = survey_response_record(
                actor=user,
                customer=customer,
                questionnaire=questionnaire,
                answers=answers,
                fields=values,
            )
        return Response(
            SurveyResponseOutput(response_get(user=user, pk=saved.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class SurveyResponseDetailView(generics.GenericAPIView[SurveyResponse]):
    serializer_class = SurveyResponseOutput

    @extend_schema(responses={200: SurveyResponseOutput, **problem_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        found = response_get(user=user, pk=pk)
        # The look at the file's surveys is recorded like any section's.
        customer_get(user=user, pk=found.customer_id, section=Section.SURVEYS, use="survey")
        return Response(SurveyResponseOutput(found).data)


class SurveyAnswersView(generics.GenericAPIView[SurveyResponse]):
    serializer_class = SurveyAnswersInput

    @extend_schema(
        request=SurveyAnswersInput,
        responses={200: SurveyResponseOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record the answers to a questionnaire sent earlier (to the version sent)."""
        user = api_user(request)
        found = response_get(user=user, pk=pk)
        data = SurveyAnswersInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        answers = _answers(values.pop("answers", []))
        survey_response_answer(actor=user, response=found, answers=answers, fields=values)
        return Response(SurveyResponseOutput(response_get(user=user, pk=pk)).data)


# --- an event's attendees -----------------------------------------------------------------------


class EventSurveySendView(generics.GenericAPIView[SurveyResponse]):
    serializer_class = AttendeeSendOutput

    @extend_schema(
        operation_id="events_surveys_send",
        request=AttendeeSendInput,
        responses={200: AttendeeSendOutput, **problem_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a questionnaire to the event's attendees (invitations `attended`) who have
        none of it for this event yet: one `sent` response each, in one transaction.
        Refused before the event begins; an event one does not see is 404, one whose
        attendees one may not survey 403."""
        user = api_user(request)
        event = event_get(user=user, pk=pk)
        if not CustomerEvent.objects.filter(event_survey_send_scope(user), pk=event.pk).exists():
            raise ApiPermissionDenied
        data = AttendeeSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        questionnaire = Questionnaire.objects.filter(pk=values.pop("questionnaire")).first()
        if questionnaire is None:
            raise serializers.ValidationError({"questionnaire": [_("No such questionnaire.")]})
        try:
            counts = survey_send_to_attendees(
                actor=user, event=event, questionnaire=questionnaire, fields=values
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return Response(AttendeeSendOutput(counts).data)


# --- scores --------------------------------------------------------------------------------------


class SurveyScoresView(generics.GenericAPIView[SurveyResponse]):
    serializer_class = ScoresOutput

    @extend_schema(
        operation_id="survey_scores",
        parameters=[ScoreQuery],
        responses={200: ScoresOutput, **problem_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        """CSAT (share of 4–5 and mean on 1–5) or NPS (promoters 9–10 minus detractors 0–6,
        in percent of the answers on 0–10) per month or quarter, newest first, with the
        trend in points against the previous period; for the whole scope, per department or
        per customer. The scope is one's files through the role (no grants)."""
        user = _surveys_user(request)
        query = ScoreQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        filters = ScoreFilters(
            kind=q.get("kind", Kind.CSAT),
            period=q.get("period", Period.MONTH),
            department=q.get("department"),
            customer=q.get("customer"),
            questionnaire=q.get("questionnaire"),
            event=q.get("event"),
            since=q.get("since"),
        )
        by = q.get("by", "all")
        series = score_series(user=user, filters=filters, by=by)
        body = {
            "kind": filters.kind,
            "period": filters.period,
            "by": by,
            "series": [
                {
                    "key": s.key,
                    "name": s.label,
                    "rows": [
                        {"period": r.period, "score": _score(r.score), "trend": r.trend}
                        for r in s.rows
                    ],
                }
                for s in series
            ],
        }
        return Response(ScoresOutput(body).data)


def _score(score: Any) -> dict[str, Any]:
    return {
        "answers": score.answers,
        "value": score.value,
        "mean": score.mean,
        "csat": score.csat,
        "satisfied": score.satisfied,
        "nps": score.nps,
        "promoters": score.promoters,
        "passives": score.passives,
        "detractors": score.detractors,
    }


urlpatterns: list[URLPattern] = [
    path("questionnaires/", QuestionnaireListView.as_view(), name="questionnaires"),
    path("questionnaires/<id:pk>/", QuestionnaireDetailView.as_view(), name="questionnaire-detail"),
    path(
        "questionnaires/<id:pk>/questions/",
        QuestionListView.as_view(),
        name="questionnaire-questions",
    ),
    path(
        "questionnaires/<id:pk>/questions/<id:question_pk>/",
        QuestionDetailView.as_view(),
        name="questionnaire-question-detail",
    ),
    path("survey-responses/", SurveyResponseListView.as_view(), name="survey-responses"),
    path(
        "survey-responses/<id:pk>/",
        SurveyResponseDetailView.as_view(),
        name="survey-response-detail",
    ),
    path(
        "survey-responses/<id:pk>/answers/",
        SurveyAnswersView.as_view(),
        name="survey-response-answers",
    ),
    path("survey-scores/", SurveyScoresView.as_view(), name="survey-scores"),
    path("events/<id:pk>/surveys/send/", EventSurveySendView.as_view(), name="event-surveys-send"),
]
