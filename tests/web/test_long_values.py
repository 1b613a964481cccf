"""Long values: a clear limit with an error that names the field, and lists that hold up."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.access.models import PURPOSE_MAX_LENGTH, UsageApplication
from credfile.customers.models import NAME_MAX_LENGTH, Customer
from credfile.customers.services import customer_create
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "长" * (NAME_MAX_LENGTH + 1)


def _new_file(name: str, personas: Personas | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": "organization", "name": name, "category": "regular"}
    if personas is not None:  # the form asks for them; the service defaults to the actor's
        fields.update(department=personas.sales.pk, account_manager=personas.account_manager.pk)
    return fields


def _field_errors(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', html)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            f"Name can have at most {NAME_MAX_LENGTH} characters (it has {NAME_MAX_LENGTH + 1}).",
        ),
        ("zh-hans", f"名称最多 {NAME_MAX_LENGTH} 个字符（现有 {NAME_MAX_LENGTH + 1} 个）。"),
    ],
)
def test_a_too_long_name_is_refused_on_the_form_naming_the_field(
    personas: Personas, client_for: Any, language: str, expected: str
) -> None:
    client = client_for(personas.account_manager, language)
    response = client.post(reverse("customers:new"), _new_file(TOO_LONG, personas))
    assert response.status_code == 422
    assert expected in _field_errors(response.content.decode())
    assert not Customer.objects.exists()


def test_a_name_of_the_maximum_length_is_accepted(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.account_manager)
    response = client.post(reverse("customers:new"), _new_file("长" * NAME_MAX_LENGTH, personas))
    assert response.status_code == 302
    assert Customer.objects.get().name == "长" * NAME_MAX_LENGTH


def test_the_service_refuses_a_too_long_name_naming_the_field(personas: Personas) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        customer_create(actor=personas.account_manager, fields=_new_file(TOO_LONG))
    assert refused.value.message_dict["name"] == [
        f"A name can have at most {NAME_MAX_LENGTH} characters (it has {NAME_MAX_LENGTH + 1})."
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"A name can have at most {NAME_MAX_LENGTH} characters."),
        ("zh-hans", f"名称最多 {NAME_MAX_LENGTH} 个字符。"),
    ],
)
def test_the_api_refuses_a_too_long_name_naming_the_field(
    personas: Personas, api_for: Any, language: str, expected: str
) -> None:
    client = api_for(personas.account_manager, language)
    response = client.post("/api/v1/customers/", _new_file(TOO_LONG), format="json")
    assert response.status_code == 400
    assert expected in str(response.json())
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"A purpose can have at most {PURPOSE_MAX_LENGTH} characters (it has 501)."),
        ("zh-hans", f"使用目的最多 {PURPOSE_MAX_LENGTH} 个字符（现有 501 个）。"),
    ],
)
def test_a_too_long_purpose_is_refused_next_to_the_field(
    personas: Personas, client_for: Any, language: str, expected: str
) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    today = timezone.localdate()
    client = client_for(personas.outsider, language)
    response = client.post(
        reverse("access:new"),
        {
            "customer_code": customer.code,
            "sections": ["basic"],
            "purpose": "核" * (PURPOSE_MAX_LENGTH + 1),
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert expected in _field_errors(response.content.decode())
    assert not UsageApplication.objects.exists()
