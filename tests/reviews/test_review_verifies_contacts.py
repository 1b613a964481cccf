"""A review whose checklist says the contacts were verified marks the contacts themselves."""

from __future__ import annotations

import datetime

import pytest

from credfile.customers.models import Contact
from credfile.reviews.services import review_submit
from tests import records
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file

pytestmark = pytest.mark.django_db


def test_a_review_that_verified_the_contacts_marks_them_verified_without_copies(
    personas: Personas,
) -> None:
    customer = make_file(personas, opened_on=datetime.date(2024, 3, 1), name="星辰科技")
    contact = records.make("contact", customer)
    other = records.make("contact", customer)

    review_submit(
        actor=personas.department_head,
        customer=customer,
        findings="电话核实了联系人。",
        conclusion="satisfactory",
        contacts_verified=True,
        today=TODAY,
    )

    assert Contact.objects.filter(customer=customer).count() == 2
    for c in (contact, other):
        c.refresh_from_db()
        assert (c.verified_on, c.verified_by) == (TODAY, personas.department_head)


def test_a_review_that_did_not_verify_them_leaves_the_contacts_alone(
    personas: Personas,
) -> None:
    customer = make_file(personas, opened_on=datetime.date(2024, 3, 1), name="星辰科技")
    contact = records.make("contact", customer)

    review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="回款正常。",
        conclusion="satisfactory",
        today=TODAY,
    )

    contact.refresh_from_db()
    assert (contact.verified_on, contact.verified_by) == (datetime.date(2025, 3, 9), None)
