"""Blocking credit under a limit: the button on the file's limits section and
POST /api/v1/credit-limits/{id}/block/, by a credit manager or the executive only, with a
reason kept and shown; the exposure check refuses while blocked."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.limits.models import CreditLimit, CustomerGroup
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
CHECK = {"customer": "ERP-4711", "amount": "1000", "currency": "CNY"}


def limit_of(customer: Customer, personas: Personas) -> CreditLimit:
    return CreditLimit.objects.create(
        customer=customer,
        currency="CNY",
        amount=D("100000"),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        approved_by=personas.credit_manager,
    )


def url(limit: CreditLimit) -> str:
    return f"/api/v1/credit-limits/{limit.pk}/block/"


def check(client: Any) -> dict[str, Any]:
    response = client.post("/api/v1/exposure-checks/", CHECK, format="json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("role", ["credit_manager", "executive"])
def test_the_credit_department_blocks_and_unblocks_with_a_reason(
    api_for, personas: Personas, company, role: str
) -> None:
    limit = limit_of(company, personas)
    client = api_for(getattr(personas, role))

    blocked = client.post(url(limit), {"blocked": True, "reason": "破产传闻"}, format="json")

    assert blocked.status_code == 200, blocked.content
    assert (blocked.json()["blocked"], blocked.json()["block_reason"]) == (True, "破产传闻")
    refused = check(client)
    assert refused["allowed"] is False
    assert [r["code"] for r in refused["reasons"]] == ["blocked"]

    unblocked = client.post(url(limit), {"blocked": False, "reason": "已核实"}, format="json")

    assert unblocked.json()["blocked"] is False
    assert check(client)["allowed"] is True
    trail = AuditEvent.objects.filter(object_type="limits.creditlimit").order_by("seq")
    assert [(e.before["blocked"], e.after["blocked"], e.after["block_reason"]) for e in trail] == [
        (False, True, "破产传闻"),
        (True, False, "已核实"),
    ]


def test_the_same_flag_again_changes_nothing(api_for, personas: Personas, company) -> None:
    limit = limit_of(company, personas)
    client = api_for(personas.credit_manager)
    client.post(url(limit), {"blocked": True, "reason": "a"}, format="json")

    again = client.post(url(limit), {"blocked": True, "reason": "b"}, format="json")

    assert again.json()["block_reason"] == "a"
    assert AuditEvent.objects.filter(object_type="limits.creditlimit").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"blocked": True}, "reason"), ({"blocked": True, "reason": "  "}, "reason"), ({}, "blocked")],
)
def test_a_block_needs_its_flag_and_reason(
    api_for, personas: Personas, company, body: dict[str, Any], field: str
) -> None:
    limit = limit_of(company, personas)

    response = api_for(personas.credit_manager).post(url(limit), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not CreditLimit.objects.get().blocked


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("account_manager", 403),
        ("department_head", 403),
        ("auditor", 403),
        ("outsider", 404),  # another department's file: not found
        ("admin", 404),
    ],
)
def test_no_other_role_blocks(api_for, personas: Personas, company, role: str, status: int) -> None:
    limit = limit_of(company, personas)

    response = api_for(getattr(personas, role)).post(
        url(limit), {"blocked": True, "reason": "x"}, format="json"
    )

    assert response.status_code == status
    assert not CreditLimit.objects.get().blocked


def test_the_section_has_the_button_for_the_credit_department_only(
    client_for, personas: Personas, company
) -> None:
    limit = limit_of(company, personas)
    action = reverse("limits:block", args=[limit.pk])
    page = reverse("customers:section", args=[company.pk, "limits"])

    for role in ("account_manager", "department_head", "auditor"):
        user_client = client_for(getattr(personas, role))
        assert action not in user_client.get(page).content.decode()
        refused = user_client.post(action, {"blocked": "1", "reason": "x"})
        assert refused.status_code == 404
    assert not CreditLimit.objects.get().blocked

    manager = client_for(personas.credit_manager)
    assert f'id="limit-block-{limit.pk}"' in manager.get(page).content.decode()
    missing = manager.post(action, {"blocked": "1", "reason": ""}, follow=True).content.decode()
    assert "Say why credit is blocked or unblocked." in missing
    assert not CreditLimit.objects.get().blocked

    shown = manager.post(action, {"blocked": "1", "reason": "涉诉冻结"}, follow=True)

    text = shown.content.decode()
    assert "Credit in CNY blocked." in text
    assert f"Blocked by {personas.credit_manager}" in text and "涉诉冻结" in text
    assert "Unblock credit" in text
    assert CreditLimit.objects.get().blocked


def test_another_departments_limit_is_not_found_on_the_page(client_for, personas: Personas) -> None:
    elsewhere = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    limit = limit_of(elsewhere, personas)
    response = client_for(personas.department_head).post(
        reverse("limits:block", args=[limit.pk]), {"blocked": "1", "reason": "x"}
    )
    assert response.status_code == 404


def test_a_groups_limit_is_blocked_from_its_page_and_the_api(
    api_for, client_for, personas: Personas, company
) -> None:
    group = CustomerGroup.objects.create(name="华东集团", created_by=personas.credit_manager)
    limit = CreditLimit.objects.create(
        group=group,
        currency="CNY",
        amount=D("500000"),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        approved_by=personas.credit_manager,
    )

    body = api_for(personas.executive).post(
        url(limit), {"blocked": True, "reason": "集团涉诉"}, format="json"
    )
    assert body.status_code == 200
    assert (body.json()["group"], body.json()["customer"], body.json()["customer_code"]) == (
        group.pk,
        None,
        None,
    )
    response = client_for(personas.credit_manager).post(
        reverse("limits:block", args=[limit.pk]), {"blocked": "0", "reason": "已解除"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("limits:group", args=[group.pk])
    assert not CreditLimit.objects.get(pk=limit.pk).blocked
