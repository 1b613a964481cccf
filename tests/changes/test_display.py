"""A change request shows every field by its translated label and every value as the file
page does: money with its currency, dates, choices by name."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from credfile.changes.models import ChangeRequest
from credfile.changes.services import customer_edit
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def acme(personas: Personas) -> Customer:
    return customer_create(
        actor=personas.account_manager,
        fields={
            "kind": "organization",
            "name": "Acme Trading Ltd",
            "registered_capital": Decimal("50000000.00"),
            "established_on": datetime.date(2023, 1, 20),
            "category": "regular",
        },
    )


@pytest.fixture
def change(personas: Personas, acme: Customer) -> ChangeRequest:
    customer_edit(
        actor=personas.account_manager,
        customer=acme,
        fields={
            "registered_capital": Decimal("75000000.00"),
            "established_on": datetime.date(2023, 2, 1),
            "category": "strategic",
        },
    )
    return ChangeRequest.objects.get(customer=acme, field_group="identity")


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_request_shows_money_and_dates_as_the_file_page_does_in_english(
    personas: Personas, client_for, change: ChangeRequest
) -> None:
    page = client_for(personas.department_head).get(reverse("changes:detail", args=[change.pk]))

    html = page.content.decode()
    assert "50,000,000.00 CNY" in html
    assert "75,000,000.00 CNY" in html
    assert "50000000.00" not in html and "75000000.00" not in html
    assert "registered capital" in html.lower()
    assert "2023-01-20" in html and "2023-02-01" in html
    # The English page holds no Chinese label (the department in the navbar is data).
    assert not CJK.search(_main(html).replace(personas.sales.name, ""))


def test_the_request_speaks_chinese_on_a_chinese_page(
    personas: Personas, client_for, change: ChangeRequest
) -> None:
    page = client_for(personas.department_head, "zh-hans").get(
        reverse("changes:detail", args=[change.pk])
    )

    html = _main(page.content.decode())
    assert "注册资本" in html
    assert "50,000,000.00 CNY" in html
    assert "registered capital" not in html.lower()


def test_a_classification_change_names_the_choice(
    personas: Personas, client_for, acme: Customer, change: ChangeRequest
) -> None:
    classification = ChangeRequest.objects.get(customer=acme, field_group="classification")
    page = client_for(personas.department_head).get(
        reverse("changes:detail", args=[classification.pk])
    )
    html = page.content.decode()
    assert "Strategic customer" in html and "Regular customer" in html
    assert ">strategic<" not in html
