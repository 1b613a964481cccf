"""The history page in each language: translated labels, values formatted as on the file."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from credfile.changes.models import ChangeRequest
from credfile.changes.services import change_request_approve, customer_edit
from credfile.customers.models import Customer
from credfile.customers.services import customer_create, customer_update
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def acme(personas: Personas) -> Customer:
    customer = customer_create(
        actor=personas.account_manager,
        fields={
            "kind": "organization",
            "name": "Acme Trading Ltd",
            "city": "Tianjin",
            "registered_capital": Decimal("50000000.00"),
            "established_on": datetime.date(2023, 1, 20),
            "category": "regular",
        },
    )
    customer = customer_update(
        actor=personas.account_manager, customer=customer, fields={"remarks": "Long-standing"}
    )
    customer_edit(
        actor=personas.account_manager,
        customer=customer,
        fields={"registered_capital": Decimal("75000000.00"), "category": "key"},
    )
    for request in ChangeRequest.objects.filter(customer=customer):
        customer.refresh_from_db()
        change_request_approve(
            actor=personas.department_head, request=request, expected_version=customer.version
        )
    customer.refresh_from_db()
    return customer


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _data_free(html: str, personas: Personas) -> str:
    for value in (
        personas.sales.name,
        str(personas.account_manager),
        str(personas.department_head),
    ):
        html = html.replace(value, "")
    return html


def test_the_english_history_has_english_labels_and_the_file_pages_formatting(
    personas: Personas, client_for, acme: Customer
) -> None:
    page = client_for(personas.account_manager).get(reverse("history:list", args=[acme.pk]))

    assert page.status_code == 200
    html = _main(page.content.decode())
    assert "75,000,000.00 CNY" in html and "50,000,000.00 CNY" in html
    assert "75000000.00" not in html
    assert "registered capital" in html.lower() and "Key customer" in html
    assert not CJK.search(_data_free(html, personas)), CJK.findall(_data_free(html, personas))


def test_the_chinese_history_has_chinese_labels(
    personas: Personas, client_for, acme: Customer
) -> None:
    page = client_for(personas.account_manager, "zh-hans").get(
        reverse("history:list", args=[acme.pk])
    )

    html = _main(page.content.decode())
    assert "注册资本" in html and "重点客户" in html
    assert "registered capital" not in html.lower()
    assert "Key customer" not in html


def test_the_comparison_of_two_versions_is_formatted_the_same_way(
    personas: Personas, client_for, acme: Customer
) -> None:
    page = client_for(personas.account_manager).get(
        reverse("history:diff", args=[acme.pk]), {"from": 1, "to": acme.version}
    )

    html = _main(page.content.decode())
    assert "75,000,000.00 CNY" in html
    assert not CJK.search(_data_free(html, personas))


def test_a_file_loaded_as_demo_data_says_so_in_the_readers_language(
    personas: Personas, client_for
) -> None:
    from django.utils import timezone

    from credfile.demo.loader import load_demo

    load_demo(customers=1, seed=5, as_of=timezone.localdate(), parallel=False)
    customer = Customer.objects.get()
    url = reverse("history:list", args=[customer.pk])

    chinese = _main(client_for(personas.credit_manager, "zh-hans").get(url).content.decode())
    english = _main(client_for(personas.credit_manager).get(url).content.decode())

    who = re.compile(r'data-operation="baseline">.*?<td class="small">(.*?)</td>', re.DOTALL)
    assert who.search(chinese).group(1) == "演示数据"  # type: ignore[union-attr]
    assert who.search(english).group(1) == "demo data"  # type: ignore[union-attr]


def test_a_version_no_user_made_is_the_systems_in_the_readers_language() -> None:
    from django.utils import translation

    from credfile.history.models import DEMO_ACTOR, SYSTEM_ACTOR, FileVersion

    with translation.override("zh-hans"):
        assert FileVersion(actor_label=SYSTEM_ACTOR).actor_text == "系统"
        assert FileVersion(actor_label=DEMO_ACTOR).actor_text == "演示数据"
    with translation.override("en"):
        assert FileVersion(actor_label=SYSTEM_ACTOR).actor_text == "system"
    # A name recorded for someone who has since gone stays as it was recorded.
    assert FileVersion(actor_label="li.na").actor_text == "li.na"
