"""Questionnaires and responses for the survey tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from credfile.surveys.models import Questionnaire, SurveyResponse
from credfile.surveys.services import (
    current_version,
    questionnaire_create,
    survey_response_record,
)

CSAT_QUESTIONS = [
    {"text": "您对本次服务满意吗？", "kind": "score"},
    {"text": "意见和建议", "kind": "text", "required": False},
]
NPS_QUESTIONS = [
    {"text": "您有多大可能向朋友推荐我们？", "kind": "score"},
    {"text": "原因", "kind": "text", "required": False},
]


def at(year: int, month: int, day: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def questionnaire(actor: Any, kind: str = "csat", name: str = "") -> Questionnaire:
    return questionnaire_create(
        actor=actor,
        fields={"name": name or f"{kind} 问卷", "kind": kind},
        questions=CSAT_QUESTIONS if kind == "csat" else NPS_QUESTIONS,
    )


def answer(
    actor: Any,
    customer: Any,
    q: Questionnaire,
    score: int,
    when: datetime.datetime | None = None,
    comment: str = "",
) -> SurveyResponse:
    questions = list(current_version(q).questions.order_by("position"))
    answers: dict[Any, Any] = {questions[0].pk: score}
    if comment:
        answers[questions[1].pk] = comment
    return survey_response_record(
        actor=actor,
        customer=customer,
        questionnaire=q,
        answers=answers,
        fields={"answered_at": when} if when else {},
    )
