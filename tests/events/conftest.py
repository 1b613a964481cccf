from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from credfile.events import services
from credfile.events.models import CustomerEvent
from tests.factories import CustomerFactory


def future(days: int = 10, hour: int = 14) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_event(actor: Any, *, days: int = 10, capacity: int = 5, **fields: Any) -> CustomerEvent:
    values = {
        "title": "年度客户答谢会",
        "kind": "appreciation",
        "starts_at": future(days),
        "ends_at": future(days, 17),
        "place": "国际会议中心",
        "capacity": capacity,
        **fields,
    }
    return services.event_create(actor=actor, fields=values)


def move_to_past(event: CustomerEvent, *, hours: int = 2) -> None:
    """The event began `hours` ago (the clock moved on past its start)."""
    start = timezone.now() - datetime.timedelta(hours=hours)
    CustomerEvent.objects.filter(pk=event.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    event.invitations.update(starts_at=start)
    event.refresh_from_db()


@pytest.fixture
def files(personas: Any) -> list[Any]:
    """Six files of the sales department managed by the account manager."""
    return [
        CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
        for _ in range(6)
    ]
