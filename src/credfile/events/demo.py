"""Demo customer events: in each demo department an appreciation event held last quarter
with its attendance, a training session ahead open for replies, and one planned, with
customers invited in bulk (the service, all or none) where the event is ahead."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from credfile.accounts.choices import Role
from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.customers.models import Customer
from credfile.events import services
from credfile.events.choices import EventKind, EventStatus, InvitationStatus
from credfile.events.models import CustomerEvent, Invitation


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def load_demo_events(*, seed: int, codes: list[str]) -> int:
    """Events for the departments of the files among `codes`; returns how many."""
    rng = random.Random(seed * 104729 + 3)
    today = timezone.localdate()
    made = 0
    heads = User.objects.filter(
        role=Role.DEPARTMENT_HEAD, is_active=True, department__isnull=False
    ).order_by("pk")
    for head in heads:
        department_id = head.department_id
        if department_id is None:
            continue
        files = list(
            Customer.objects.filter(code__in=codes, department_id=department_id)
            .exclude(status="archived")
            .order_by("code")
            .values_list("pk", flat=True)[:60]
        )
        if len(files) < 6:
            continue
        rng.shuffle(files)
        department = head.department
        name = department.name if department is not None else ""
        # Held last quarter: invitations and attendance as they were (past the services,
        # which invite only before an event begins), one audit event for the lot.
        held_day = today - datetime.timedelta(days=rng.randint(40, 80))
        held = CustomerEvent.objects.create(
            title=f"{name}年度客户答谢会",
            kind=EventKind.APPRECIATION,
            starts_at=_at(held_day, 18),
            ends_at=_at(held_day, 21),
            place="国际会议中心三楼宴会厅",
            capacity=40,
            department_id=department_id,
            status=EventStatus.HELD,
            created_by=head,
            description="感谢客户一年来的支持，介绍新年度信用政策。",
        )
        guests = files[: min(24, len(files))]
        outcomes = [InvitationStatus.ATTENDED] * 6 + [
            InvitationStatus.NO_SHOW,
            InvitationStatus.DECLINED,
        ]
        Invitation.objects.bulk_create(
            [
                Invitation(
                    event=held,
                    customer_id=pk,
                    starts_at=held.starts_at,
                    invited_by=head,
                    status=rng.choice(outcomes),
                )
                for pk in guests
            ]
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=held,
            after={"demo": True, "invitations": len(guests)},
        )
        # Ahead: a training session open for replies, invited in bulk through the service.
        soon = today + datetime.timedelta(days=rng.randint(10, 25))
        training = services.event_create(
            actor=head,
            fields={
                "title": "信用管理与票据风险培训会",
                "kind": EventKind.TRAINING,
                "starts_at": _at(soon, 14),
                "ends_at": _at(soon, 17),
                "place": "公司总部二楼培训室",
                "capacity": 20,
                "description": "应收账款管理、商业汇票风险识别。",
            },
        )
        services.event_transition(actor=head, event=training, status=EventStatus.OPEN)
        invited = services.invitations_create(
            actor=head, event=training, customers=files[24:36] or files[:12]
        )
        for invitation in invited[:4]:
            services.invitation_set_status(
                actor=head, invitation=invitation, status=InvitationStatus.ACCEPTED
            )
        if len(invited) > 4:
            services.invitation_set_status(
                actor=head, invitation=invited[4], status=InvitationStatus.DECLINED
            )
        later = today + datetime.timedelta(days=rng.randint(60, 90))
        services.event_create(
            actor=head,
            fields={
                "title": "重点客户座谈会",
                "kind": EventKind.OTHER,
                "starts_at": _at(later, 9),
                "ends_at": _at(later, 12),
                "place": "公司总部一楼会议室",
                "capacity": 12,
            },
        )
        made += 3
    return made
