"""The survey pages and the file's surveys section, as their users see them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.surveys.models import Questionnaire, SurveyResponse
from credfile.surveys.services import current_version, survey_send
from tests.factories import CustomerFactory
from tests.surveys.helpers import answer, at, questionnaire

pytestmark = pytest.mark.django_db


def _file(personas: Any, manager: Any = None) -> Any:
    return CustomerFactory(
        department=personas.sales, account_manager=manager or personas.account_manager
    )


def _answers(q: Questionnaire, score: Any, comment: str = "") -> dict[str, Any]:
    first, second = current_version(q).questions.order_by("position")
    return {"channel": "phone", f"answer_{first.pk}": score, f"answer_{second.pk}": comment}


def test_a_response_recorded_from_the_file_shows_in_its_section_with_the_score(
    personas, client_for
) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    answer(personas.account_manager, customer, q, 2, when=at(2026, 1))
    client = client_for(personas.account_manager, "zh-hans")
    section = client.get(reverse("customers:section", args=[customer.pk, "surveys"]))
    record = reverse("customer-surveys:record", args=[customer.pk, q.pk])
    assert record in section.content.decode()
    form = client.get(record)
    assert form.status_code == 200 and "您对本次服务满意吗？" in form.content.decode()
    done = client.post(record, _answers(q, "5", "送货及时"))
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "送货及时" in page
    # 5 and 2: one of two satisfied, mean 3.50.
    assert 'data-value="50.0"' in page and "50.0%" in page and "平均 3.50" in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Give a whole number from 1 to 5."),
        ("zh-hans", "请填写 1 到 5 之间的整数。"),
    ],
)
def test_an_answer_off_the_scale_is_shown_on_its_field(
    personas, client_for, language: str, message: str
) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    client = client_for(personas.account_manager, language)
    url = reverse("customer-surveys:record", args=[customer.pk, q.pk])
    page = client.post(url, _answers(q, "9"))
    assert page.status_code == 422
    first = current_version(q).questions.get(position=1)
    assert f'id="answer_{first.pk}_error">{message}</div>' in page.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This question needs an answer."), ("zh-hans", "此题必须作答。")],
)
def test_a_missing_required_answer_is_shown_on_its_field(
    personas, client_for, language: str, message: str
) -> None:
    q = questionnaire(personas.department_head)
    client = client_for(personas.account_manager, language)
    customer = _file(personas)
    page = client.post(
        reverse("surveys:respond", args=[q.pk]), {"customer": customer.code, **_answers(q, "")}
    )
    assert page.status_code == 422 and message in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_recording_from_the_surveys_page_names_the_file_by_its_code(personas, client_for) -> None:
    q = questionnaire(personas.department_head, kind="nps")
    mine = _file(personas)
    colleagues = _file(personas, personas.colleague)
    client = client_for(personas.account_manager)
    url = reverse("surveys:respond", args=[q.pk])
    unknown = client.post(url, {"customer": "C99999999", **_answers(q, "9")})
    assert "No customer you may see has this code." in unknown.content.decode()
    refused = client.post(url, {"customer": colleagues.code, **_answers(q, "9")})
    assert refused.status_code == 422
    assert "You may not change this credit file." in refused.content.decode()
    done = client.post(url, {"customer": mine.code.lower(), **_answers(q, "9")})
    assert done.status_code == 302
    assert SurveyResponse.objects.get().customer == mine


def test_a_questionnaire_with_no_questions_is_not_sent_from_the_page(personas, client_for) -> None:
    from credfile.surveys.services import questionnaire_create

    empty = questionnaire_create(
        actor=personas.department_head, fields={"name": "空问卷", "kind": "csat"}
    )
    customer = _file(personas)
    client = client_for(personas.account_manager, "zh-hans")
    url = reverse("customer-surveys:record", args=[customer.pk, empty.pk])
    page = client.post(url, {"channel": "email", "send": "1"})
    assert page.status_code == 422
    assert "“空问卷”还没有题目：请先添加题目再发送。" in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_sent_questionnaire_is_answered_from_the_section(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    client = client_for(personas.account_manager)
    sent = client.post(
        reverse("customer-surveys:record", args=[customer.pk, q.pk]),
        {"channel": "email", "send": "1"},
    )
    assert sent.status_code == 302
    response = SurveyResponse.objects.get()
    assert response.status == "sent"
    section = client.get(reverse("customers:section", args=[customer.pk, "surveys"]))
    url = reverse("customer-surveys:answer", args=[customer.pk, response.pk])
    assert url in section.content.decode()
    first = current_version(q).questions.get(position=1)
    assert client.post(url, {f"answer_{first.pk}": "4"}).status_code == 302
    response.refresh_from_db()
    assert response.status == "answered" and response.answers.get().score == 4
    assert client.get(url).status_code == 404  # answered: no second time


def test_editing_an_answered_questionnaire_on_the_page_makes_a_new_version(
    personas, client_for
) -> None:
    q = questionnaire(personas.department_head)
    answer(personas.account_manager, _file(personas), q, 4)
    client = client_for(personas.department_head, "zh-hans")
    url = reverse("surveys:questionnaire", args=[q.pk])
    page = client.get(url).content.decode()
    assert 'id="version-note"' in page
    data = {
        "name": q.name,
        "kind": "csat",
        "description": "",
        "is_active": "on",
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "2",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "30",
        "q-0-text": "您对交货满意吗？",
        "q-0-kind": "score",
        "q-0-required": "on",
        "q-1-text": "意见和建议",
        "q-1-kind": "text",
        "q-2-text": "",
        "q-2-kind": "score",
    }
    saved = client.post(url, data)
    assert saved.status_code == 302
    assert current_version(q).number == 2
    after = client.get(url).content.decode()
    assert "已保存为第 2 版" in after and "v1" in after
    # A blank question between two is refused, with nothing saved.
    data |= {"q-1-text": "", "q-2-text": "再次合作的可能", "q-2-required": "on"}
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "第 2 题：请填写题目内容。" in refused.content.decode()
    assert current_version(q).number == 2


def test_only_those_who_keep_questionnaires_see_the_editor(personas, client_for) -> None:
    q = questionnaire(personas.credit_manager)
    url = reverse("surveys:questionnaire", args=[q.pk])
    reader = client_for(personas.account_manager)
    page = reader.get(url)
    assert page.status_code == 200 and 'id="questionnaire-form"' not in page.content.decode()
    assert reader.post(url, {"name": "x", "kind": "csat"}).status_code == 404
    assert reader.get(reverse("surveys:new")).status_code == 404
    assert (
        'id="questionnaire-form"' in client_for(personas.department_head).get(url).content.decode()
    )
    assert client_for(personas.admin).get(reverse("surveys:list")).status_code == 404


def test_the_scores_page_shows_the_periods_with_their_trend(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    today = timezone.localdate()
    this_month = timezone.make_aware(datetime.datetime(today.year, today.month, 1, 9, 0))
    last_month = this_month - datetime.timedelta(days=3)
    for score, when in ((5, last_month), (1, last_month), (5, this_month), (4, this_month)):
        answer(personas.account_manager, customer, q, score, when=when)
    page = client_for(personas.department_head, "zh-hans").get(reverse("surveys:scores"))
    text = page.content.decode()
    assert page.status_code == 200
    # This month 2 of 2 satisfied (100.0 %), last month 1 of 2 (50.0 %): +50.0.
    assert "100.0%" in text and "50.0%" in text and "+50.0" in text
    assert "销售一部" in text
    nps = client_for(personas.department_head).get(reverse("surveys:scores"), {"kind": "nps"})
    assert "No answers in the last 12 months." in nps.content.decode()


def test_a_grant_naming_the_section_shows_the_answers_read_only(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    answer(personas.account_manager, customer, q, 5, comment="很满意")
    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=["surveys"],
        purpose="核对服务质量",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)
    client = client_for(personas.outsider)
    section = client.get(reverse("customers:section", args=[customer.pk, "surveys"]))
    assert section.status_code == 200 and "很满意" in section.content.decode()
    assert AuditEvent.objects.filter(action="grant_use", customer_id=customer.pk).exists()
    record = reverse("customer-surveys:record", args=[customer.pk, q.pk])
    assert record not in section.content.decode()
    assert client.get(record).status_code == 404
    # The outsider's scores count their own department's files only, never the lent one.
    scores = client.get(reverse("surveys:scores")).content.decode()
    assert "100.0%" not in scores


def test_the_sent_questionnaire_is_listed_as_waiting(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    survey_send(actor=personas.account_manager, customer=customer, questionnaire=q)
    page = client_for(personas.colleague).get(
        reverse("customers:section", args=[customer.pk, "surveys"])
    )
    text = page.content.decode()
    assert "Sent, awaiting answers" in text
    # The colleague may read the file but not record on it.
    assert "/answer/" not in text
