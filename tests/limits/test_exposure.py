"""POST /api/v1/exposure-checks/: the boundary with tolerance, each refusal, bad input, who
may call it, and the record kept of every check."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.limits.models import CreditLimit, ExposureCheck, OpenOrder
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.limits.conftest import grade

pytestmark = pytest.mark.django_db
URL = "/api/v1/exposure-checks/"


def _invoice(personas: Personas, customer: Customer, number: str, amount: str, due: int) -> None:
    """An open invoice due `due` days from today (negative: overdue)."""
    today = timezone.localdate()
    due_on = today + datetime.timedelta(days=due)
    invoice_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "number": number,
            "issue_date": min(today, due_on),
            "due_date": due_on,
            "amount": D(amount),
            "currency": "CNY",
        },
    )


@pytest.fixture
def limited(personas: Personas, company: Customer) -> Customer:
    """Limit 100,000 CNY; open: invoice 60,000 (not due), order 10,000, shipment 5,000."""
    CreditLimit.objects.create(
        customer=company,
        currency="CNY",
        amount=D("100000"),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        approved_by=personas.credit_manager,
    )
    _invoice(personas, company, "FP-1", "60000", due=30)
    OpenOrder.objects.create(customer=company, reference="SO-1", amount=D("10000"), kind="order")
    OpenOrder.objects.create(customer=company, reference="DN-1", amount=D("5000"), kind="shipment")
    OpenOrder.objects.create(
        customer=company, reference="SO-0", amount=D("99999"), kind="order", is_open=False
    )
    return company


def _check(client: Any, customer: str, amount: str, currency: str = "CNY") -> Any:
    return client.post(
        URL, {"customer": customer, "amount": amount, "currency": currency}, format="json"
    )


def test_exposure_up_to_the_limit_with_its_tolerance_is_allowed(
    api_for: Any, personas: Personas, limited: Customer
) -> None:
    api = api_for(personas.credit_manager)
    # 60,000 + 10,000 + 5,000 + 30,000 = 105,000 = 100,000 × 1.05: just allowed.
    body = _check(api, limited.code, "30000").json()
    assert body == {
        "id": body["id"],
        "customer": limited.code,
        "allowed": True,
        "exposure": "105000.00",
        "limit": "100000.00",
        "headroom": "-5000.00",
        "currency": "CNY",
        "reasons": [],
        "group": None,  # not in a customer group
    }
    over = _check(api, limited.code, "30000.01").json()
    assert over["allowed"] is False
    assert over["reasons"] == [
        {"code": "over_limit", "message": "The order would take exposure over the limit."}
    ]


def test_which_open_documents_count_is_configurable(
    api_for: Any, personas: Personas, limited: Customer, settings: Any
) -> None:
    settings.CREDFILE_EXPOSURE_COUNTS = ["orders"]
    settings.CREDFILE_EXPOSURE_TOLERANCE = D("0")
    body = _check(api_for(personas.credit_manager), limited.code, "30000").json()
    # 60,000 + 10,000 (the shipment not counted) + 30,000 = 100,000, no tolerance: allowed.
    assert (body["allowed"], body["exposure"], body["headroom"]) == (True, "100000.00", "0.00")


def test_each_refusal_has_its_code_and_translated_message(
    api_for: Any, personas: Personas, limited: Customer, company: Customer
) -> None:
    api = api_for(personas.credit_manager)
    limit = CreditLimit.objects.get(customer=limited)
    limit.blocked = True
    limit.save()
    _invoice(personas, limited, "FP-OLD", "100", due=-91)
    grade(limited, "CC", personas)
    body = _check(api, limited.code, "1").json()
    assert [r["code"] for r in body["reasons"]] == ["blocked", "overdue", "grade_below_floor"]
    chinese = api_for(personas.credit_manager, language="zh-hans")
    messages = [r["message"] for r in _check(chinese, limited.code, "1").json()["reasons"]]
    assert messages == [
        "该客户的信用已冻结。",
        "该客户有逾期超过允许天数的发票。",
        "该客户的评级低于下限。",
    ]


def test_overdue_within_the_allowed_days_and_the_floor_grade_pass(
    api_for: Any, personas: Personas, limited: Customer
) -> None:
    _invoice(personas, limited, "FP-LATE", "100", due=-90)
    grade(limited, "CCC", personas)
    body = _check(api_for(personas.credit_manager), limited.code, "1").json()
    assert body["allowed"] is True, body


def test_no_limit_or_an_expired_one_refuses(
    api_for: Any, personas: Personas, company: Customer
) -> None:
    api = api_for(personas.credit_manager)
    body = _check(api, company.code, "1").json()
    assert (body["allowed"], body["limit"], body["reasons"][0]["code"]) == (
        False,
        None,
        "no_limit",
    )
    CreditLimit.objects.create(
        customer=company,
        currency="CNY",
        amount=D("100000"),
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    body = _check(api, company.code, "1").json()
    assert [r["code"] for r in body["reasons"]] == ["limit_expired"]
    # A limit in another currency is no limit in this one.
    assert _check(api, company.code, "1", "USD").json()["reasons"][0]["code"] == "no_limit"


def test_the_customer_is_found_by_external_code_credit_code_or_code(
    api_for: Any, personas: Personas, limited: Customer
) -> None:
    api = api_for(personas.account_manager)
    for ref in ("ERP-4711", "91110000100000001X", limited.code.lower()):
        response = _check(api, ref, "1")
        assert response.status_code == 200, response.content
        assert response.json()["customer"] == limited.code


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer": "NOPE", "amount": "1", "currency": "CNY"}, "customer"),
        ({"customer": "ERP-4711", "amount": "-5", "currency": "CNY"}, "amount"),
        ({"customer": "ERP-4711", "amount": "1", "currency": "XYZ"}, "currency"),
        ({"customer": "ERP-4711", "currency": "CNY"}, "amount"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api_for: Any, personas: Personas, limited: Customer, data: dict[str, str], field: str
) -> None:
    response = api_for(personas.credit_manager).post(URL, data, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert not ExposureCheck.objects.exists()


def test_a_file_outside_ones_view_is_not_found(
    api_for: Any, personas: Personas, limited: Customer
) -> None:
    response = _check(api_for(personas.outsider), limited.code, "1")
    assert response.status_code == 400
    assert response.json()["errors"]["customer"] == [
        "No customer you may see has this code or number."
    ]
    assert _check(api_for(personas.auditor), limited.code, "1").status_code == 200


def test_every_check_is_kept_audited_and_refusals_are_listed(
    api_for: Any, client_for: Any, personas: Personas, limited: Customer
) -> None:
    api = api_for(personas.credit_manager)
    _check(api, limited.code, "1")
    refused_id = _check(api, limited.code, "99999").json()["id"]
    checks = list(ExposureCheck.objects.order_by("pk"))
    assert [(c.allowed, c.reasons, c.checked_by) for c in checks] == [
        (True, [], personas.credit_manager),
        (False, ["over_limit"], personas.credit_manager),
    ]
    assert AuditEvent.objects.filter(object_type__endswith="exposurecheck").count() == 2
    page = client_for(personas.credit_manager).get("/limits/refusals/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-check="{refused_id}"' in html and f'data-check="{checks[0].pk}"' not in html
    assert "The order would take exposure over the limit." in html
    assert client_for(personas.account_manager).get("/limits/refusals/").status_code == 404
    section = (
        client_for(personas.account_manager)
        .get(f"/customers/{limited.pk}/limits/")
        .content.decode()
    )
    assert f'data-check="{refused_id}"' in section and "refused" in section
