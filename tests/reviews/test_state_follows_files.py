"""Review state and data quality follow every write to a file, not only the nightly job."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.accounts.models import User
from credfile.customers.hooks import registered_hooks
from credfile.customers.models import Address, Customer
from credfile.customers.services import (
    address_create,
    contact_create,
    customer_create,
    customer_update,
    delete_child_record,
    lock_customer_for_change,
)
from credfile.demo.loader import load_demo
from credfile.reviews.models import JobRun, ReviewSchedule
from credfile.reviews.rules import add_months
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _open(personas: Personas, **fields: Any) -> Customer:
    return customer_create(
        actor=personas.account_manager,
        fields={"kind": "individual", "name": "周晓梅", "province": "11", **fields},
    )


def test_the_reviews_app_registers_with_the_customers_app() -> None:
    assert "reviews.schedules" in registered_hooks()


def test_a_new_file_has_its_next_review_date_and_quality_at_once(personas: Personas) -> None:
    customer = _open(personas)

    state = ReviewSchedule.objects.get(customer_id=customer.pk)
    today = timezone.localdate()
    assert state.next_review_on == add_months(today, 12)
    assert state.account_manager_id == personas.account_manager.pk
    # Province set, nothing else: only the classification part (10 points) is in order.
    assert state.quality_score == 10
    assert not JobRun.objects.exists()


def test_adding_and_removing_records_moves_the_quality_score(personas: Personas) -> None:
    customer = _open(personas, phone="+8613812345678")
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 10

    address_create(
        actor=personas.account_manager, customer=customer, fields={"line": "长安街 1 号"}
    )
    # A phone and an address: the contact details part (15 points) is in order now.
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 25

    contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "周先生", "mobile": "+8613912345678", "verified_on": timezone.localdate()},
    )
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 45

    locked = lock_customer_for_change(personas.account_manager, customer)
    address = Address.objects.get(customer=customer)
    delete_child_record(actor=personas.account_manager, customer=locked, obj=address)
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 30


def test_a_change_to_the_file_moves_its_quality_score(personas: Personas) -> None:
    customer = _open(personas, province="")
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 0
    customer_update(actor=personas.account_manager, customer=customer, fields={"province": "31"})
    assert ReviewSchedule.objects.get(customer_id=customer.pk).quality_score == 10


def test_the_file_header_shows_the_next_review_and_an_overdue_badge(
    personas: Personas, client_for: Any
) -> None:
    customer = _open(personas)
    client = client_for(personas.account_manager)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    next_on = add_months(timezone.localdate(), 12)
    assert f"Next review: <strong>{next_on:%Y-%m-%d}</strong>" in page
    assert 'data-testid="review-overdue"' not in page

    ReviewSchedule.objects.filter(customer_id=customer.pk).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="review-overdue"' in page

    ReviewSchedule.objects.filter(customer_id=customer.pk).update(
        next_review_on=timezone.localdate() + datetime.timedelta(days=10)
    )
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="review-due"' in page


def test_the_queue_is_right_right_after_the_demo_loads(client_for: Any) -> None:
    # Files opened years ago in the demo are overdue today; no job has run.
    load_demo(customers=40, seed=3, as_of=timezone.localdate(), parallel=False)

    assert ReviewSchedule.objects.count() == Customer.objects.count() == 40
    assert not JobRun.objects.exists()
    assert ReviewSchedule.objects.filter(quality_score__gt=0).exists()
    credit = User.objects.get(username="credit")
    page = client_for(credit).get(reverse("reviews:queue") + "?state=").content.decode()
    assert "No credit file is due for review." not in page
    assert page.count('<tr data-customer="') == 25  # a full first page
