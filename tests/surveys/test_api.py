"""The surveys API: questionnaires and questions, responses, scores; its permissions and its
errors, in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from credfile.surveys.models import Questionnaire, SurveyResponse
from credfile.surveys.services import current_version
from tests.factories import CustomerFactory
from tests.surveys.helpers import answer, at, questionnaire

pytestmark = pytest.mark.django_db


def _api(user: Any, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _file(personas: Any, manager: Any = None) -> Any:
    return CustomerFactory(
        department=personas.sales, account_manager=manager or personas.account_manager
    )


def test_questionnaires_and_questions_through_the_api(personas) -> None:
    head = _api(personas.department_head)
    made = head.post(
        "/api/v1/questionnaires/",
        {
            "name": "年度推荐度",
            "kind": "nps",
            "questions": [{"text": "您会推荐我们吗？", "kind": "score"}],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["version"] == 1 and body["questions"][0]["text"] == "您会推荐我们吗？"
    pk = body["id"]
    added = head.post(
        f"/api/v1/questionnaires/{pk}/questions/",
        {"text": "原因", "kind": "text", "required": False},
        format="json",
    )
    assert added.status_code == 201 and added.json()["position"] == 2
    q = current_version(Questionnaire.objects.get(pk=pk))
    answer(personas.account_manager, _file(personas), q.questionnaire, 9)
    first = q.questions.get(position=1)
    edited = head.patch(
        f"/api/v1/questionnaires/{pk}/questions/{first.pk}/",
        {"text": "您会向同行推荐我们吗？"},
        format="json",
    )
    assert edited.status_code == 200
    assert edited.json()["version"] == 2 and edited.json()["id"] != first.pk
    listed = head.get(f"/api/v1/questionnaires/{pk}/questions/").json()
    assert [x["text"] for x in listed] == ["您会向同行推荐我们吗？", "原因"]
    stale = head.patch(
        f"/api/v1/questionnaires/{pk}/questions/{first.pk}/", {"text": "x"}, format="json"
    )
    assert stale.status_code == 400 and "question" in stale.json()["errors"]
    refused = _api(personas.account_manager).post(
        "/api/v1/questionnaires/", {"name": "x", "kind": "csat"}, format="json"
    )
    assert refused.status_code == 403
    assert _api(personas.admin).get("/api/v1/questionnaires/").status_code == 404


def test_responses_are_recorded_and_read_through_the_api(personas) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    first, second = current_version(q).questions.order_by("position")
    client = _api(personas.account_manager)
    made = client.post(
        "/api/v1/survey-responses/",
        {
            "customer": customer.pk,
            "questionnaire": q.pk,
            "channel": "wechat",
            "answered_at": "2026-03-02T10:00:00+08:00",
            "answers": [
                {"question": first.pk, "score": 4},
                {"question": second.pk, "text": "服务周到"},
            ],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "answered" and body["kind"] == "csat" and body["version"] == 1
    assert [a["score"] for a in body["answers"]] == [4, None]
    detail = _api(personas.colleague).get(f"/api/v1/survey-responses/{body['id']}/")
    assert detail.status_code == 200
    assert _api(personas.outsider).get(f"/api/v1/survey-responses/{body['id']}/").status_code == 404
    listed = _api(personas.colleague).get("/api/v1/survey-responses/", {"customer": customer.pk})
    assert [r["id"] for r in listed.json()["results"]] == [body["id"]]
    assert _api(personas.outsider).get("/api/v1/survey-responses/").json()["results"] == []


@pytest.mark.parametrize(
    ("language", "scale", "missing"),
    [
        ("en", "Give a whole number from 0 to 10.", "This question needs an answer."),
        ("zh-hans", "请填写 0 到 10 之间的整数。", "此题必须作答。"),
    ],
)
def test_bad_answers_are_field_errors_in_both_languages(
    personas, language: str, scale: str, missing: str
) -> None:
    q = questionnaire(personas.department_head, kind="nps")
    first = current_version(q).questions.get(position=1)
    client = _api(personas.account_manager, language)
    customer = _file(personas)
    off = client.post(
        "/api/v1/survey-responses/",
        {
            "customer": customer.pk,
            "questionnaire": q.pk,
            "answers": [{"question": first.pk, "score": 11}],
        },
        format="json",
    )
    assert off.status_code == 400
    assert off["Content-Type"].startswith("application/problem+json")
    assert off.json()["errors"] == {f"answer_{first.pk}": [scale]}
    none = client.post(
        "/api/v1/survey-responses/",
        {"customer": customer.pk, "questionnaire": q.pk, "answers": []},
        format="json",
    )
    assert none.json()["errors"] == {f"answer_{first.pk}": [missing]}
    assert not SurveyResponse.objects.exists()


def test_sending_then_answering_through_the_api(personas) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    client = _api(personas.account_manager)
    sent = client.post(
        "/api/v1/survey-responses/",
        {"customer": customer.pk, "questionnaire": q.pk, "status": "sent", "channel": "email"},
        format="json",
    )
    assert sent.status_code == 201 and sent.json()["status"] == "sent"
    first = current_version(q).questions.get(position=1)
    done = client.post(
        f"/api/v1/survey-responses/{sent.json()['id']}/answers/",
        {"answers": [{"question": first.pk, "score": 5}]},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "answered"


def test_who_may_record_through_the_api(personas) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    first = current_version(q).questions.get(position=1)
    body = {
        "customer": customer.pk,
        "questionnaire": q.pk,
        "answers": [{"question": first.pk, "score": 5}],
    }
    # A file one views but may not change: 403; one outside one's view: 400 on customer.
    assert (
        _api(personas.colleague).post("/api/v1/survey-responses/", body, format="json").status_code
        == 403
    )
    assert (
        _api(personas.credit_manager)
        .post("/api/v1/survey-responses/", body, format="json")
        .status_code
        == 403
    )
    outside = _api(personas.outsider).post("/api/v1/survey-responses/", body, format="json")
    assert outside.status_code == 400 and "customer" in outside.json()["errors"]
    assert not SurveyResponse.objects.exists()


def test_the_scores_endpoint_gives_exact_figures_per_period_and_department(personas) -> None:
    q = questionnaire(personas.department_head, kind="nps")
    a = _file(personas)
    c = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    for score, month in ((10, 1), (6, 1), (9, 2), (9, 2), (8, 2)):
        answer(personas.account_manager, a, q, score, when=at(2026, month))
    answer(personas.outsider, c, q, 0, when=at(2026, 2))
    body = (
        _api(personas.executive)
        .get("/api/v1/survey-scores/", {"kind": "nps", "period": "month", "by": "department"})
        .json()
    )
    series = {s["name"]: s["rows"] for s in body["series"]}
    feb, jan = series["销售一部"]
    assert jan["score"]["nps"] == 0.0 and jan["trend"] is None
    assert feb["period"] == "2026-02-01" and feb["score"]["nps"] == 66.7  # (2 - 0) / 3
    assert feb["trend"] == 66.7
    assert series["外贸部"][0]["score"]["nps"] == -100.0
    mine = (
        _api(personas.account_manager)
        .get("/api/v1/survey-scores/", {"kind": "nps", "period": "quarter"})
        .json()
    )
    (row,) = mine["series"][0]["rows"]
    assert row["score"]["answers"] == 5 and row["score"]["nps"] == 40.0  # (3 - 1) / 5
    assert _api(personas.admin).get("/api/v1/survey-scores/").status_code == 404
    assert _api(personas.executive).get("/api/v1/survey-scores/", {"kind": "x"}).status_code == 400


def test_the_schema_describes_the_survey_endpoints(personas) -> None:
    schema = _api(personas.executive).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/questionnaires/",
        "/api/v1/questionnaires/{id}/questions/{question_pk}/",
        "/api/v1/survey-responses/",
        "/api/v1/survey-responses/{id}/answers/",
        "/api/v1/survey-scores/",
    ):
        assert f"{path}:" in schema, path
