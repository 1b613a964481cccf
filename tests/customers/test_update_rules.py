"""Edits that change nothing, and identity numbers taken by a concurrent writer."""

from __future__ import annotations

from unittest import mock

import pytest

from credfile.audit.models import AuditEvent
from credfile.core.errors import DuplicateRecord
from credfile.customers import services
from credfile.customers.models import Customer
from credfile.customers.services import customer_create, customer_update
from tests.factories import CustomerFactory, credit_code

pytestmark = pytest.mark.django_db


def test_an_edit_that_changes_nothing_keeps_the_version_and_writes_no_event(personas) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    events = AuditEvent.objects.count()
    result = customer_update(
        actor=personas.account_manager, customer=customer, fields={"city": customer.city}
    )
    assert result.version == 1
    assert AuditEvent.objects.count() == events


def test_an_edit_records_the_version_it_made(personas) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    customer_update(
        actor=personas.account_manager, customer=customer, fields={"city": "天津市"}, tags=["出口"]
    )
    event = AuditEvent.objects.filter(action="update", customer_id=customer.pk).get()
    assert event.after == {"city": "天津市", "version": 2, "tags": ["出口"]}
    assert event.before["version"] == 1


def test_a_credit_code_taken_meanwhile_is_a_duplicate_not_a_crash(personas) -> None:
    code = credit_code(99)
    taken = CustomerFactory(
        credit_code=code, department=personas.other, account_manager=personas.outsider
    )
    # The check before saving saw no duplicate (the other writer had not committed yet);
    # the database constraint catches it at save time.
    with mock.patch.object(services, "_check_duplicates"), pytest.raises(DuplicateRecord) as exc:
        customer_create(
            actor=personas.account_manager,
            fields={"kind": "organization", "name": "另一家公司", "credit_code": code},
        )
    assert exc.value.existing == taken
    assert Customer.objects.count() == 1
