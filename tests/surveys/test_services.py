"""Questionnaires in versions, sending and answering, bad input, the scores per customer,
department and period, and the timeline selector."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.surveys.models import Question, SurveyAnswer, SurveyResponse
from credfile.surveys.selectors import (
    ScoreFilters,
    customer_scores,
    score_series,
    score_total,
    survey_responses_for_timeline,
)
from credfile.surveys.services import (
    current_version,
    question_add,
    question_delete,
    question_update,
    questionnaire_create,
    questionnaire_update,
    questions_set,
    survey_response_answer,
    survey_response_record,
    survey_send,
)
from tests.factories import CustomerFactory
from tests.surveys.helpers import CSAT_QUESTIONS, answer, at, questionnaire

pytestmark = pytest.mark.django_db


def _file(personas: Any, **kwargs: Any) -> Customer:
    return CustomerFactory(
        department=personas.sales, account_manager=personas.account_manager, **kwargs
    )


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- questionnaires and versions -----------------------------------------------------------------


def test_a_questionnaire_starts_at_version_one_with_its_questions(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    version = current_version(q)
    assert version.number == 1
    assert [x.text for x in version.questions.order_by("position")] == [
        "您对本次服务满意吗？",
        "意见和建议",
    ]
    event = AuditEvent.objects.get(object_type="surveys.questionnaire", action="create")
    assert event.after["questions"][0]["text"] == "您对本次服务满意吗？"


def test_editing_an_unanswered_version_changes_it_in_place(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    version = questions_set(
        actor=personas.department_head,
        questionnaire=q,
        questions=[{"text": "总体满意度", "kind": "score"}],
    )
    assert version.number == 1
    assert list(version.questions.values_list("text", flat=True)) == ["总体满意度"]


def test_editing_an_answered_questionnaire_makes_a_new_version_and_keeps_old_answers(
    personas: Any,
) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    old = answer(personas.account_manager, customer, q, 5, comment="很好")
    old_question = old.answers.get(score=5).question
    v2 = questions_set(
        actor=personas.department_head,
        questionnaire=q,
        questions=[
            {"text": "您对交货及时性满意吗？", "kind": "score"},
            {"text": "意见和建议", "kind": "text", "required": False},
        ],
    )
    assert v2.number == 2
    old.refresh_from_db()
    assert old.version.number == 1
    old_question.refresh_from_db()
    assert old_question.text == "您对本次服务满意吗？"  # the answer keeps what it answered
    new = answer(personas.account_manager, customer, q, 4)
    assert new.version_id == v2.pk
    assert new.answers.get().question.text == "您对交货及时性满意吗？"
    # Both versions count in the scores: CSAT 2 of 2 satisfied, mean 4.5.
    scores = customer_scores([customer.pk])[customer.pk]["csat"]
    assert (scores.answers, scores.csat, scores.mean) == (2, Decimal("100.0"), Decimal("4.50"))


def test_a_question_edited_through_its_own_route_follows_the_versions(personas: Any) -> None:
    q = questionnaire(personas.credit_manager)
    first = current_version(q).questions.get(position=1)
    edited = question_update(
        actor=personas.credit_manager, question=first, fields={"text": "满意吗"}
    )
    assert edited.pk != first.pk or edited.text == "满意吗"
    answer(personas.account_manager, _file(personas), q, 3)
    stale = Question.objects.get(pk=edited.pk)
    moved = question_update(
        actor=personas.credit_manager, question=stale, fields={"text": "还满意吗"}
    )
    assert moved.version.number == 2 and moved.pk != stale.pk
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        question_update(actor=personas.credit_manager, question=stale, fields={"text": "x"})
    assert "version 1" in _errors(exc)["question"][0]
    added = question_add(
        actor=personas.credit_manager,
        questionnaire=q,
        fields={"text": "会再次合作吗", "kind": "score"},
    )
    assert added.version.number == 2 and added.position == 3
    version = question_delete(actor=personas.credit_manager, question=added)
    assert version.questions.count() == 2


def test_unchanged_questions_make_no_version_and_no_event(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    answer(personas.account_manager, _file(personas), q, 4)
    before = AuditEvent.objects.count()
    version = questions_set(
        actor=personas.department_head, questionnaire=q, questions=CSAT_QUESTIONS
    )
    assert version.number == 1
    assert AuditEvent.objects.count() == before


def test_only_department_heads_and_credit_managers_keep_questionnaires(personas: Any) -> None:
    for user in (personas.account_manager, personas.executive, personas.auditor, personas.admin):
        with pytest.raises(PermissionDenied):
            questionnaire(user)
    q = questionnaire(personas.credit_manager)
    with pytest.raises(PermissionDenied):
        questions_set(actor=personas.account_manager, questionnaire=q, questions=[])


def test_the_kind_of_an_answered_questionnaire_cannot_change(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    questionnaire_update(actor=personas.department_head, questionnaire=q, fields={"kind": "nps"})
    questionnaire_update(actor=personas.department_head, questionnaire=q, fields={"kind": "csat"})
    answer(personas.account_manager, _file(personas), q, 4)
    with pytest.raises(ValidationError) as exc:
        questionnaire_update(
            actor=personas.department_head, questionnaire=q, fields={"kind": "nps"}
        )
    assert "kind" in _errors(exc)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Question 1: give the question's text."), ("zh-hans", "第 1 题：请填写题目内容。")],
)
def test_a_question_without_text_is_refused_in_both_languages(
    personas: Any, language: str, message: str
) -> None:
    with translation.override(language), pytest.raises(ValidationError) as exc:
        questionnaire_create(
            actor=personas.department_head,
            fields={"name": "空题", "kind": "csat"},
            questions=[{"text": "  ", "kind": "score"}],
        )
    assert _errors(exc)["questions"] == [message]
    assert not Question.objects.exists()


# --- sending and answering -----------------------------------------------------------------------


def test_a_response_is_recorded_on_the_file_with_its_audit_event(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    version = customer.version
    response = answer(personas.account_manager, customer, q, 5, when=at(2026, 3, 2), comment="及时")
    assert response.status == "answered"
    assert [(a.score, a.text) for a in response.answers.all()] == [(5, ""), (None, "及时")]
    customer.refresh_from_db()
    assert customer.version == version + 1
    event = AuditEvent.objects.get(object_type="surveys.surveyresponse")
    assert event.customer_id == customer.pk
    assert [a["score"] for a in event.after["answers"]] == [5, None]


def test_a_sent_questionnaire_is_answered_on_the_version_that_was_sent(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    sent = survey_send(
        actor=personas.account_manager,
        customer=customer,
        questionnaire=q,
        fields={"channel": "email", "sent_at": at(2026, 3, 1)},
    )
    assert sent.status == "sent" and sent.answered_at is None
    questions_set(
        actor=personas.department_head,
        questionnaire=q,
        questions=[{"text": "新题", "kind": "score"}],
    )
    assert current_version(q).number == 2  # a sent version is kept as it was sent
    first = sent.version.questions.get(position=1)
    done = survey_response_answer(
        actor=personas.account_manager,
        response=sent,
        answers={first.pk: "4"},
        fields={"answered_at": at(2026, 3, 5)},
    )
    assert done.status == "answered" and done.version.number == 1
    assert done.answers.get().score == 4
    with pytest.raises(ValidationError):
        survey_response_answer(actor=personas.account_manager, response=done, answers={first.pk: 4})


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Give a whole number from 1 to 5."),
        ("zh-hans", "请填写 1 到 5 之间的整数。"),
    ],
)
def test_an_answer_off_the_scale_is_refused_on_its_field_and_nothing_is_saved(
    personas: Any, language: str, expected: str
) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    events = AuditEvent.objects.count()
    score_question = current_version(q).questions.get(position=1)
    for bad in (6, 0, "4.5", "很好", True):
        with translation.override(language), pytest.raises(ValidationError) as exc:
            survey_response_record(
                actor=personas.account_manager,
                customer=customer,
                questionnaire=q,
                answers={score_question.pk: bad},
            )
        assert _errors(exc) == {f"answer_{score_question.pk}": [expected]}
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert AuditEvent.objects.count() == events


def test_nps_takes_zero_to_ten(personas: Any) -> None:
    q = questionnaire(personas.department_head, kind="nps")
    customer = _file(personas)
    assert answer(personas.account_manager, customer, q, 0).answers.get().score == 0
    assert answer(personas.account_manager, customer, q, 10).answers.get().score == 10
    with pytest.raises(ValidationError):
        answer(personas.account_manager, customer, q, 11)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This question needs an answer."), ("zh-hans", "此题必须作答。")],
)
def test_a_missing_required_answer_is_refused(personas: Any, language: str, expected: str) -> None:
    q = questionnaire(personas.department_head)
    comment = current_version(q).questions.get(position=2)
    required = current_version(q).questions.get(position=1)
    with translation.override(language), pytest.raises(ValidationError) as exc:
        survey_response_record(
            actor=personas.account_manager,
            customer=_file(personas),
            questionnaire=q,
            answers={comment.pk: "无", required.pk: ""},
        )
    assert _errors(exc) == {f"answer_{required.pk}": [expected]}
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "“空问卷” has no questions yet: add its questions before sending it."),
        ("zh-hans", "“空问卷”还没有题目：请先添加题目再发送。"),
    ],
)
def test_a_questionnaire_with_no_questions_is_not_sent(
    personas: Any, language: str, expected: str
) -> None:
    empty = questionnaire_create(
        actor=personas.department_head, fields={"name": "空问卷", "kind": "nps"}
    )
    customer = _file(personas)
    for call in (
        lambda: survey_send(actor=personas.account_manager, customer=customer, questionnaire=empty),
        lambda: survey_response_record(
            actor=personas.account_manager, customer=customer, questionnaire=empty, answers={}
        ),
    ):
        with translation.override(language), pytest.raises(ValidationError) as exc:
            call()
        assert _errors(exc) == {"questionnaire": [expected]}
    assert not SurveyResponse.objects.exists()


def test_unknown_questions_and_future_times_are_refused(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    other = questionnaire(personas.department_head, name="另一份")
    foreign = current_version(other).questions.get(position=1)
    with pytest.raises(ValidationError) as exc:
        survey_response_record(
            actor=personas.account_manager,
            customer=_file(personas),
            questionnaire=q,
            answers={foreign.pk: 5, "x": 1},
            fields={"answered_at": timezone.now() + datetime.timedelta(days=2)},
        )
    errors = _errors(exc)
    assert set(errors) >= {"answers", "answered_at"}


def test_only_whoever_may_add_records_to_the_file_records_a_response(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    for user in (
        personas.colleague,
        personas.outsider,
        personas.credit_manager,
        personas.executive,
        personas.auditor,
        personas.admin,
    ):
        with pytest.raises(PermissionDenied):
            answer(user, customer, q, 5)
    answer(personas.department_head, customer, q, 5)
    assert SurveyResponse.objects.count() == 1


# --- scores --------------------------------------------------------------------------------------


def _scored(personas: Any) -> tuple[Customer, Customer, Customer]:
    csat = questionnaire(personas.department_head)
    nps = questionnaire(personas.department_head, kind="nps", name="推荐度")
    a = _file(personas)
    b = CustomerFactory(department=personas.sales, account_manager=personas.colleague)
    c = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    # January: a 5, 4, b 2 → 2 of 3 satisfied; February: a 3, b 5 → 1 of 2.
    for customer, score, month, user in (
        (a, 5, 1, personas.account_manager),
        (a, 4, 1, personas.account_manager),
        (b, 2, 1, personas.colleague),
        (a, 3, 2, personas.account_manager),
        (b, 5, 2, personas.colleague),
    ):
        answer(user, customer, csat, score, when=at(2026, month))
    # The other department: January 1 (all unsatisfied), and NPS answers.
    answer(personas.outsider, c, csat, 1, when=at(2026, 1))
    for customer, score, user in (
        (a, 10, personas.account_manager),
        (a, 9, personas.account_manager),
        (b, 7, personas.colleague),
        (c, 3, personas.outsider),
    ):
        answer(user, customer, nps, score, when=at(2026, 2))
    return a, b, c


def test_scores_per_customer(personas: Any) -> None:
    a, b, c = _scored(personas)
    scores = customer_scores([a.pk, b.pk, c.pk])
    assert scores[a.pk]["csat"].csat == Decimal("66.7")  # 5, 4, 3
    assert scores[a.pk]["csat"].mean == Decimal("4.00")
    assert scores[a.pk]["nps"].nps == Decimal("100.0")
    assert scores[b.pk]["csat"].csat == Decimal("50.0") and scores[b.pk]["csat"].mean == Decimal(
        "3.50"
    )
    assert scores[b.pk]["nps"].nps == Decimal("0.0")
    assert scores[c.pk]["nps"].nps == Decimal("-100.0")


def test_scores_per_month_with_trend(personas: Any) -> None:
    _scored(personas)
    series = score_series(
        user=personas.department_head, filters=ScoreFilters(kind="csat", period="month")
    )
    rows = series[0].rows
    assert [r.period for r in rows] == [datetime.date(2026, 2, 1), datetime.date(2026, 1, 1)]
    assert [r.score.csat for r in rows] == [Decimal("50.0"), Decimal("66.7")]
    assert [r.score.mean for r in rows] == [Decimal("4.00"), Decimal("3.67")]
    assert rows[0].trend == Decimal("-16.7") and rows[1].trend is None


def test_scores_per_quarter_and_department_for_a_company_wide_role(personas: Any) -> None:
    _scored(personas)
    filters = ScoreFilters(kind="csat", period="quarter")
    overall = score_series(user=personas.credit_manager, filters=filters)
    (quarter,) = overall[0].rows
    assert quarter.period == datetime.date(2026, 1, 1)
    assert (quarter.score.answers, quarter.score.csat) == (6, Decimal("50.0"))  # 3 of 6
    by_department = {
        s.label: s.rows[0].score.csat
        for s in score_series(user=personas.credit_manager, filters=filters, by="department")
    }
    assert by_department == {"销售一部": Decimal("60.0"), "外贸部": Decimal("0.0")}
    nps = score_total(user=personas.credit_manager, filters=ScoreFilters(kind="nps"))
    assert (nps.promoters, nps.passives, nps.detractors, nps.nps) == (2, 1, 1, Decimal("25.0"))


def test_a_department_sees_only_its_own_figures(personas: Any) -> None:
    _scored(personas)
    total = score_total(user=personas.account_manager, filters=ScoreFilters(kind="csat"))
    assert (total.answers, total.csat) == (5, Decimal("60.0"))
    outsider = score_total(user=personas.outsider, filters=ScoreFilters(kind="csat"))
    assert (outsider.answers, outsider.csat) == (1, Decimal("0.0"))
    assert score_total(user=personas.admin, filters=ScoreFilters(kind="csat")).answers == 0


# --- the timeline selector -----------------------------------------------------------------------


def test_the_timeline_is_newest_first_with_a_keyset_and_follows_the_scope(personas: Any) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    same_time = at(2026, 3, 1)
    made = [answer(personas.account_manager, customer, q, 4, when=same_time) for _ in range(3)]
    made.append(answer(personas.account_manager, customer, q, 5, when=at(2026, 4, 1)))
    survey_send(actor=personas.account_manager, customer=customer, questionnaire=q)
    page = survey_responses_for_timeline(personas.colleague, customer, limit=2)
    assert [r.pk for r in page] == [made[3].pk, made[2].pk]
    rest = survey_responses_for_timeline(personas.colleague, customer, before=page[-1], limit=50)
    assert [r.pk for r in rest] == [made[1].pk, made[0].pk]
    by_pair = survey_responses_for_timeline(
        personas.colleague, customer, before=(same_time, made[1].pk)
    )
    assert [r.pk for r in by_pair] == [made[0].pk]
    assert survey_responses_for_timeline(personas.outsider, customer) == []
    assert survey_responses_for_timeline(personas.admin, customer) == []


def test_the_list_counts_each_answer_once_whatever_the_versions(personas: Any) -> None:
    from credfile.surveys.selectors import questionnaire_list, usable_questionnaires

    q = questionnaire(personas.department_head)
    empty = questionnaire_create(
        actor=personas.department_head, fields={"name": "空问卷", "kind": "nps"}
    )
    answer(personas.account_manager, _file(personas), q, 5)
    questions_set(actor=personas.department_head, questionnaire=q, questions=[{"text": "新题"}])
    row = questionnaire_list().get(pk=q.pk)
    assert (row.response_count, row.version_number) == (1, 2)
    assert list(usable_questionnaires()) == [q]
    assert empty not in usable_questionnaires()
