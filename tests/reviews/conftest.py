"""Review fixtures: files with a known opening date, and a fixed 'today'."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from credfile.customers.models import Customer
from credfile.reviews.models import ReviewSchedule
from credfile.reviews.services import schedules_refresh
from tests.api.conftest import api_for  # noqa: F401 - the API client, for these tests too
from tests.conftest import Personas
from tests.factories import CustomerFactory

TODAY = datetime.date(2025, 6, 16)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def opened(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def make_file(personas: Personas, *, opened_on: datetime.date, **fields: Any) -> Customer:
    """A file of the sales department (managed by personas.account_manager unless given),
    opened on `opened_on`, with its review state computed as of TODAY."""
    fields.setdefault("department", personas.sales)
    fields.setdefault("account_manager", personas.account_manager)
    factory = fields.pop("factory", CustomerFactory)
    customer = factory(**fields)
    assert isinstance(customer, Customer)
    Customer.objects.filter(pk=customer.pk).update(created_at=opened(opened_on))
    # Opened before today: start its review state again from that date.
    ReviewSchedule.objects.filter(customer_id=customer.pk).delete()
    schedules_refresh(today=TODAY, customer_ids=[customer.pk])
    return customer


def schedule(customer: Customer) -> ReviewSchedule:
    return ReviewSchedule.objects.get(customer_id=customer.pk)
