"""Complaints as cases: the state machine, deadlines, reminders and escalations, bad input."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from credfile.audit.models import AuditEvent
from credfile.complaints.choices import TRANSITIONS, Status
from credfile.complaints.models import Complaint, ComplaintEvent
from credfile.complaints.services import (
    complaint_create,
    complaint_figures,
    complaint_sla_set,
    complaint_transition,
    escalations_send,
    reminders_send,
)
from credfile.reviews.models import Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def _complaint(personas: Any, severity: str = "high", **fields: Any) -> Complaint:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    return complaint_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_at": RECEIVED, "severity": severity, "summary": "发票金额有误", **fields},
    )


def _move(personas: Any, complaint: Complaint, to: str, **kwargs: Any) -> Complaint:
    return complaint_transition(
        actor=personas.account_manager, complaint=complaint, to=to, **kwargs
    )


STEP_ARGS: dict[str, dict[str, str]] = {
    Status.RESOLVED: {"resolution": "已退还多收款项"},
    Status.CLOSED: {"confirmation": "客户电话确认满意"},
}


def _reach(personas: Any, complaint: Complaint, path: list[str]) -> Complaint:
    for to in path:
        complaint = _move(personas, complaint, to, **STEP_ARGS.get(to, {}))
    return complaint


# How to reach each status from "new".
PATHS = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: [Status.ACKNOWLEDGED],
    Status.IN_PROGRESS: [Status.ACKNOWLEDGED, Status.IN_PROGRESS],
    Status.RESOLVED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED],
    Status.CLOSED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
}
LEGAL = [(start, to) for start, targets in TRANSITIONS.items() for to in targets]
ILLEGAL = [
    (start, to) for start in Status.values for to in Status.values if (start, to) not in LEGAL
]


def test_a_new_complaint_gets_its_deadline_from_its_severity(personas) -> None:
    complaint = _complaint(personas, "critical")
    assert complaint.status == Status.NEW
    assert complaint.owner == personas.account_manager
    assert complaint.due_at == RECEIVED + datetime.timedelta(hours=4)
    assert _complaint(personas, "low").due_at == RECEIVED + datetime.timedelta(hours=168)
    assert list(complaint.events.values_list("from_status", "to_status")) == [("", "new")]


def test_an_administrator_changes_the_deadline_of_a_severity(personas) -> None:
    complaint_sla_set(actor=personas.admin, severity="high", hours=8)
    assert _complaint(personas, "high").due_at == RECEIVED + datetime.timedelta(hours=8)
    event = AuditEvent.objects.filter(object_type="complaints.complaintsla").latest("seq")
    assert event.after["hours"] == 8


def test_only_administrators_set_deadlines(personas) -> None:
    with pytest.raises(PermissionDenied):
        complaint_sla_set(actor=personas.credit_manager, severity="high", hours=8)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Give the deadline as a whole number of hours above zero."),
        ("zh-hans", "请以大于零的整数小时数给出处理时限。"),
    ],
)
@pytest.mark.parametrize("hours", [-4, 0, "x"])
def test_a_negative_or_zero_deadline_is_refused(personas, language, message, hours) -> None:
    with translation.override(language), pytest.raises(ValidationError) as refused:
        complaint_sla_set(actor=personas.admin, severity="high", hours=hours)
    assert refused.value.message_dict == {"hours": [message]}


@pytest.mark.parametrize(
    ("language", "fragment"), [("en", "is not a severity"), ("zh-hans", "不是有效的严重程度")]
)
def test_an_unknown_severity_is_refused_with_a_field_error(personas, language, fragment) -> None:
    with translation.override(language), pytest.raises(ValidationError) as refused:
        _complaint(personas, "urgent")
    assert list(refused.value.message_dict) == ["severity"]
    assert fragment in refused.value.message_dict["severity"][0]
    assert not Complaint.objects.exists()


def test_the_owner_must_work_in_the_files_department(personas) -> None:
    with pytest.raises(ValidationError) as refused:
        _complaint(personas, owner=personas.outsider)
    assert "owner" in refused.value.message_dict


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a}-{b}" for a, b in LEGAL])
def test_every_legal_transition_is_made_with_its_event_and_audit_record(
    personas, start, to
) -> None:
    complaint = _reach(personas, _complaint(personas), PATHS[start])
    events_before = AuditEvent.objects.count()
    moved = _move(personas, complaint, to, note="记录", **STEP_ARGS.get(to, {}))
    assert moved.status == to
    last = ComplaintEvent.objects.filter(complaint=moved).latest("id")
    assert (last.from_status, last.to_status, last.note, last.actor) == (
        start,
        to,
        "记录",
        personas.account_manager,
    )
    assert AuditEvent.objects.count() == events_before + 1
    audit = AuditEvent.objects.latest("seq")
    assert (audit.before["status"], audit.after["status"]) == (start, to)


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a}-{b}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_naming_the_states(personas, start, to) -> None:
    complaint = _reach(personas, _complaint(personas), PATHS[start])
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            _move(personas, complaint, to, **STEP_ARGS.get(to, {}))
        message = refused.value.message_dict["to"][0]
        assert f"from “{Status(start).label}” to “{Status(to).label}”" in message
    complaint.refresh_from_db()
    assert complaint.status == start


def test_the_refusal_reads_in_chinese(personas) -> None:
    complaint = _complaint(personas)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        _move(personas, complaint, Status.CLOSED)
    assert refused.value.message_dict["to"] == [
        "投诉不能从“新建”变为“已关闭”；“新建”的投诉只能变为：“已受理”。"
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A complaint is not resolved without a resolution: say how it was resolved."),
        ("zh-hans", "没有处理结果的投诉不能标记为已解决：请说明如何解决。"),
    ],
)
def test_resolving_without_a_resolution_is_refused(personas, language, message) -> None:
    complaint = _reach(personas, _complaint(personas), PATHS[Status.IN_PROGRESS])
    with translation.override(language), pytest.raises(ValidationError) as refused:
        _move(personas, complaint, Status.RESOLVED, resolution="  ")
    assert refused.value.message_dict == {"resolution": [message]}


@pytest.mark.parametrize(
    ("language", "fragment"), [("en", "customer's confirmation"), ("zh-hans", "客户的确认")]
)
def test_closing_needs_the_customers_confirmation_or_a_reason(personas, language, fragment) -> None:
    complaint = _reach(personas, _complaint(personas), PATHS[Status.RESOLVED])
    with translation.override(language), pytest.raises(ValidationError) as refused:
        _move(personas, complaint, Status.CLOSED)
    assert fragment in refused.value.message_dict["confirmation"][0]
    closed = _move(personas, complaint, Status.CLOSED, close_reason="客户失联，三次未接通")
    assert closed.status == Status.CLOSED and closed.confirmed_at is None
    assert closed.closed_without_confirmation == "客户失联，三次未接通"


def test_the_timestamps_follow_the_steps_and_a_reopen_clears_the_end(personas) -> None:
    complaint = _complaint(personas)
    at = RECEIVED + datetime.timedelta(hours=1)
    complaint = complaint_transition(
        actor=personas.account_manager, complaint=complaint, to="acknowledged", now=at
    )
    assert complaint.acknowledged_at == at
    complaint = _reach(personas, complaint, [Status.RESOLVED, Status.CLOSED])
    assert complaint.resolved_at and complaint.closed_at and complaint.confirmed_at
    assert complaint.confirmation_note == "客户电话确认满意"
    reopened = _move(personas, complaint, Status.IN_PROGRESS, note="客户再次来电")
    assert reopened.closed_at is None and reopened.resolved_at is None
    assert reopened.confirmed_at is None


def test_the_department_head_moves_a_complaint_and_others_may_not(personas) -> None:
    complaint = _complaint(personas)
    moved = complaint_transition(
        actor=personas.department_head, complaint=complaint, to="acknowledged"
    )
    assert moved.status == "acknowledged"
    for user in (personas.colleague, personas.credit_manager, personas.outsider):
        with pytest.raises(PermissionDenied):
            complaint_transition(actor=user, complaint=complaint, to="in_progress")


def test_reminders_go_to_the_owner_once_before_the_deadline(personas, settings) -> None:
    settings.CREDFILE_COMPLAINT_REMIND_HOURS = 6
    personas.account_manager.email = "li.na@example.com"
    personas.account_manager.save()
    complaint = _complaint(personas, "high")  # due 24 hours after receipt
    early = RECEIVED + datetime.timedelta(hours=17)
    assert reminders_send(now=early)["reminded_complaints"] == 0
    near = RECEIVED + datetime.timedelta(hours=19)
    assert reminders_send(now=near) == {"reminded_complaints": 1, "reminder_notifications": 1}
    assert reminders_send(now=near + datetime.timedelta(hours=1))["reminded_complaints"] == 0
    note = Notification.objects.get(recipient=personas.account_manager)
    assert note.kind == "case_due" and complaint.customer.code in note.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["li.na@example.com"]


def test_an_overdue_complaint_is_escalated_to_the_head_once(personas) -> None:
    complaint = _complaint(personas, "critical")  # due 4 hours after receipt
    assert escalations_send(now=RECEIVED + datetime.timedelta(hours=3))["escalated_complaints"] == 0
    late = RECEIVED + datetime.timedelta(hours=5)
    assert escalations_send(now=late) == {"escalated_complaints": 1, "escalation_notifications": 1}
    assert escalations_send(now=late + datetime.timedelta(days=1))["escalated_complaints"] == 0
    complaint.refresh_from_db()
    assert complaint.escalated_at == late
    note = Notification.objects.get(recipient=personas.department_head)
    assert note.kind == "case_overdue" and "发票金额有误" in note.body


def test_a_resolved_complaint_is_neither_reminded_nor_escalated(personas) -> None:
    complaint = _complaint(personas, "critical")
    _reach(personas, complaint, [Status.ACKNOWLEDGED, Status.RESOLVED])
    later = RECEIVED + datetime.timedelta(days=2)
    assert reminders_send(now=RECEIVED + datetime.timedelta(hours=1))["reminded_complaints"] == 0
    assert escalations_send(now=later)["escalated_complaints"] == 0


def test_the_daily_jobs_run_the_reminders_and_escalations(personas) -> None:
    from credfile.reviews.jobs import JOB_NAMES, run_due

    assert {"complaints.remind", "complaints.escalate"} <= set(JOB_NAMES)
    _complaint(personas, "critical")
    outcomes = run_due(
        today=(RECEIVED + datetime.timedelta(days=1)).date(),
        only=["complaints.remind", "complaints.escalate"],
    )
    assert [(o.name, o.status) for o in outcomes] == [
        ("complaints.remind", "done"),
        ("complaints.escalate", "done"),
    ]
    assert outcomes[1].summary == {"escalated_complaints": 1, "escalation_notifications": 1}


def test_figures_count_open_and_closed_and_the_median_response(
    personas, django_assert_max_num_queries
) -> None:
    first = _complaint(personas)
    customer = first.customer
    second = complaint_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_at": RECEIVED, "severity": "low", "summary": "服务态度"},
    )
    complaint_transition(
        actor=personas.account_manager,
        complaint=second,
        to="acknowledged",
        now=RECEIVED + datetime.timedelta(hours=1),
    )
    complaint_transition(
        actor=personas.account_manager,
        complaint=second,
        to="resolved",
        resolution="致歉",
        now=RECEIVED + datetime.timedelta(hours=10),
    )
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    now = RECEIVED + datetime.timedelta(days=3)
    with django_assert_max_num_queries(1):
        figures = complaint_figures([customer.pk, other.pk], now=now)
    assert figures[customer.pk].open == 1
    assert figures[customer.pk].received_12m == 2
    assert figures[customer.pk].median_response_hours == 10
    assert figures[other.pk].open == 0 and figures[other.pk].median_response_hours is None
