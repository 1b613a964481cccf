"""Answered surveys on the file's timeline: newest first among the other kinds, with their
mean score, not before they are answered, and only for whoever sees the surveys section."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from credfile.access import services as access
from credfile.customers.selectors import customer_get
from credfile.customers.timeline import timeline_kinds, timeline_page
from credfile.interactions.models import ServiceRecord
from credfile.surveys.services import survey_send
from tests.factories import CustomerFactory
from tests.surveys.helpers import answer, at, questionnaire

pytestmark = pytest.mark.django_db


def _page(user: Any, customer: Any, **kwargs: Any) -> Any:
    found = customer_get(user=user, pk=customer.pk, trace=False)
    return timeline_page(user=user, customer=found, **kwargs)


def test_an_answered_survey_stands_among_the_other_kinds_with_its_mean(personas: Any) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    q = questionnaire(personas.department_head, name="服务满意度")
    older = ServiceRecord.objects.create(customer=customer, occurred_at=at(2026, 1), content="回访")
    first = answer(personas.account_manager, customer, q, 4, when=at(2026, 2))
    newer = ServiceRecord.objects.create(customer=customer, occurred_at=at(2026, 3), content="回访")
    # Sent, not answered yet: not on the timeline.
    survey_send(actor=personas.account_manager, customer=customer, questionnaire=q)
    assert "survey" in timeline_kinds()
    with translation.override("zh-hans"):
        entries = _page(personas.account_manager, customer).entries
    assert [(e.kind, e.id) for e in entries] == [
        ("service", newer.pk),
        ("survey", first.pk),
        ("service", older.pk),
    ]
    survey = entries[1]
    assert survey.title == "满意度调查：服务满意度"
    assert survey.summary == "平均分 4.0 · 客户满意度（CSAT）"
    with translation.override("en"):
        entry = _page(personas.account_manager, customer, kinds=["survey"]).entries[0]
    assert entry.title == "Satisfaction survey: 服务满意度"
    assert entry.summary == "Mean score 4.0 · Customer satisfaction (CSAT)"


def test_survey_pages_keyset_and_cost_one_query_whatever_their_number(personas: Any) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    q = questionnaire(personas.department_head)
    same = at(2026, 4)
    made = [answer(personas.account_manager, customer, q, 5, when=same) for _ in range(5)]
    user = personas.account_manager
    first = _page(user, customer, kinds=["survey"], limit=3)
    assert [e.id for e in first.entries] == [r.pk for r in reversed(made)][:3]
    rest = _page(user, customer, kinds=["survey"], limit=3, before=first.next)
    assert [e.id for e in rest.entries] == [r.pk for r in reversed(made)][3:]
    found = customer_get(user=user, pk=customer.pk, trace=False)
    with CaptureQueriesContext(connection) as few:
        timeline_page(user=user, customer=found, kinds=["survey"], limit=2)
    with CaptureQueriesContext(connection) as more:
        timeline_page(user=user, customer=found, kinds=["survey"], limit=5)
    assert len(few) == len(more)


def test_a_grant_with_or_without_the_surveys_section(personas: Any) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    q = questionnaire(personas.department_head)
    answered = answer(personas.account_manager, customer, q, 3, when=at(2026, 5))

    def lend(sections: list[str]) -> None:
        application = access.application_create(
            actor=personas.outsider,
            customer=customer,
            sections=sections,
            purpose="核对客户满意度",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
        access.application_approve(actor=personas.executive, application=application)

    lend(["services"])
    assert _page(personas.outsider, customer, kinds=["survey"]).entries == []
    lend(["surveys"])
    shown = _page(personas.outsider, customer, kinds=["survey"]).entries
    assert [(e.kind, e.id) for e in shown] == [("survey", answered.pk)]
