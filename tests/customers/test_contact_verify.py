"""A contact marked verified: the same contact, with the day and who checked it, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Contact, Customer
from credfile.customers.services import contacts_verify
from tests import records
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(personas: Personas) -> Customer:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    assert isinstance(customer, Customer)
    return customer


def test_marking_a_contact_verified_dates_it_without_a_duplicate(
    personas: Personas, org: Customer
) -> None:
    contact = records.make("contact", org)
    version = Customer.objects.get(pk=org.pk).version

    marked = contacts_verify(actor=personas.account_manager, customer=org, contacts=[contact.pk])

    contact.refresh_from_db()
    assert marked == 1
    assert Contact.objects.filter(customer=org).count() == 1
    assert (contact.verified_on, contact.verified_by) == (
        timezone.localdate(),
        personas.account_manager,
    )
    assert Customer.objects.get(pk=org.pk).version == version + 1
    event = AuditEvent.objects.filter(
        action="update", object_type="customers.contact", object_id=str(contact.pk)
    ).get()
    assert event.after["verified"] is True


def test_marking_it_again_the_same_day_writes_nothing(personas: Personas, org: Customer) -> None:
    contact = records.make("contact", org)
    contacts_verify(actor=personas.account_manager, customer=org, contacts=[contact.pk])
    events = AuditEvent.objects.count()

    assert contacts_verify(actor=personas.account_manager, customer=org) == 0
    assert AuditEvent.objects.count() == events


def test_a_contact_of_another_file_is_refused(personas: Personas, org: Customer) -> None:
    from django.core.exceptions import ValidationError

    elsewhere = records.make(
        "contact", CustomerFactory(department=personas.sales, account_manager=personas.colleague)
    )

    with pytest.raises(ValidationError):
        contacts_verify(actor=personas.account_manager, customer=org, contacts=[elsewhere.pk])


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "Contact 刘洋 verified"), ("zh-hans", "联系人 刘洋 已核实")]
)
def test_the_contacts_section_marks_a_contact_verified(
    personas: Personas, org: Customer, client_for, language: str, shown: str
) -> None:
    contact = records.make("contact", org)
    client = client_for(personas.account_manager, language)
    section = client.get(reverse("customers:section", args=[org.pk, "contacts"])).content.decode()
    url = reverse("customers:contact-verify", args=[org.pk, contact.pk])
    assert url in section

    answer = client.post(url, HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert shown in answer.content.decode()
    contact.refresh_from_db()
    assert contact.verified_on == timezone.localdate()


def test_who_may_only_read_the_file_cannot_mark_a_contact(
    personas: Personas, org: Customer, client_for
) -> None:
    contact = records.make("contact", org)
    url = reverse("customers:contact-verify", args=[org.pk, contact.pk])
    for user in (personas.executive, personas.outsider):
        assert client_for(user).post(url).status_code == 404
    contact.refresh_from_db()
    assert contact.verified_by is None
