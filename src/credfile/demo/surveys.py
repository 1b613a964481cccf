"""Demo satisfaction surveys: a CSAT and an NPS questionnaire, and answers for about a fifth
of the demo files just loaded, spread over the last twelve months — written in bulk."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from credfile.accounts.choices import Role
from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.customers.models import Customer
from credfile.surveys.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyResponse,
)

QUESTIONNAIRES = (
    (
        "客户满意度回访",
        "csat",
        "服务或交付完成后的电话回访。",
        (
            ("您对本次服务总体是否满意？", "score", True),
            ("您对交货及时性是否满意？", "score", True),
            ("其他意见和建议", "text", False),
        ),
    ),
    (
        "年度推荐度调查",
        "nps",
        "每年一次，请客户评价向同行推荐我们的可能性。",
        (("您有多大可能向同行推荐我们？", "score", True), ("主要原因是什么？", "text", False)),
    ),
)
# Satisfied customers are the many; a few are not.
CSAT_WEIGHTS = (1, 2, 6, 18, 23)  # 1 … 5
NPS_WEIGHTS = (1, 1, 1, 1, 2, 3, 4, 8, 12, 11, 9)  # 0 … 10
COMMENTS = ("送货及时，服务周到", "发票开具较慢", "希望账期更灵活", "客户经理响应快", "")


def _questionnaires(author: User) -> list[tuple[Questionnaire, list[Question]]]:
    made = []
    for name, kind, description, questions in QUESTIONNAIRES:
        questionnaire, created = Questionnaire.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description, "created_by": author}
        )
        version = questionnaire.versions.order_by("-number").first()
        if created or version is None:
            version = QuestionnaireVersion.objects.create(
                questionnaire=questionnaire, number=1, created_by=author
            )
            Question.objects.bulk_create(
                Question(version=version, position=i, text=t, kind=k, required=r)
                for i, (t, k, r) in enumerate(questions, start=1)
            )
        made.append((questionnaire, list(version.questions.order_by("position"))))
    return made


@transaction.atomic
def load_demo_surveys(*, seed: int, codes: list[str]) -> int:
    """Responses for some of the files among `codes` that have none yet; returns how many."""
    author = (
        User.objects.filter(role=Role.DEPARTMENT_HEAD, is_active=True).order_by("pk").first()
        or User.objects.filter(role=Role.CREDIT_MANAGER, is_active=True).order_by("pk").first()
    )
    if author is None:
        return 0
    rng = random.Random(seed * 104729 + 17)
    files = list(
        Customer.objects.filter(code__in=codes, survey_responses__isnull=True)
        .order_by("code")
        .only("pk", "account_manager_id")
    )
    chosen = [c for c in files if c.account_manager_id and rng.random() < 0.2]
    if not chosen:
        return 0
    now = timezone.now()
    responses: list[SurveyResponse] = []
    scores: list[list[tuple[Question, int | None, str]]] = []
    for customer in chosen:
        for questionnaire, questions in _questionnaires(author):
            for _ in range(rng.randint(1, 3)):
                answered = now - datetime.timedelta(
                    days=rng.randint(0, 360), hours=rng.randint(0, 8)
                )
                responses.append(
                    SurveyResponse(
                        customer=customer,
                        questionnaire=questionnaire,
                        version_id=questions[0].version_id,
                        status="answered",
                        channel=rng.choice(["phone", "phone", "email", "wechat", "visit"]),
                        sent_at=answered - datetime.timedelta(days=rng.randint(1, 5)),
                        answered_at=answered,
                        recorded_by_id=customer.account_manager_id,
                    )
                )
                weights = CSAT_WEIGHTS if questionnaire.kind == "csat" else NPS_WEIGHTS
                low = 1 if questionnaire.kind == "csat" else 0
                answers: list[tuple[Question, int | None, str]] = []
                for question in questions:
                    if question.kind == "score":
                        value = rng.choices(range(low, low + len(weights)), weights)[0]
                        answers.append((question, value, ""))
                    elif comment := rng.choice(COMMENTS):
                        answers.append((question, None, comment))
                scores.append(answers)
    SurveyResponse.objects.bulk_create(responses, batch_size=500)
    answers_made = SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(response=response, question=q, score=score, text=text)
            for response, answers in zip(responses, scores, strict=True)
            for q, score, text in answers
        ],
        batch_size=1000,
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=responses[0],
        # Rows per model, named as the trail names types, so it reads them in either language.
        after={
            "demo": True,
            "seed": seed,
            "rows": {
                SurveyResponse._meta.label_lower: len(responses),
                SurveyAnswer._meta.label_lower: len(answers_made),
            },
        },
    )
    return len(responses)
