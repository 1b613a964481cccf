"""The file's timeline: one list of every kind, newest first by keyset, filtered by kind,
each kind only for whoever sees its section; one query per kind whatever the entries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.complaints.models import Complaint
from credfile.core import middleware
from credfile.customers.selectors import customer_get
from credfile.customers.timeline import Before, timeline_kinds, timeline_page
from credfile.followup.models import CollectionAction
from credfile.interactions.models import Note, ServiceRecord
from credfile.limits.models import LimitRequest
from credfile.reviews.models import Review
from credfile.transactions.models import Invoice
from tests.factories import CustomerFactory

TZ = timezone.get_current_timezone()


def at(day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(department=personas.sales, account_manager=personas.account_manager)


def service(customer: Any, when: datetime.datetime, text: str = "电话回访") -> ServiceRecord:
    return ServiceRecord.objects.create(customer=customer, occurred_at=when, content=text)


def note(customer: Any, day: int, subject: str = "会议纪要") -> Note:
    return Note.objects.create(
        customer=customer, dated=datetime.date(2026, 3, day), subject=subject, body="内容"
    )


def complaint(customer: Any, when: datetime.datetime, user: Any) -> Complaint:
    return Complaint.objects.create(
        customer=customer,
        received_at=when,
        due_at=when + datetime.timedelta(days=2),
        summary="发票金额有误",
        owner=user,
        recorded_by=user,
    )


def collection(customer: Any, day: int) -> CollectionAction:
    invoice = Invoice.objects.create(
        customer=customer,
        number=f"INV-{day}-{Invoice.objects.count()}",
        issue_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 2, 1),
        payment_terms_days=30,
        amount=Decimal("1000.00"),
        currency="CNY",
    )
    return CollectionAction.objects.create(
        customer=customer, invoice=invoice, kind="call", action_date=datetime.date(2026, 3, day)
    )


def review(customer: Any, day: int, user: Any) -> Review:
    return Review.objects.create(
        customer=customer,
        reviewer=user,
        reviewed_on=datetime.date(2026, 3, day),
        findings="资料齐全",
        conclusion="satisfactory",
        risk="normal",
        quality_score=90,
        next_review_on=datetime.date(2027, 3, day),
    )


def limit_request(customer: Any, when: datetime.datetime, user: Any) -> LimitRequest:
    request = LimitRequest.objects.create(
        customer=customer,
        amount=Decimal("50000"),
        currency="CNY",
        valid_until=datetime.date(2027, 1, 1),
        reason="年度授信",
        requested_by=user,
        approver_role="credit_manager",
    )
    LimitRequest.objects.filter(pk=request.pk).update(requested_at=when)
    return request


def page(user: Any, customer: Any, **kwargs: Any) -> Any:
    found = customer_get(user=user, pk=customer.pk, trace=False)
    return timeline_page(user=user, customer=found, **kwargs)


def keys(entries: list[Any]) -> list[str]:
    return [f"{e.kind}-{e.id}" for e in entries]


@pytest.mark.django_db
def test_every_existing_kind_is_registered() -> None:
    assert {"service", "note", "complaint", "collection", "review", "rating"} <= set(
        timeline_kinds()
    )
    assert "limit_request" in timeline_kinds()


@pytest.mark.django_db
def test_entries_of_every_kind_come_newest_first(personas: Any, customer: Any) -> None:
    user = personas.account_manager
    s = service(customer, at(5, 10))
    n = note(customer, 6)
    c = complaint(customer, at(4, 9), user)
    a = collection(customer, 7)
    r = review(customer, 3, user)
    lr = limit_request(customer, at(8, 15), user)
    result = page(user, customer)
    assert keys(result.entries) == [
        f"limit_request-{lr.pk}",
        f"collection-{a.pk}",
        f"note-{n.pk}",
        f"service-{s.pk}",
        f"complaint-{c.pk}",
        f"review-{r.pk}",
    ]
    assert result.next is None
    # Date-only records stand at the start of their day, marked as such.
    by_kind = {e.kind: e for e in result.entries}
    assert by_kind["note"].when == at(6) and by_kind["note"].all_day
    assert not by_kind["service"].all_day
    assert by_kind["complaint"].url == reverse("complaints:detail", args=[c.pk])


@pytest.mark.django_db
def test_the_filter_shows_only_the_kinds_asked_for(personas: Any, customer: Any) -> None:
    user = personas.account_manager
    service(customer, at(5, 10))
    note(customer, 6)
    complaint(customer, at(4, 9), user)
    result = page(user, customer, kinds=["note", "complaint"])
    assert [e.kind for e in result.entries] == ["note", "complaint"]
    assert result.chosen == ["note", "complaint"]
    # The filter's choices stay every kind the reader may see.
    assert {"service", "note", "complaint"} <= {k.kind for k in result.kinds}


@pytest.mark.django_db
def test_keyset_pages_hold_every_entry_once_with_equal_times(personas: Any, customer: Any) -> None:
    user = personas.account_manager
    # Same instant across kinds, and within a kind; notes at the same day's start.
    same = at(10)
    expected = set()
    for _ in range(4):
        expected.add(f"service-{service(customer, same).pk}")
        expected.add(f"complaint-{complaint(customer, same, user).pk}")
        expected.add(f"note-{note(customer, 10).pk}")
        expected.add(f"collection-{collection(customer, 10).pk}")
        expected.add(f"limit_request-{limit_request(customer, same, user).pk}")
    for day in (9, 11):
        expected.add(f"note-{note(customer, day).pk}")
        expected.add(f"service-{service(customer, at(day, 12)).pk}")
    seen: list[str] = []
    before = None
    pages = 0
    while True:
        result = page(user, customer, before=before, limit=3)
        seen.extend(keys(result.entries))
        pages += 1
        assert pages < 20
        if result.next is None:
            break
        # Through the text of the position, as the page and the API carry it.
        before = Before.decode(result.next.encode())
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    whole = page(user, customer, limit=100)
    assert keys(whole.entries) == seen
    assert [e.key for e in whole.entries] == sorted((e.key for e in whole.entries), reverse=True)


@pytest.mark.django_db
def test_a_grant_without_a_section_shows_none_of_its_kinds(personas: Any, customer: Any) -> None:
    user = personas.account_manager
    service(customer, at(5, 10), text="只有服务记录可见")
    note(customer, 6, subject="机密会议纪要")
    complaint(customer, at(4, 9), user)
    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=["services"],
        purpose="核对服务记录",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)
    result = page(personas.outsider, customer)
    assert [e.kind for e in result.entries] == ["service"]
    assert [k.kind for k in result.kinds] == ["service"]
    # Asking for a hidden kind by name shows nothing more.
    assert page(personas.outsider, customer, kinds=["note", "complaint"]).entries == []
    api = APIClient()
    api.force_authenticate(personas.outsider)
    body = api.get(f"/api/v1/customers/{customer.pk}/timeline/?kind=note").json()
    assert body["results"] == [] and body["kinds"] == ["service"]
    text = (
        _client(personas.outsider).get(reverse("customers:timeline", args=[customer.pk])).content
    ).decode()
    assert "只有服务记录可见" in text
    assert "机密会议纪要" not in text and 'value="note"' not in text


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_entries(personas: Any, customer: Any) -> None:
    user = personas.account_manager

    def add(n: int) -> None:
        for i in range(n):
            service(customer, at(1 + i % 20, 8))
            note(customer, 1 + i % 20)
            complaint(customer, at(1 + i % 20, 9), user)
            collection(customer, 1 + i % 20)
            review(customer, 1 + i % 20, user)
            limit_request(customer, at(1 + i % 20, 10), user)

    def count() -> int:
        # Inside one request, as on the page: the policy reads the user's grants once per
        # request (opening the file), not once per source that asks about them.
        token = middleware._current.set(middleware.RequestContext("timeline-test", None))
        try:
            found = customer_get(user=user, pk=customer.pk, trace=False)
            with CaptureQueriesContext(connection) as queries:
                result = timeline_page(user=user, customer=found, limit=50)
        finally:
            middleware._current.reset(token)
        assert result.entries
        return len(queries)

    add(2)
    few = count()
    add(10)
    many = count()
    assert few == many
    assert many <= len(timeline_kinds())


@pytest.mark.django_db
def test_the_page_filters_and_brings_more(personas: Any, customer: Any, settings: Any) -> None:
    user = personas.account_manager
    for day in range(1, 31):
        service(customer, at(day, 9), text=f"回访{day:02d}")
    note(customer, 15, subject="纪要十五")
    client = _client(user)
    url = reverse("customers:timeline", args=[customer.pk])
    first = client.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert 'id="timeline-tab"' in text and "回访30" in text and "纪要十五" in text
    assert "回访01" not in text and 'id="timeline-more"' in text
    filtered = client.get(url, {"kind": "note"}, HTTP_HX_REQUEST="true").content.decode()
    assert "纪要十五" in filtered and "回访30" not in filtered
    assert 'id="file-tabs"' in filtered  # the section with its tabs, for the swap
    nxt = page(user, customer).next
    more = client.get(url, {"before": nxt.encode()}, HTTP_HX_REQUEST="true").content.decode()
    assert "回访01" in more and "回访30" not in more and 'id="file-tabs"' not in more
    assert client.get(url, {"before": "garbage"}).status_code == 404


@pytest.mark.django_db
def test_the_api_pages_by_before_and_refuses_unknown_kinds(personas: Any, customer: Any) -> None:
    for day in range(1, 6):
        service(customer, at(day, 9))
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    url = f"/api/v1/customers/{customer.pk}/timeline/"
    first = api.get(url, {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["before"]
    second = api.get(url, {"page_size": 3, "before": first["before"]}).json()
    assert len(second["results"]) == 2 and second["before"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 5
    assert api.get(url, {"kind": "nonsense"}).status_code == 400
    assert api.get(url, {"before": "%%%"}).status_code == 400
    other = CustomerFactory(department=personas.other)
    assert api.get(f"/api/v1/customers/{other.pk}/timeline/").status_code == 404
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/customers/{customer_pk}/timeline/" in schema["paths"]


@pytest.mark.django_db
def test_the_api_writes_every_time_in_rfc_3339_even_a_day_long_ago(
    personas: Any, customer: Any
) -> None:
    # Asia/Shanghai began its day at local mean time (+08:05:43) before 1901.
    old = Note.objects.create(
        customer=customer, dated=datetime.date(1890, 7, 14), subject="旧函", body="内容"
    )
    note(customer, 6)
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    body = api.get(f"/api/v1/customers/{customer.pk}/timeline/", {"kind": "note"}).json()
    times = {r["id"]: r["when"] for r in body["results"]}
    assert times[old.pk] == "1890-07-13T15:54:17Z"
    assert times[max(times)] == "2026-03-06T00:00:00+08:00"
