"""Surveys about customer events: a response names an event its customer was invited to,
the event's page shows the figures per questionnaire, a questionnaire goes to those who
came in one go, and the scores break down per event — on pages, in the API, per role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.customers.selectors import customer_get
from credfile.customers.timeline import timeline_page
from credfile.events import services as events
from credfile.events.models import CustomerEvent
from credfile.history.models import FileVersion
from credfile.surveys.models import SurveyAnswer, SurveyResponse
from credfile.surveys.selectors import ScoreFilters, event_survey_figures, score_series
from credfile.surveys.services import (
    current_version,
    survey_response_record,
    survey_send,
    survey_send_to_attendees,
)
from tests.events.conftest import make_event, move_to_past
from tests.factories import CustomerFactory
from tests.surveys.helpers import answer, questionnaire

pytestmark = pytest.mark.django_db


def _file(personas: Any, manager: Any = None, department: Any = None) -> Customer:
    return CustomerFactory(
        department=department or personas.sales,
        account_manager=manager or personas.account_manager,
    )


def _api(user: Any, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _held(personas: Any, guests: list[Customer], came: list[Customer]) -> CustomerEvent:
    """A sales event that began two hours ago: every guest invited, those of `came` attended
    and the others did not come."""
    head = personas.department_head
    event = make_event(head, capacity=max(len(guests), 1))
    if guests:
        events.invitations_create(actor=head, event=event, customers=guests)
    move_to_past(event)
    chosen = [i.pk for i in event.invitations.filter(customer__in=came)]
    if guests:
        events.attendance_record(actor=head, event=event, attended=chosen)
    return event


def _first_question(q: Any) -> Any:
    return current_version(q).questions.order_by("position").first()


# --- the service's validation --------------------------------------------------------------------


def test_an_event_the_customer_was_not_invited_to_is_an_error_on_the_field(personas) -> None:
    q = questionnaire(personas.department_head)
    invited, other = _file(personas), _file(personas)
    event = _held(personas, [invited], [invited])
    before = (SurveyResponse.objects.count(), SurveyAnswer.objects.count())
    audit = AuditEvent.objects.count()
    question = _first_question(q)
    for pk in (event.pk, 999_999):
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            survey_response_record(
                actor=personas.account_manager,
                customer=other,
                questionnaire=q,
                answers={question.pk: 5},
                fields={"event": pk},
            )
        assert list(caught.value.message_dict) == ["event"]
        assert "was not invited to this event" in caught.value.message_dict["event"][0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        survey_send(
            actor=personas.account_manager, customer=other, questionnaire=q, fields={"event": event}
        )
    assert "未受邀" in caught.value.message_dict["event"][0]
    # Nothing half-saved: no response, no answer, no audit record.
    assert (SurveyResponse.objects.count(), SurveyAnswer.objects.count()) == before
    assert AuditEvent.objects.count() == audit


def test_a_survey_about_an_event_keeps_it_and_its_audit_record_names_it(personas) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    event = _held(personas, [customer], [customer])
    saved = survey_response_record(
        actor=personas.account_manager,
        customer=customer,
        questionnaire=q,
        answers={_first_question(q).pk: 4},
        fields={"event": event.pk},
    )
    assert saved.event_id == event.pk
    record = AuditEvent.objects.filter(
        object_type="surveys.surveyresponse", object_id=str(saved.pk)
    ).get()
    assert record.after["event_id"] == event.pk
    # A second response of the questionnaire for the same event is refused.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        survey_send(
            actor=personas.account_manager,
            customer=customer,
            questionnaire=q,
            fields={"event": event.pk},
        )
    assert "already" in caught.value.message_dict["event"][0]
    # Another questionnaire for it, or the same one about no event, is fine.
    other = questionnaire(personas.department_head, kind="nps")
    assert (
        survey_send(
            actor=personas.account_manager,
            customer=customer,
            questionnaire=other,
            fields={"event": event},
        ).event_id
        == event.pk
    )
    assert answer(personas.account_manager, customer, q, 3).event_id is None


# --- the event's figures -------------------------------------------------------------------------


def test_the_event_figures_equal_a_hand_computation(personas) -> None:
    am = personas.account_manager
    csat = questionnaire(personas.department_head, name="活动满意度")
    nps = questionnaire(personas.department_head, kind="nps", name="活动推荐度")
    guests = [_file(personas) for _ in range(4)]
    event = _held(personas, guests, guests)
    for customer, score in zip(guests[:3], (5, 4, 2), strict=True):
        survey_response_record(
            actor=am,
            customer=customer,
            questionnaire=csat,
            answers={_first_question(csat).pk: score},
            fields={"event": event.pk},
        )
    survey_send(actor=am, customer=guests[3], questionnaire=csat, fields={"event": event.pk})
    for customer, score in zip(guests[:3], (10, 9, 6), strict=True):
        survey_response_record(
            actor=am,
            customer=customer,
            questionnaire=nps,
            answers={_first_question(nps).pk: score},
            fields={"event": event.pk},
        )
    # An answer about no event counts nowhere here.
    answer(am, guests[0], csat, 1)
    with CaptureQueriesContext(connection) as queries:
        figures = event_survey_figures(user=personas.department_head, event=event)
    assert figures is not None and len(queries) == 2  # the policy's check, then one query
    assert (figures.responses, figures.answered) == (7, 6)
    rows = {r.name: r for r in figures.rows}
    # CSAT: 5, 4, 2 → mean 11/3 = 3.67, satisfied (4–5) 2 of 3 = 66.7 %; one still sent.
    assert (rows["活动满意度"].responses, rows["活动满意度"].answered) == (4, 3)
    assert rows["活动满意度"].score.mean == Decimal("3.67")
    assert rows["活动满意度"].score.csat == Decimal("66.7")
    # NPS: 10, 9, 6 → promoters 2, detractors 1: (2 − 1) / 3 = 33.3.
    assert rows["活动推荐度"].score.nps == Decimal("33.3")
    assert rows["活动推荐度"].score.mean == Decimal("8.33")
    # The per-event breakdown of the scores says the same.
    series = score_series(
        user=personas.department_head, filters=ScoreFilters(kind="csat"), by="event"
    )
    assert [(s.key, s.label) for s in series] == [(event.pk, event.title)]
    assert series[0].rows[0].score.csat == Decimal("66.7")
    one = score_series(
        user=personas.credit_manager, filters=ScoreFilters(kind="nps", event=event.pk)
    )
    assert one[0].rows[0].score.nps == Decimal("33.3")
    # Another department's people do not see the figures, nor the event in the breakdown.
    assert event_survey_figures(user=personas.outsider, event=event) is None
    assert score_series(user=personas.outsider, filters=ScoreFilters(), by="event") == []


# --- sending to the attendees --------------------------------------------------------------------


def test_a_questionnaire_goes_to_those_who_came_once(personas) -> None:
    head = personas.department_head
    q = questionnaire(head)
    came = [_file(personas) for _ in range(3)]
    stayed_away = _file(personas)
    event = _held(personas, [*came, stayed_away], came)
    survey_send(actor=head, customer=came[0], questionnaire=q, fields={"event": event.pk})
    versions = dict(Customer.objects.values_list("pk", "version"))
    audit = AuditEvent.objects.count()
    counts = survey_send_to_attendees(actor=head, event=event, questionnaire=q)
    assert counts == {"sent": 2, "skipped": 1, "already_sent": 1, "not_yours": 0}
    sent = SurveyResponse.objects.filter(event=event, questionnaire=q)
    assert sorted(sent.values_list("customer_id", flat=True)) == sorted(c.pk for c in came)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert all(r.sent_at and r.answered_at is None for r in sent)
    assert not SurveyResponse.objects.filter(customer=stayed_away).exists()
    # One audit record and one version per response, and each file's version moved on.
    assert AuditEvent.objects.count() == audit + 2
    for customer in came[1:]:
        assert Customer.objects.get(pk=customer.pk).version == versions[customer.pk] + 1
        assert FileVersion.objects.filter(
            customer_id=customer.pk, object_type="surveys.surveyresponse"
        ).exists()
    # A second run sends nothing more.
    again = survey_send_to_attendees(actor=head, event=event, questionnaire=q)
    assert again == {"sent": 0, "skipped": 3, "already_sent": 3, "not_yours": 0}
    assert sent.count() == 3


def test_sending_before_the_event_begins_is_refused(personas) -> None:
    head = personas.department_head
    q = questionnaire(head)
    customer = _file(personas)
    event = make_event(head)
    events.invitations_create(actor=head, event=event, customers=[customer])
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        survey_send_to_attendees(actor=head, event=event, questionnaire=q)
    assert "once it has begun" in caught.value.message_dict["event"][0]
    assert not SurveyResponse.objects.exists()


def test_an_account_manager_sends_to_their_own_attendees_only(personas) -> None:
    q = questionnaire(personas.department_head)
    mine = _file(personas)
    colleagues = _file(personas, manager=personas.colleague)
    event = _held(personas, [mine, colleagues], [mine, colleagues])
    counts = survey_send_to_attendees(actor=personas.account_manager, event=event, questionnaire=q)
    assert counts == {"sent": 1, "skipped": 1, "already_sent": 0, "not_yours": 1}
    assert list(SurveyResponse.objects.values_list("customer_id", flat=True)) == [mine.pk]
    # Those who do not record surveys in the department may not send at all.
    for user in (personas.credit_manager, personas.outsider, personas.auditor):
        with pytest.raises(PermissionDenied):
            survey_send_to_attendees(actor=user, event=event, questionnaire=q)


# --- pages ---------------------------------------------------------------------------------------


def test_the_record_form_offers_only_the_customers_events(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer, other = _file(personas), _file(personas)
    older = _held(personas, [customer], [customer])
    newer = make_event(personas.department_head, title="新品培训会")
    events.invitations_create(actor=personas.department_head, event=newer, customers=[customer])
    not_invited = make_event(personas.department_head, title="别人的活动")
    events.invitations_create(actor=personas.department_head, event=not_invited, customers=[other])
    client = client_for(personas.account_manager)
    url = reverse("customer-surveys:record", args=[customer.pk, q.pk])
    form = client.get(url).context["form"]
    assert [c[0] for c in form.fields["event"].choices] == ["", newer.pk, older.pk]
    question = _first_question(q)
    refused = client.post(
        url, {"channel": "phone", f"answer_{question.pk}": "5", "event": not_invited.pk}
    )
    assert refused.status_code == 422 and not SurveyResponse.objects.exists()
    saved = client.post(url, {"channel": "phone", f"answer_{question.pk}": "5", "event": older.pk})
    assert saved.status_code == 302
    assert SurveyResponse.objects.get().event_id == older.pk
    section = client.get(reverse("customers:section", args=[customer.pk, "surveys"]))
    assert (
        f'data-event="{older.pk}"' in section.content.decode()
        and older.title in section.content.decode()
    )
    found = customer_get(user=personas.account_manager, pk=customer.pk, trace=False)
    with translation.override("en"):
        entry = next(
            e
            for e in timeline_page(user=personas.account_manager, customer=found).entries
            if e.kind == "survey"
        )
    assert f"Event: {older.title}" in entry.summary


def test_a_grant_on_the_surveys_section_does_not_name_the_event(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    event = _held(personas, [customer], [customer])
    survey_response_record(
        actor=personas.account_manager,
        customer=customer,
        questionnaire=q,
        answers={_first_question(q).pk: 5},
        fields={"event": event.pk},
    )
    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=["surveys"],
        purpose="核对服务质量",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)
    section = client_for(personas.outsider).get(
        reverse("customers:section", args=[customer.pk, "surveys"])
    )
    assert section.status_code == 200 and event.title not in section.content.decode()
    rows = _api(personas.outsider).get("/api/v1/survey-responses/").json()["results"]
    assert [(r["event"], r["event_title"]) for r in rows] == [(None, None)]
    assert (
        _api(personas.outsider).get(f"/api/v1/survey-responses/?event={event.pk}").json()["results"]
        == []
    )


def test_the_event_page_shows_the_survey_panel_by_permission(personas, client_for) -> None:
    q = questionnaire(personas.department_head, name="答谢会满意度")
    customer = _file(personas)
    event = _held(personas, [customer], [customer])
    answer_fields = {"event": event.pk}
    survey_response_record(
        actor=personas.account_manager,
        customer=customer,
        questionnaire=q,
        answers={_first_question(q).pk: 5},
        fields=answer_fields,
    )
    url = reverse("events:detail", args=[event.pk])
    for user, panel, send in (
        (personas.department_head, True, True),
        (personas.account_manager, True, True),
        (personas.credit_manager, True, False),
        (personas.auditor, True, False),
    ):
        page = client_for(user).get(url)
        body = page.content.decode()
        assert page.status_code == 200
        assert ('id="event-surveys"' in body) is panel, user
        assert ('id="event-survey-send"' in body) is send, user
        assert "答谢会满意度" in body
    # Another department's people and the administrator find no page at all.
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.admin).get(url).status_code == 404


def test_sending_to_the_attendees_from_the_event_page(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    guests = [_file(personas) for _ in range(2)]
    event = _held(personas, guests, guests)
    send = reverse("event-surveys:send", args=[event.pk])
    client = client_for(personas.department_head)
    done = client.post(send, {"questionnaire": q.pk, "channel": "email"}, follow=True)
    assert done.status_code == 200 and SurveyResponse.objects.filter(event=event).count() == 2
    assert "2" in done.content.decode()
    assert client.post(send, {"questionnaire": q.pk, "channel": "email"}).status_code == 302
    assert SurveyResponse.objects.filter(event=event).count() == 2
    for user in (personas.credit_manager, personas.outsider, personas.admin):
        assert client_for(user).post(send, {"questionnaire": q.pk}).status_code == 404
    # Before the event begins: refused with the reason on the page.
    later = make_event(personas.department_head, title="下月活动")
    refused = client.post(
        reverse("event-surveys:send", args=[later.pk]), {"questionnaire": q.pk, "channel": "email"}
    )
    assert refused.status_code == 422 and 'id="event-errors"' in refused.content.decode()
    assert not SurveyResponse.objects.filter(event=later).exists()


def test_the_scores_page_breaks_down_per_event(personas, client_for) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    event = _held(personas, [customer], [customer])
    survey_response_record(
        actor=personas.account_manager,
        customer=customer,
        questionnaire=q,
        answers={_first_question(q).pk: 5},
        fields={"event": event.pk},
    )
    page = client_for(personas.department_head).get(reverse("surveys:scores")).content.decode()
    assert f'data-event="{event.pk}"' in page and event.title in page
    outsider = client_for(personas.outsider).get(reverse("surveys:scores")).content.decode()
    assert event.title not in outsider


# --- the API -------------------------------------------------------------------------------------


def test_the_api_records_filters_and_hides_events(personas) -> None:
    q = questionnaire(personas.department_head)
    customer = _file(personas)
    event = _held(personas, [customer], [customer])
    client = _api(personas.account_manager)
    question = _first_question(q)
    body = {
        "customer": customer.pk,
        "questionnaire": q.pk,
        "answers": [{"question": question.pk, "score": 4}],
    }
    made = client.post("/api/v1/survey-responses/", {**body, "event": event.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["event"], made.json()["event_title"]) == (event.pk, event.title)
    listed = client.get(f"/api/v1/survey-responses/?event={event.pk}").json()["results"]
    assert [r["id"] for r in listed] == [made.json()["id"]]
    scores = client.get(f"/api/v1/survey-scores/?by=event&event={event.pk}").json()
    assert [s["key"] for s in scores["series"]] == [event.pk]
    # Another department's event is answered as one that does not exist.
    theirs = _file(personas, manager=personas.outsider, department=personas.other)
    foreign = make_event(personas.outsider, title="外部门活动")
    events.invitations_create(actor=personas.outsider, event=foreign, customers=[theirs])
    answers = []
    for pk in (foreign.pk, 999_999):
        refused = client.post(
            "/api/v1/survey-responses/", {**body, "event": pk, "status": "sent"}, format="json"
        )
        assert refused.status_code == 400
        answers.append(refused.json())
    assert answers[0] == answers[1] and "event" in str(answers[0])
    assert client.get(f"/api/v1/survey-responses/?event={foreign.pk}").json()["results"] == []
    assert SurveyResponse.objects.count() == 1


def test_the_api_sends_to_the_attendees_by_permission(personas) -> None:
    q = questionnaire(personas.department_head)
    guests = [_file(personas) for _ in range(2)]
    event = _held(personas, guests, guests[:1])
    url = f"/api/v1/events/{event.pk}/surveys/send/"
    done = _api(personas.department_head).post(url, {"questionnaire": q.pk}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json() == {"sent": 1, "skipped": 0, "already_sent": 0, "not_yours": 0}
    again = _api(personas.account_manager).post(url, {"questionnaire": q.pk}, format="json")
    assert again.json()["sent"] == 0 and again.json()["already_sent"] == 1
    assert _api(personas.credit_manager).post(url, {"questionnaire": q.pk}).status_code == 403
    assert _api(personas.outsider).post(url, {"questionnaire": q.pk}).status_code == 404
    assert _api(personas.admin).post(url, {"questionnaire": q.pk}).status_code == 404
    later = make_event(personas.department_head, title="下月活动")
    early = _api(personas.department_head, "zh-hans").post(
        f"/api/v1/events/{later.pk}/surveys/send/", {"questionnaire": q.pk}, format="json"
    )
    assert early.status_code == 400 and "event" in str(early.json())
    assert SurveyResponse.objects.count() == 1


def test_sending_to_many_attendees_takes_as_many_queries_as_to_few(personas) -> None:
    head = personas.department_head
    q = questionnaire(head)
    counted = []
    for size in (2, 8):
        guests = [_file(personas) for _ in range(size)]
        event = _held(personas, guests, guests)
        with CaptureQueriesContext(connection) as queries:
            counts = survey_send_to_attendees(actor=head, event=event, questionnaire=q)
        assert counts["sent"] == size
        counted.append(len(queries))
    assert counted[0] == counted[1]
