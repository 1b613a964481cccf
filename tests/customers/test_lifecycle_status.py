"""Settled and archived are reached through the file's life cycle only (file_settle,
file_archive), which records who did it and when: the edit form, the API, change requests
and periodic reviews refuse them with a message naming the status field, while a file that
is settled already shows its status and saves unchanged."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from credfile.audit.models import AuditEvent
from credfile.changes import services as changes
from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.customers.services import customer_create, customer_update
from credfile.history.models import FileVersion
from credfile.retention.models import FileLifecycle
from credfile.retention.services import file_settle
from tests.customers.formhtml import form_data
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MESSAGE = {
    "en": "A file is settled or archived only on its life cycle page",
    "zh-hans": "档案只能在其生命周期页面上结清或归档",
}


@pytest.fixture
def customer(personas: Any) -> Customer:
    return CustomerFactory(
        department=personas.sales, account_manager=personas.account_manager, status="active"
    )


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="status".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def _state(customer: Customer) -> tuple[str, int, int, int, int]:
    customer.refresh_from_db()
    return (
        customer.status,
        customer.version,
        AuditEvent.objects.count(),
        FileVersion.objects.count(),
        ChangeRequest.objects.count(),
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", ["settled", "archived"])
def test_the_edit_form_refuses_settled_and_archived_naming_the_status(
    personas: Any, client_for: Any, customer: Customer, language: str, status: str
) -> None:
    client = client_for(personas.account_manager, language)
    url = reverse("customers:edit", args=[customer.pk])
    page = client.get(url)
    assert _options(page.content.decode()) == ["", "prospect", "active", "dormant"]
    data = form_data(page.content.decode(), "customer-form")
    before = _state(customer)

    response = client.post(url, data | {"status": status})

    assert response.status_code == 422
    assert MESSAGE[language] in str(response.context["form"].errors["status"])
    assert MESSAGE[language] in response.content.decode()
    assert _state(customer) == before


def test_a_new_file_cannot_be_opened_settled(personas: Any, client_for: Any) -> None:
    client = client_for(personas.account_manager, "zh-hans")
    url = reverse("customers:new")
    data = form_data(client.get(url).content.decode(), "customer-form")
    customers = Customer.objects.count()
    response = client.post(url, data | {"name": "北京新开科技有限公司", "status": "settled"})
    assert response.status_code == 422
    assert MESSAGE["zh-hans"] in str(response.context["form"].errors["status"])
    assert Customer.objects.count() == customers


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_settled_file_shows_its_status_and_saves_unchanged(
    personas: Any, client_for: Any, customer: Customer, language: str
) -> None:
    file_settle(actor=personas.department_head, customer=customer)
    client = client_for(personas.account_manager, language)
    url = reverse("customers:edit", args=[customer.pk])
    html = client.get(url).content.decode()
    assert _options(html) == ["", "prospect", "active", "dormant", "settled"]
    data = form_data(html, "customer-form")
    assert data["status"] == "settled"
    before = _state(customer)
    events = list(AuditEvent.objects.values_list("pk", flat=True))

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _state(customer) == before, AuditEvent.objects.exclude(pk__in=events).values()
    assert FileLifecycle.objects.get(customer=customer).settled_by == personas.department_head


def test_a_settled_file_moving_on_from_settled_to_archived_in_the_form_is_refused(
    personas: Any, client_for: Any, customer: Customer
) -> None:
    file_settle(actor=personas.department_head, customer=customer)
    client = client_for(personas.department_head, "en")
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url).content.decode(), "customer-form")
    before = _state(customer)
    response = client.post(url, data | {"status": "archived"})
    assert response.status_code == 422
    assert MESSAGE["en"] in str(response.context["form"].errors["status"])
    assert _state(customer) == before


def _api(user: Any, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", ["settled", "archived"])
def test_the_api_refuses_settled_and_archived_naming_the_status(
    personas: Any, customer: Customer, language: str, status: str
) -> None:
    client = _api(personas.department_head, language)
    before = _state(customer)

    response = client.patch(f"/api/v1/customers/{customer.pk}/", {"status": status}, format="json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert any(MESSAGE[language] in m for m in response.json()["errors"]["status"])
    assert _state(customer) == before

    created = client.post(
        "/api/v1/customers/",
        {"kind": "organization", "name": "上海新开贸易有限公司", "status": status},
        format="json",
    )
    assert created.status_code == 400, created.content
    assert any(MESSAGE[language] in m for m in created.json()["errors"]["status"])


def test_the_api_still_sets_the_other_statuses(personas: Any, customer: Customer) -> None:
    response = _api(personas.department_head, "en").patch(
        f"/api/v1/customers/{customer.pk}/", {"status": "dormant"}, format="json"
    )
    # The status is a classification field: a request for the department head's approval.
    assert response.status_code == 202, response.content
    request = ChangeRequest.objects.get(customer=customer)
    assert request.proposal["changes"] == {"status": "dormant"}


@pytest.mark.parametrize("status", ["settled", "archived"])
def test_the_services_refuse_the_lifecycle_statuses_from_any_other_path(
    personas: Any, customer: Customer, status: str
) -> None:
    before = _state(customer)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        customer_update(
            actor=personas.department_head, customer=customer, fields={"status": status}
        )
    assert MESSAGE["zh-hans"] in refused.value.message_dict["status"][0]
    # A proposal (the status is in an approval group) is refused when it is submitted.
    with translation.override("en"), pytest.raises(ValidationError) as proposed:
        changes.customer_edit(
            actor=personas.account_manager, customer=customer, fields={"status": status}
        )
    assert MESSAGE["en"] in proposed.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as opened:
        customer_create(
            actor=personas.account_manager,
            fields={"kind": "organization", "name": "广州新开有限公司", "status": status},
        )
    assert "status" in opened.value.message_dict
    assert _state(customer) == before


def test_the_life_cycle_still_settles_and_records_who_and_when(
    personas: Any, customer: Customer
) -> None:
    day = datetime.date(2026, 3, 2)
    lifecycle = file_settle(actor=personas.department_head, customer=customer, today=day)
    customer.refresh_from_db()
    assert customer.status == "settled"
    assert (lifecycle.settled_on, lifecycle.settled_by) == (day, personas.department_head)
    # Sent back unchanged, a settled status is no change.
    version = customer.version
    customer_update(actor=personas.department_head, customer=customer, fields={"status": "settled"})
    customer.refresh_from_db()
    assert customer.version == version
