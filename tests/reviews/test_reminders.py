"""Reminders to account managers and escalations to department heads: sent once, recorded."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from credfile.reviews.models import Notification
from credfile.reviews.services import escalations_send, reminders_send, review_submit
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(personas: Personas) -> Personas:
    for user, address in (
        (personas.account_manager, "li.na@example.com"),
        (personas.department_head, "wang.fang@example.com"),
        (personas.outsider, "zhou.min@example.com"),
    ):
        user.email = address
        user.save()
    return personas


def test_the_account_manager_is_reminded_once_of_a_review_due_soon(staff: Personas) -> None:
    # Opened a year less ten days ago: due in ten days, inside the 14-day window.
    customer = make_file(staff, opened_on=datetime.date(2024, 6, 26), name="星辰科技有限公司")

    result = reminders_send(today=TODAY)

    assert result["due_soon_files"] == 1
    assert [m.to for m in mail.outbox] == [["li.na@example.com"]]
    assert "星辰科技有限公司" in mail.outbox[0].body
    assert "2025-06-26" in mail.outbox[0].body
    note = Notification.objects.get(recipient=staff.account_manager)
    assert (note.kind, note.file_count, note.files[0]["id"]) == ("due_soon", 1, customer.pk)
    # The next day nothing new is sent for the same review date.
    reminders_send(today=TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1


def test_a_review_due_today_sends_a_due_reminder_not_an_escalation(staff: Personas) -> None:
    make_file(staff, opened_on=datetime.date(2024, 6, 16))
    reminders_send(today=TODAY)
    escalations_send(today=TODAY)
    assert [(n.recipient.username, n.kind) for n in Notification.objects.all()] == [
        ("li.na", "due")
    ]


def test_an_overdue_review_is_escalated_to_the_department_head_once(staff: Personas) -> None:
    overdue = make_file(staff, opened_on=datetime.date(2024, 3, 1), name="逾期复核公司")
    make_file(staff, opened_on=datetime.date(2025, 1, 1))  # not due

    assert escalations_send(today=TODAY)["escalated_files"] == 1
    assert [m.to for m in mail.outbox] == [["wang.fang@example.com"]]
    assert "逾期复核公司" in mail.outbox[0].body
    assert schedule(overdue).escalated_at is not None

    escalations_send(today=TODAY + datetime.timedelta(days=1))
    escalations_send(today=TODAY + datetime.timedelta(days=7))
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind="escalation").count() == 1


def test_escalations_go_to_the_head_of_the_files_department_only(staff: Personas) -> None:
    make_file(
        staff,
        opened_on=datetime.date(2024, 3, 1),
        department=staff.other,
        account_manager=staff.outsider,
    )
    escalations_send(today=TODAY)
    assert mail.outbox == []  # the other department has no head; nobody else is told
    assert not Notification.objects.filter(recipient=staff.department_head).exists()


def test_a_reviewed_file_escalates_again_only_when_it_falls_overdue_again(
    staff: Personas,
) -> None:
    customer = make_file(staff, opened_on=datetime.date(2024, 3, 1))
    escalations_send(today=TODAY)
    review_submit(
        actor=staff.account_manager,
        customer=customer,
        findings="已核实",
        conclusion="satisfactory",
        today=TODAY,
    )
    assert schedule(customer).escalated_at is None
    assert schedule(customer).next_review_on == datetime.date(2026, 6, 16)
    escalations_send(today=TODAY + datetime.timedelta(days=30))
    assert len(mail.outbox) == 1
    escalations_send(today=datetime.date(2026, 6, 17))
    assert len(mail.outbox) == 2


def test_a_user_without_an_address_still_gets_the_notification(personas: Personas) -> None:
    make_file(personas, opened_on=datetime.date(2024, 6, 1))
    reminders_send(today=TODAY)
    assert mail.outbox == []
    note = Notification.objects.get(recipient=personas.account_manager)
    assert not note.emailed
