"""Customer event pages and API: list, plan, edit, the event page with bulk invitation,
replies and attendance; the file's events section and its entries on the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from credfile.events import services
from credfile.events.models import CustomerEvent, Invitation
from tests.events.conftest import future, make_event, move_to_past

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_planning_an_event_on_the_page(personas: Any, client_for: Any) -> None:
    client = client_for(personas.account_manager)
    assert client.get(reverse("events:new")).status_code == 200
    data = {
        "title": "客户培训会",
        "kind": "training",
        "starts_at": future(5).strftime("%Y-%m-%d %H:%M"),
        "ends_at": future(5, 10).strftime("%Y-%m-%d %H:%M"),
        "place": "培训室",
        "capacity": "3",
    }
    bad = client.post(reverse("events:new"), data)
    assert bad.status_code == 422 and not CustomerEvent.objects.exists()
    data["ends_at"] = future(5, 17).strftime("%Y-%m-%d %H:%M")
    response = client.post(reverse("events:new"), data)
    event = CustomerEvent.objects.get()
    assert response.status_code == 302 and event.department_id == personas.sales.pk
    listed = client.get(reverse("events:list")).content.decode()
    assert "客户培训会" in listed and 'id="event-new"' in listed
    edited = client.post(reverse("events:edit", args=[event.pk]), {**data, "place": "二楼"})
    assert edited.status_code == 302
    event.refresh_from_db()
    assert event.place == "二楼"


def test_bulk_invitation_on_the_page_is_all_or_none(
    personas: Any, client_for: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head, capacity=4)
    client = client_for(head)
    url = reverse("events:invite", args=[event.pk])
    codes = "\n".join(f.code for f in files[:5])
    over = client.post(url, {"codes": codes})
    assert over.status_code == 422 and not Invitation.objects.exists()
    assert "4" in over.content.decode()
    unknown = client.post(url, {"codes": f"{files[0].code}, C99999999"})
    assert unknown.status_code == 422 and "C99999999" in unknown.content.decode()
    done = client.post(url, {"codes": f"{files[0].code}, {files[1].code}"})
    assert done.status_code == 302 and event.invitations.count() == 2
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert files[0].name in page and 'id="invite-form"' in page


def test_inviting_on_the_page_after_the_start_says_why(
    personas: Any, client_for: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head)
    move_to_past(event)
    client = client_for(head)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert 'id="invite-form"' not in page and 'id="invite-closed"' in page
    refused = client.post(reverse("events:invite", args=[event.pk]), {"codes": files[0].code})
    assert refused.status_code == 422 and not Invitation.objects.exists()
    api = _api(head).post(
        f"/api/v1/events/{event.pk}/invitations/", {"customers": [files[0].pk]}, format="json"
    )
    assert api.status_code == 400
    assert "event" in api.json()["errors"]


def test_replies_and_attendance_on_the_page(
    personas: Any, client_for: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head)
    a, b, c = services.invitations_create(actor=head, event=event, customers=files[:3])
    client = client_for(head)
    status_url = reverse("events:invitation-status", args=[a.pk])
    assert client.post(status_url, {"to": "accepted"}).status_code == 302
    assert client.post(status_url, {"to": "attended"}).status_code == 422
    move_to_past(event)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert 'id="attendance-form"' in page
    response = client.post(
        reverse("events:attendance", args=[event.pk]), {"attended": [a.pk, c.pk]}
    )
    assert response.status_code == 302
    assert dict(event.invitations.values_list("pk", "status")) == {
        a.pk: "attended",
        b.pk: "no_show",
        c.pk: "attended",
    }
    assert client.post(reverse("events:status", args=[event.pk]), {"to": "open"}).status_code == 302
    assert client.post(reverse("events:status", args=[event.pk]), {"to": "held"}).status_code == 302
    event.refresh_from_db()
    assert event.status == "held"


def test_the_file_section_and_timeline_show_the_events(
    personas: Any, client_for: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head, title="新春客户答谢会")
    services.invitations_create(actor=head, event=event, customers=files[:1])
    client = client_for(personas.account_manager)
    section = client.get(reverse("customers:section", args=[files[0].pk, "events"]))
    assert section.status_code == 200 and "新春客户答谢会" in section.content.decode()
    timeline = client.get(reverse("customers:timeline", args=[files[0].pk]), {"kind": "event"})
    assert "新春客户答谢会" in timeline.content.decode()
    api = _api(personas.account_manager).get(f"/api/v1/customers/{files[0].pk}/events/").json()
    assert [r["event"] for r in api["results"]] == [event.pk]


def test_other_roles_on_the_pages(personas: Any, client_for: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head)
    services.invitations_create(actor=head, event=event, customers=files[:2])
    # Another department: no event page, no change.
    outsider = client_for(personas.outsider)
    assert outsider.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert (
        outsider.post(reverse("events:status", args=[event.pk]), {"to": "open"}).status_code == 404
    )
    # A credit manager reads every event and its invitations, changes nothing.
    credit = client_for(personas.credit_manager)
    page = credit.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert (
        files[0].name in page and 'id="invite-form"' not in page and 'id="event-edit"' not in page
    )
    assert credit.get(reverse("events:new")).status_code == 404
    assert (
        _api(personas.credit_manager)
        .post(f"/api/v1/events/{event.pk}/transition/", {"status": "open"}, format="json")
        .status_code
        == 403
    )
    # The administrator reaches no event.
    assert client_for(personas.admin).get(reverse("events:list")).status_code == 404


def test_the_api_plans_invites_and_records(personas: Any, files: list[Any]) -> None:
    head = _api(personas.department_head)
    created = head.post(
        "/api/v1/events/",
        {
            "title": "培训会",
            "kind": "training",
            "starts_at": future(3).isoformat(),
            "ends_at": future(3, 17).isoformat(),
            "place": "总部",
            "capacity": 2,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    over = head.post(
        f"/api/v1/events/{pk}/invitations/", {"customers": [f.pk for f in files[:3]]}, format="json"
    )
    assert over.status_code == 400 and not Invitation.objects.exists()
    ok = head.post(
        f"/api/v1/events/{pk}/invitations/", {"customers": [f.pk for f in files[:2]]}, format="json"
    )
    assert ok.status_code == 201 and len(ok.json()) == 2
    invitation = ok.json()[0]["id"]
    reply = head.post(
        f"/api/v1/invitations/{invitation}/status/", {"status": "accepted"}, format="json"
    )
    assert reply.status_code == 200 and reply.json()["status"] == "accepted"
    listed = head.get(f"/api/v1/events/{pk}/invitations/").json()
    assert len(listed["results"]) == 2
    detail = head.get(f"/api/v1/events/{pk}/").json()
    assert detail["taken"] == 2 and detail["capacity"] == 2
    assert head.patch(f"/api/v1/events/{pk}/", {"capacity": 1}, format="json").status_code == 400
    schema = head.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/events/{id}/invitations/" in schema["paths"]
