"""The file's complaint figures: at a moment, on the file page and in the API, for whoever
sees the complaints section; and each step of a complaint as a version of the file."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.complaints.models import Complaint
from credfile.complaints.services import complaint_create, complaint_figures, complaint_transition
from credfile.customers.models import Customer
from credfile.history.models import FileVersion
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _at(*parts: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))  # type: ignore[misc]


def _file(personas: Any) -> Customer:
    return CustomerFactory(department=personas.sales, account_manager=personas.account_manager)


def _record(personas: Any, customer: Customer, received: datetime.datetime, severity: str) -> Any:
    return complaint_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_at": received, "severity": severity, "summary": "发票金额有误"},
    )


def _step(personas: Any, complaint: Complaint, to: str, now: datetime.datetime, **kw: Any) -> Any:
    return complaint_transition(
        actor=personas.account_manager, complaint=complaint, to=to, now=now, **kw
    )


@pytest.fixture
def history(personas: Any) -> Customer:
    """Four complaints: one closed, one left new, one resolved late, one over a year old."""
    customer = _file(personas)
    first = _record(personas, customer, _at(2026, 3, 2, 9), "high")
    _step(personas, first, "acknowledged", _at(2026, 3, 2, 10))
    _step(personas, first, "resolved", _at(2026, 3, 2, 19), resolution="退还多收款项")
    _step(personas, first, "closed", _at(2026, 3, 3, 5), confirmation="客户电话确认")
    _record(personas, customer, _at(2026, 3, 2, 9), "low")  # due 03-09 09:00
    third = _record(personas, customer, _at(2026, 3, 4, 9), "critical")  # due 03-04 13:00
    _step(personas, third, "acknowledged", _at(2026, 3, 4, 10))
    _step(personas, third, "resolved", _at(2026, 3, 6, 9), resolution="更正账单")
    old = _record(personas, customer, _at(2025, 1, 10, 9), "medium")
    _step(personas, old, "acknowledged", _at(2025, 1, 10, 10))
    _step(personas, old, "resolved", _at(2025, 1, 11, 9), resolution="致歉")
    return customer


def test_the_figures_are_as_they_stood_at_the_moment_asked_for(
    personas, history, django_assert_num_queries
) -> None:
    other = _file(personas)
    with django_assert_num_queries(1):
        figures = complaint_figures([history.pk, other.pk], now=_at(2026, 3, 5, 9))
    mid = figures[history.pk]
    # Open then: the one left new and the one resolved only on 03-06, past its deadline.
    assert (mid.open, mid.overdue) == (2, 1)
    # Received in the 12 months: three (the one of 2025-01 is older); closed: the first.
    assert (mid.received_12m, mid.closed_12m) == (3, 1)
    # Resolved by then: the first, 10 hours after receipt.
    assert mid.median_response_hours == 10
    assert figures[other.pk] == complaint_figures([other.pk])[other.pk]
    assert (figures[other.pk].open, figures[other.pk].median_response_hours) == (0, None)
    later = complaint_figures([history.pk], now=_at(2026, 3, 10, 9))[history.pk]
    # The low one is past its deadline of 03-09; the critical one resolved after 48 hours.
    assert (later.open, later.overdue, later.received_12m, later.closed_12m) == (1, 1, 3, 1)
    assert later.median_response_hours == 29  # median of 10 and 48
    a_year_on = complaint_figures([history.pk], now=_at(2027, 3, 7, 9))[history.pk]
    assert (a_year_on.received_12m, a_year_on.closed_12m, a_year_on.open) == (0, 0, 1)
    assert a_year_on.median_response_hours is None


def _two_open(personas: Any) -> Customer:
    """One critical complaint past its 4 hours, one low one just in."""
    customer = _file(personas)
    now = timezone.now()
    _record(personas, customer, now - datetime.timedelta(hours=10), "critical")
    _record(personas, customer, now - datetime.timedelta(hours=1), "low")
    return customer


def _grant(personas: Any, customer: Customer, sections: list[str]) -> None:
    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=sections,
        purpose="核对投诉处理",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)


def test_the_file_header_and_the_section_show_the_figures(personas, client_for) -> None:
    customer = _two_open(personas)
    client = client_for(personas.account_manager)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    header = page[page.index('id="header-complaints"') :]
    header = header[: header.index("</div>\n      </div>")]
    assert "Open complaints" in header and ">2<" in header and "1 overdue" in header
    section = client.get(reverse("customers:section", args=[customer.pk, "complaints"]))
    text = section.content.decode()
    assert "2 open · 0 closed in 12 months · 2 received in 12 months" in text
    assert 'id="complaint-figures-overdue">1 overdue<' in text
    chinese = client_for(personas.account_manager, "zh-hans")
    page = chinese.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "未结投诉" in page and "1 件逾期" in page


def test_the_file_page_reads_the_figures_once(personas, client_for, monkeypatch) -> None:
    """The header and the section show the same figures: one reading serves both."""
    from credfile.complaints import file_page

    customer = _two_open(personas)
    calls: list[list[int]] = []

    def counted(ids: list[int], **kwargs: Any) -> Any:
        calls.append(list(ids))
        return complaint_figures(ids, **kwargs)

    monkeypatch.setattr(file_page, "complaint_figures", counted)
    page = client_for(personas.account_manager).get(
        reverse("customers:section", args=[customer.pk, "complaints"])
    )
    text = page.content.decode()
    assert 'id="header-complaints"' in text and 'id="complaint-figures-overdue">1 overdue<' in text
    assert calls == [[customer.pk]]


def test_only_readers_of_the_complaints_section_see_the_figures(personas, client_for) -> None:
    contacts_only = _two_open(personas)
    _grant(personas, contacts_only, ["contacts"])
    with_complaints = _two_open(personas)
    _grant(personas, with_complaints, ["complaints"])
    client = client_for(personas.outsider)
    page = client.get(reverse("customers:detail", args=[contacts_only.pk])).content.decode()
    assert 'id="header-complaints"' not in page
    page = client.get(reverse("customers:detail", args=[with_complaints.pk])).content.decode()
    assert 'id="header-complaints"' in page
    api = APIClient()
    api.force_authenticate(personas.outsider)
    assert api.get(f"/api/v1/customers/{contacts_only.pk}/complaints/").status_code == 404
    assert api.get(f"/api/v1/customers/{with_complaints.pk}/complaints/").status_code == 200
    api.force_authenticate(personas.colleague)  # same department, another's file: may view
    assert api.get(f"/api/v1/customers/{contacts_only.pk}/complaints/").status_code == 200
    stranger = _file(personas)
    api.force_authenticate(personas.outsider)
    assert api.get(f"/api/v1/customers/{stranger.pk}/complaints/").status_code == 404


def test_the_api_gives_the_files_figures_and_its_complaints(personas) -> None:
    customer = _two_open(personas)
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    body = api.get(f"/api/v1/customers/{customer.pk}/complaints/").json()
    assert body["figures"] == {
        "open": 2,
        "overdue": 1,
        "received_12m": 2,
        "closed_12m": 0,
        "median_resolution_hours": None,
    }
    assert [r["severity"] for r in body["results"]] == ["low", "critical"]


def test_each_step_of_a_complaint_is_a_version_of_the_file(personas, client_for) -> None:
    customer = _file(personas)
    complaint = _record(personas, customer, timezone.now() - datetime.timedelta(hours=2), "high")
    created = Customer.objects.get(pk=customer.pk).version
    now = timezone.now()
    _step(personas, complaint, "acknowledged", now)
    _step(personas, complaint, "in_progress", now)
    _step(personas, complaint, "resolved", now, resolution="退还多收款项")
    assert Customer.objects.get(pk=customer.pk).version == created + 3
    rows = FileVersion.objects.filter(customer_id=customer.pk, object_type="complaints.complaint")
    assert [(r.version, r.operation, r.data["status"]) for r in rows.order_by("id")] == [
        (created, "create", "new"),
        (created + 1, "update", "acknowledged"),
        (created + 2, "update", "in_progress"),
        (created + 3, "update", "resolved"),
    ]
    client = client_for(personas.account_manager)
    diff = client.get(
        reverse("history:diff", args=[customer.pk]), {"from": created, "to": created + 3}
    )
    assert diff.status_code == 200
    text = diff.content.decode()
    assert "Acknowledged" in text or "Resolved" in text
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    day = timezone.localdate().isoformat()
    state = api.get(f"/api/v1/customers/{customer.pk}/as-of/", {"date": day}).json()
    assert [c["status"] for c in state["records"]["complaint"]] == ["resolved"]
