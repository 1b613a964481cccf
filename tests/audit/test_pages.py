"""The auditor's page: filters, keyset pages, exports; a 404 for everyone else."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record
from tests.api.helpers import make_customer
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(personas: Personas, client_for: Any) -> Client:
    client: Client = client_for(personas.auditor)
    return client


@pytest.fixture
def events(personas: Personas) -> dict[str, Any]:
    """60 events: 40 updates by li.na on one file, 20 creates by wang.fang on another."""
    mine = make_customer(department=personas.sales, account_manager=personas.account_manager)
    other = make_customer(department=personas.sales, account_manager=personas.colleague)
    for n in range(40):
        audit_record(
            actor=personas.account_manager,
            action="update",
            obj=mine,
            customer_id=mine.pk,
            after={"n": n},
        )
    for n in range(20):
        audit_record(
            actor=personas.department_head,
            action="create",
            obj=other,
            customer_id=other.pk,
            after={"n": n},
        )
    return {"mine": mine, "other": other}


def _seqs(response: Any) -> list[int]:
    return [e.seq for e in response.context["page"].items]


def _shown(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "persona", ["account_manager", "department_head", "credit_manager", "executive", "outsider"]
)
def test_the_trail_is_not_there_for_anyone_but_auditors(
    personas: Personas, client_for: Any, persona: str
) -> None:
    client = client_for(getattr(personas, persona))
    for name in ("audit:list", "audit:export_csv", "audit:export_xlsx"):
        assert client.get(reverse(name)).status_code == 404
    assert "Audit trail" not in _shown(client.get(reverse("customers:list")))


def test_anonymous_visitors_are_sent_to_log_in(db: None) -> None:
    response = Client().get(reverse("audit:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditors_and_admins_see_the_trail_newest_first(
    personas: Personas, client_for: Any, events: dict[str, Any], persona: str, settings: Any
) -> None:
    settings.CREDFILE_PAGE_SIZE = 25
    client = client_for(getattr(personas, persona))
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    assert _seqs(response) == list(range(newest.seq, newest.seq - 25, -1))
    page = _shown(response)
    assert reverse("audit:list") in page  # the nav link
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_keyset_pages_walk_the_whole_filtered_trail_both_ways(
    auditor: Client, events: dict[str, Any], settings: Any
) -> None:
    settings.CREDFILE_PAGE_SIZE = 15
    url = reverse("audit:list")
    query = {"action": "update"}
    pages, cursor = [], None
    while True:
        response = auditor.get(url, {**query, **({"cursor": cursor} if cursor else {})})
        pages.append(_seqs(response))
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
    expected = list(
        AuditEvent.objects.filter(action="update").order_by("-seq").values_list("seq", flat=True)
    )
    assert [seq for page in pages for seq in page] == expected
    assert [len(p) for p in pages] == [15, 15, 10]
    back = auditor.get(url, {**query, "cursor": response.context["page"].prev_cursor})
    assert _seqs(back) == pages[1]


def test_it_filters_by_actor_customer_and_object_type(
    auditor: Client, personas: Personas, events: dict[str, Any]
) -> None:
    url = reverse("audit:list")
    by_actor = auditor.get(url, {"actor": "wang.fang"})
    items = by_actor.context["page"].items
    assert len(items) == 20 and {e.actor_id for e in items} == {personas.department_head.pk}

    other = events["other"]
    by_code = auditor.get(url, {"customer": other.code.lower()})
    assert {e.customer_id for e in by_code.context["page"].items} == {other.pk}
    by_id = auditor.get(url, {"customer": str(events["mine"].pk), "action": "update"})
    assert len(by_id.context["page"].items) == 25

    by_type = auditor.get(url, {"object_type": "accounts.user"})
    assert {e.object_type for e in by_type.context["page"].items} == {"accounts.user"}

    nobody = auditor.get(url, {"actor": "no.such.user"})
    assert nobody.context["page"].items == []
    assert "No event matches these filters." in _shown(nobody)


def test_it_filters_by_date_range(personas: Personas, client_for: Any) -> None:
    # Events are dated when written; pretend three were written on three days (before the
    # auditor's log-in, as time only moves forward along the trail).
    days = [datetime.date(2025, 3, d) for d in (1, 2, 3)]
    written = []
    for day in days:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("credfile.audit.services.timezone.now", lambda m=moment: m)
            written.append(
                audit_record(actor=personas.auditor, action="export", obj=personas.auditor)
            )
    auditor = client_for(personas.auditor)
    url = reverse("audit:list")
    response = auditor.get(url, {"date_from": "2025-03-02", "date_to": "2025-03-02"})
    assert _seqs(response) == [written[1].seq]
    response = auditor.get(url, {"date_from": "2025-03-02", "action": "export"})
    assert _seqs(response) == [written[2].seq, written[1].seq]
    response = auditor.get(url, {"date_to": "2025-03-01", "action": "export"})
    assert _seqs(response) == [written[0].seq]
    response = auditor.get(url, {"date_from": "2025-03-04", "date_to": "2025-03-05"})
    assert _seqs(response) == []


def test_an_end_date_before_the_start_is_named_and_shows_nothing(
    auditor: Client, events: dict[str, Any]
) -> None:
    response = auditor.get(
        reverse("audit:list"), {"date_from": "2025-03-02", "date_to": "2025-03-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in _shown(response)
    assert _seqs(response) == []


def test_a_tampered_cursor_starts_at_the_first_page(
    auditor: Client, events: dict[str, Any]
) -> None:
    response = auditor.get(reverse("audit:list"), {"cursor": "eyJ2IjpbImEiXSwiZCI6Im5leHQifQ"})
    assert response.status_code == 200
    assert len(_seqs(response)) > 0


def test_the_list_page_takes_a_fixed_number_of_queries(
    auditor: Client, events: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    query = {
        "actor": "li.na",
        "customer": events["mine"].code,
        "action": "update",
        "date_from": "2000-01-01",
        "date_to": "2100-01-01",
    }
    first = auditor.get(reverse("audit:list"), query)
    assert len(_seqs(first)) == 25
    # Session, user and second factor; actor, customer and the two ends of the date range;
    # the page itself; the chain head and the newest digest's event for the chain status:
    # however many events there are, and however deep the page.
    with django_assert_max_num_queries(10):
        response = auditor.get(
            reverse("audit:list"), {**query, "cursor": first.context["page"].next_cursor}
        )
    assert len(_seqs(response)) == 15


def test_a_csv_export_holds_the_filtered_rows_and_is_itself_recorded(
    auditor: Client, personas: Personas, events: dict[str, Any]
) -> None:
    response = auditor.get(reverse("audit:export_csv"), {"actor": "wang.fang"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Seq", "Time", "Actor", "Action"]
    expected = list(
        AuditEvent.objects.filter(actor=personas.department_head)
        .exclude(action="export")
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert [int(r[0]) for r in rows[1:]] == expected
    assert {r[2] for r in rows[1:]} == {"wang.fang"}
    export = AuditEvent.objects.get(action="export")
    assert export.actor == personas.auditor
    assert export.after == {"format": "csv", "filters": {"actor": "wang.fang"}}


def test_an_xlsx_export_holds_the_filtered_rows(auditor: Client, events: dict[str, Any]) -> None:
    other = events["other"]
    response = auditor.get(reverse("audit:export_xlsx"), {"customer": other.code})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Seq"
    assert len(rows) == 21
    assert {r[7] for r in rows[1:]} == {other.pk}
    assert isinstance(rows[1][1], datetime.datetime)
    assert AuditEvent.objects.filter(action="export", after__format="xlsx").exists()


def test_exported_text_cannot_run_as_a_spreadsheet_formula(
    auditor: Client, personas: Personas
) -> None:
    audit_record(
        actor=personas.account_manager,
        action="create",
        obj=personas.account_manager,
        object_repr='=HYPERLINK("http://evil")',
    )
    response = auditor.get(reverse("audit:export_csv"), {"action": "create"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "'=HYPERLINK" in text
