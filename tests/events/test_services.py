"""Customer events: the event's and the invitation's state machines, the bulk invitation
(all or none, capacity), the refusal to invite to an event that has begun, attendance, and
who may do what (the department's people; each invitation follows its file)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.events import services
from credfile.events.models import Invitation
from credfile.events.selectors import event_get, event_invitations, event_list
from tests.events.conftest import future, make_event, move_to_past
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_event_is_planned_in_the_organisers_department(personas: Any) -> None:
    event = make_event(personas.account_manager)
    assert event.department_id == personas.sales.pk and event.status == "planned"
    assert AuditEvent.objects.filter(object_type="events.customerevent", action="create").exists()
    for role in ("credit_manager", "executive", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            make_event(getattr(personas, role))


def test_an_event_must_end_after_it_starts(personas: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_event(personas.account_manager, ends_at=future(10, 9))
    assert "ends_at" in exc.value.message_dict


def test_an_event_in_a_year_long_gone_or_far_ahead_is_refused(personas: Any) -> None:
    import datetime

    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        make_event(
            personas.account_manager,
            starts_at=timezone.make_aware(datetime.datetime(93, 9, 19, 20, 0)),
            ends_at=timezone.make_aware(datetime.datetime(2263, 11, 2, 22, 0)),
        )
    errors = exc.value.message_dict
    assert errors["starts_at"] == ["请填写 2000 至 2099 年间的时间。"]
    assert errors["ends_at"] == ["请填写 2000 至 2099 年间的时间。"]
    assert not Invitation.objects.exists()


def test_the_event_moves_only_along_its_flow(personas: Any) -> None:
    head = personas.department_head
    event = make_event(head)
    with pytest.raises(ValidationError):
        services.event_transition(actor=head, event=event, status="held")  # not yet open
    services.event_transition(actor=head, event=event, status="open")
    with pytest.raises(ValidationError) as exc:
        services.event_transition(actor=head, event=event, status="held")
    assert "begun" in str(exc.value) or "开始" in str(exc.value)
    move_to_past(event)
    services.event_transition(actor=head, event=event, status="held")
    with pytest.raises(ValidationError):
        services.event_transition(actor=head, event=event, status="cancelled")
    with pytest.raises(ValidationError):
        services.event_update(actor=head, event=event, fields={"title": "改名"})


def test_another_department_neither_changes_nor_sees_the_event(personas: Any) -> None:
    event = make_event(personas.department_head)
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=personas.outsider, event=event, status="open")
    assert not event_list(user=personas.outsider).filter(pk=event.pk).exists()
    assert event_list(user=personas.credit_manager).filter(pk=event.pk).exists()
    assert not event_list(user=personas.admin).exists()


def test_bulk_invitation_saves_every_invitation(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head, capacity=6)
    created = services.invitations_create(actor=head, event=event, customers=files)
    assert len(created) == 6
    assert set(event.invitations.values_list("status", flat=True)) == {"invited"}
    assert all(i.starts_at == event.starts_at for i in event.invitations.all())
    events = AuditEvent.objects.filter(object_type="events.invitation", action="create")
    assert sorted(events.values_list("customer_id", flat=True)) == sorted(f.pk for f in files)


def test_bulk_invitation_beyond_the_capacity_saves_none(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head, capacity=5)
    with pytest.raises(ValidationError) as exc:
        services.invitations_create(actor=head, event=event, customers=files)
    assert "5" in " ".join(exc.value.message_dict["customers"])
    assert not Invitation.objects.exists()
    services.invitations_create(actor=head, event=event, customers=files[:3])
    with pytest.raises(ValidationError):
        services.invitations_create(actor=head, event=event, customers=files[3:])
    assert event.invitations.count() == 3


def test_bulk_invitation_with_one_file_invited_already_saves_none(
    personas: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head, capacity=10)
    services.invitations_create(actor=head, event=event, customers=files[:1])
    with pytest.raises(ValidationError) as exc:
        services.invitations_create(actor=head, event=event, customers=files)
    assert files[0].code in " ".join(exc.value.message_dict["customers"])
    assert event.invitations.count() == 1


def test_inviting_to_an_event_that_has_begun_is_refused_clearly(
    personas: Any, files: list[Any]
) -> None:
    head = personas.department_head
    event = make_event(head)
    move_to_past(event)
    with pytest.raises(ValidationError) as exc:
        services.invitations_create(actor=head, event=event, customers=files[:2])
    message = " ".join(exc.value.message_dict["event"])
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%d") in message
    assert not Invitation.objects.exists()


def test_an_account_manager_invites_only_their_own_files(personas: Any, files: list[Any]) -> None:
    colleague_file = CustomerFactory(department=personas.sales, account_manager=personas.colleague)
    event = make_event(personas.account_manager, capacity=10)
    with pytest.raises(ValidationError) as exc:
        services.invitations_create(
            actor=personas.account_manager, event=event, customers=[*files, colleague_file]
        )
    assert "1" in " ".join(exc.value.message_dict["customers"])
    assert not Invitation.objects.exists()
    services.invitations_create(actor=personas.account_manager, event=event, customers=files)
    # The colleague sees the event and every invitation (their department's files).
    seen = event_invitations(
        user=personas.colleague, event=event_get(user=personas.colleague, pk=event.pk)
    )
    assert seen.count() == 6


def test_replies_then_attendance(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head, capacity=3)
    a, b, c = services.invitations_create(actor=head, event=event, customers=files[:3])
    services.invitation_set_status(actor=head, invitation=a, status="accepted")
    services.invitation_set_status(actor=head, invitation=b, status="declined")
    with pytest.raises(ValidationError):  # attendance before the event
        services.invitation_set_status(actor=head, invitation=a, status="attended")
    with pytest.raises(ValidationError):
        services.attendance_record(actor=head, event=event, attended=[a.pk])
    move_to_past(event)
    with pytest.raises(ValidationError):  # replies are over
        services.invitation_set_status(actor=head, invitation=c, status="accepted")
    counts = services.attendance_record(actor=head, event=event, attended=[a.pk])
    assert counts == {"attended": 1, "no_show": 1}
    statuses = dict(event.invitations.values_list("pk", "status"))
    assert statuses == {a.pk: "attended", b.pk: "declined", c.pk: "no_show"}
    # A correction of attendance is a legal step; back to "invited" is not.
    services.invitation_set_status(actor=head, invitation=c, status="attended")
    with pytest.raises(ValidationError):
        services.invitation_set_status(actor=head, invitation=c, status="declined")


def test_a_declined_place_is_free_again(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head, capacity=2)
    a, _b = services.invitations_create(actor=head, event=event, customers=files[:2])
    services.invitation_set_status(actor=head, invitation=a, status="declined")
    services.invitations_create(actor=head, event=event, customers=files[2:3])
    with pytest.raises(ValidationError):  # full again: the declined one cannot come back
        services.invitation_set_status(actor=head, invitation=a, status="accepted")
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=head, event=event, fields={"capacity": 1})
    assert "capacity" in exc.value.message_dict


def test_moving_the_event_moves_its_invitations(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head)
    services.invitations_create(actor=head, event=event, customers=files[:2])
    services.event_update(
        actor=head, event=event, fields={"starts_at": future(20), "ends_at": future(20, 18)}
    )
    assert set(event.invitations.values_list("starts_at", flat=True)) == {future(20)}


def test_an_outsider_records_no_reply(personas: Any, files: list[Any]) -> None:
    head = personas.department_head
    event = make_event(head)
    (invitation,) = services.invitations_create(actor=head, event=event, customers=files[:1])
    for user in (personas.outsider, personas.credit_manager, personas.colleague):
        with pytest.raises(PermissionDenied):
            services.invitation_set_status(actor=user, invitation=invitation, status="accepted")
