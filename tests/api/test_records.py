"""/api/v1/customers/{id}/<records>/: the records kept in a credit file."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from rest_framework.test import APIClient

from credfile.audit.models import AuditEvent
from credfile.customers.models import Address, Contact, Customer
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.interactions.models import Note, ServiceRecord
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from tests.api.conftest import ApiFor
from tests.api.helpers import assert_problem
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def url(customer: Customer, segment: str) -> str:
    return f"/api/v1/customers/{customer.pk}/{segment}/"


def invoice(
    customer: Customer,
    number: str = "INV-1",
    amount: str = "1000.00",
    currency: str = "CNY",
    issued: datetime.date = datetime.date(2024, 1, 10),
) -> Invoice:
    return Invoice.objects.create(
        customer=customer,
        number=number,
        issue_date=issued,
        due_date=issued + datetime.timedelta(days=30),
        payment_terms_days=30,
        amount=Decimal(amount),
        currency=currency,
    )


# (segment, model, customer fixture, input, fields expected in the output)
RESOURCES: list[tuple[str, type[models.Model], str, dict[str, Any], dict[str, Any]]] = [
    (
        "contacts",
        Contact,
        "org",
        {"name": "刘洋", "role": "finance", "mobile": "13700001111", "is_primary": True},
        {"name": "刘洋", "mobile": "137****1111", "is_primary": True},
    ),
    (
        "addresses",
        Address,
        "org",
        {
            "kind": "registered",
            "province": "11",
            "city": "北京市",
            "line": "海淀区中关村大街1号",
            "postcode": "100080",
        },
        {"line": "海淀区中关村大街1号", "postcode": "100080"},
    ),
    (
        "individual-financials",
        IndividualFinancial,
        "person",
        {
            "as_of": "2024-12-31",
            "annual_income": "360000",
            "total_assets": "2500000.00",
            "total_liabilities": "800000.00",
            "employer": "某银行",
        },
        {"annual_income": "***", "currency": "CNY"},
    ),
    (
        "financial-statements",
        FinancialStatement,
        "org",
        {
            "period_end": "2023-12-31",
            "audited": True,
            "total_assets": "1000000.00",
            "total_liabilities": "400000.00",
            "equity": "600000.00",
            "revenue": "2000000.00",
            "net_profit": "-15000.00",
            "current_assets": "300000.00",
        },
        {"period_type": "annual", "net_profit": "-15000.00", "cash": None},
    ),
    (
        "contracts",
        Contract,
        "org",
        {
            "number": "HT-2024-001",
            "title": "设备采购合同",
            "signed_on": "2024-03-01",
            "ends_on": "2025-03-01",
            "amount": "880000.00",
            "payment_terms_days": 60,
        },
        {"number": "HT-2024-001", "amount": "880000.00", "status": "active"},
    ),
    (
        "invoices",
        Invoice,
        "org",
        {"number": "FP-0001", "issue_date": "2024-04-01", "amount": "1200.50"},
        {
            "due_date": "2024-05-01",
            "payment_terms_days": 30,
            "amount_paid": "0.00",
            "open_amount": "1200.50",
        },
    ),
    (
        "service-records",
        ServiceRecord,
        "org",
        {
            "occurred_at": "2024-05-06T10:30:00+08:00",
            "kind": "visit",
            "channel": "visit",
            "content": "走访客户财务部",
            "result": "确认付款计划",
        },
        {"kind": "visit", "content": "走访客户财务部"},
    ),
    (
        "notes",
        Note,
        "org",
        {"kind": "minutes", "dated": "2024-05-07", "subject": "年度授信会议", "body": "纪要……"},
        {"subject": "年度授信会议", "kind": "minutes"},
    ),
]


@pytest.mark.parametrize(
    ("segment", "model", "owner", "data", "expected"),
    RESOURCES,
    ids=[r[0] for r in RESOURCES],
)
def test_create_then_list(
    request: pytest.FixtureRequest,
    manager_api: APIClient,
    segment: str,
    model: type[models.Model],
    owner: str,
    data: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    customer: Customer = request.getfixturevalue(owner)

    response = manager_api.post(url(customer, segment), data, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["customer"] == customer.pk
    for key, value in expected.items():
        assert created[key] == value, key
    assert model._default_manager.filter(pk=created["id"], customer=customer).exists()
    customer.refresh_from_db()
    assert customer.version == 2  # adding a record moves the file's version on

    listed = manager_api.get(url(customer, segment))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]
    assert listed.json()["results"][0] == created


def test_a_payment_settles_the_invoices_it_names(manager_api: APIClient, org: Customer) -> None:
    first, second = invoice(org, "INV-1", "1000.00"), invoice(org, "INV-2", "500.00")

    response = manager_api.post(
        url(org, "payments"),
        {
            "received_on": "2024-02-01",
            "amount": "700.00",
            "method": "bank_transfer",
            "reference": "BANK-77",
            "allocations": [
                {"invoice": second.pk, "amount": "500.00"},
                {"invoice": first.pk, "amount": "200"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "700.00"
    assert sorted((a["invoice_number"], a["amount"]) for a in body["allocations"]) == [
        ("INV-1", "200.00"),
        ("INV-2", "500.00"),
    ]
    second.refresh_from_db()
    assert second.fully_paid_on == datetime.date(2024, 2, 1)
    listed = manager_api.get(url(org, "payments")).json()["results"]
    assert listed == [body]
    invoices = manager_api.get(url(org, "invoices")).json()["results"]
    assert {i["number"]: (i["open_amount"], i["state"]) for i in invoices} == {
        "INV-1": ("800.00", "overdue"),
        "INV-2": ("0.00", "paid"),
    }


def test_a_payment_without_allocations_settles_the_oldest_invoices(
    manager_api: APIClient, org: Customer
) -> None:
    older = invoice(org, "INV-OLD", "300.00", issued=datetime.date(2024, 1, 1))
    newer = invoice(org, "INV-NEW", "300.00", issued=datetime.date(2024, 2, 1))

    response = manager_api.post(
        url(org, "payments"), {"received_on": "2024-03-01", "amount": "400.00"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert [(a["invoice"], a["amount"]) for a in response.json()["allocations"]] == [
        (older.pk, "300.00"),
        (newer.pk, "100.00"),
    ]


def test_an_invoice_of_a_contract(manager_api: APIClient, org: Customer) -> None:
    contract = manager_api.post(
        url(org, "contracts"),
        {
            "number": "HT-9",
            "title": "框架协议",
            "signed_on": "2024-01-01",
            "amount": "100000",
            "payment_terms_days": 45,
        },
        format="json",
    ).json()

    response = manager_api.post(
        url(org, "invoices"),
        {
            "number": "FP-9",
            "contract": contract["id"],
            "issue_date": "2024-02-01",
            "amount": "5000",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["contract"] == contract["id"]
    assert response.json()["due_date"] == "2024-03-17"  # the contract's 45 days


def _snapshot() -> dict[str, int]:
    models_ = (
        Contact,
        Address,
        IndividualFinancial,
        FinancialStatement,
        Contract,
        Invoice,
        Payment,
        PaymentAllocation,
        ServiceRecord,
        Note,
    )
    counted = {m.__name__: m._default_manager.count() for m in models_}
    # Refused reads are themselves audited (access_denied); nothing else may be written.
    counted["AuditEvent"] = AuditEvent.objects.exclude(action="access_denied").count()
    return counted


@pytest.mark.parametrize(
    ("segment", "data", "field", "message"),
    [
        (
            "contracts",
            {"number": "N1", "title": "t", "signed_on": "2024-01-01", "amount": "-5.00"},
            "amount",
            "The amount cannot be negative.",
        ),
        (
            "contracts",
            {"number": "N1", "title": "t", "signed_on": "2024-01-01", "amount": "five"},
            "amount",
            "A valid number is required.",
        ),
        (
            "contracts",
            {"number": "N1", "title": "t", "signed_on": "2024-02-30", "amount": "5"},
            "signed_on",
            None,
        ),
        (
            "contracts",
            {
                "number": "N1",
                "title": "t",
                "signed_on": "2024-02-01",
                "ends_on": "2024-01-01",
                "amount": "5",
            },
            "ends_on",
            "The end date cannot be before the signing date.",
        ),
        (
            "invoices",
            {"number": "F1", "issue_date": "2024-03-01", "due_date": "2024-02-01", "amount": "10"},
            "due_date",
            "The due date cannot be before the invoice date.",
        ),
        (
            "invoices",
            {"number": "F1", "issue_date": "2024-03-01", "amount": "-10"},
            "amount",
            "The amount cannot be negative.",
        ),
        (
            "invoices",
            {"number": "F1", "issue_date": "2024-03-01", "amount": "0"},
            "amount",
            "The amount must be above zero.",
        ),
        (
            "invoices",
            {"number": "F1", "issue_date": "2024-03-01", "amount": "10", "contract": 999999},
            "contract",
            "This contract does not belong to this customer.",
        ),
        (
            "payments",
            {"received_on": "2024-03-01", "amount": "-1"},
            "amount",
            "The amount cannot be negative.",
        ),
        (
            "payments",
            {"received_on": "2024-03-01", "amount": "1,000"},
            "amount",
            "A valid number is required.",
        ),
        (
            "payments",
            {"received_on": "2024-03-01", "amount": "1000.01"},
            "amount",
            "The payment is above the open amount of this customer's invoices (1000.00).",
        ),
        (
            "payments",
            {
                "received_on": "2024-03-01",
                "amount": "2000",
                "allocations": [{"invoice": "OPEN", "amount": "1500.00"}],
            },
            "allocations",
            "1500.00 is more than the open amount 1000.00 of invoice INV-1.",
        ),
        (
            "payments",
            {
                "received_on": "2024-03-01",
                "amount": "2000",
                "allocations": [{"invoice": "OPEN", "amount": "x"}],
            },
            "allocations.0.amount",
            "A valid number is required.",
        ),
        (
            "payments",
            {
                "received_on": "2024-03-01",
                "amount": "20",
                "allocations": [
                    {"invoice": "OPEN", "amount": "10"},
                    {"invoice": "OPEN", "amount": "10"},
                ],
            },
            "allocations",
            "Allocate to each invoice only once.",
        ),
        (
            "contacts",
            {"name": "无联系方式"},
            "mobile",
            "Give at least a mobile, a phone number or an e-mail address.",
        ),
        ("contacts", {"name": "号码错", "mobile": "1380000"}, "mobile", None),
        (
            "addresses",
            {"line": "某路1号", "postcode": "10008"},
            "postcode",
            "A postcode has six digits.",
        ),
        (
            "financial-statements",
            {
                "period_end": "2023-12-31",
                "total_assets": "100",
                "total_liabilities": "10",
                "equity": "10",
                "revenue": "1",
                "net_profit": "1",
            },
            "equity",
            "Annual statement 2023-12-31 does not balance: total assets 100.00 CNY, total "
            "liabilities plus owners' equity 20.00 CNY, a difference of 80.00 CNY "
            "(at most 1.00 CNY is accepted).",
        ),
        (
            "individual-financials",
            {
                "as_of": "2024-01-01",
                "annual_income": "1",
                "total_assets": "1",
                "total_liabilities": "1",
            },
            "customer",
            None,
        ),
        ("service-records", {"occurred_at": "yesterday", "content": "x"}, "occurred_at", None),
        ("notes", {"dated": "2024-01-01", "subject": "s"}, "body", "This field is required."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    manager_api: APIClient,
    org: Customer,
    segment: str,
    data: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    open_invoice = invoice(org, "INV-1", "1000.00")
    for allocation in data.get("allocations", []):
        allocation["invoice"] = open_invoice.pk
    before = _snapshot()

    body = assert_problem(manager_api.post(url(org, segment), data, format="json"), 400, field)

    if message is not None:
        assert message in body["errors"][field]
    assert _snapshot() == before
    org.refresh_from_db()
    assert org.version == 1


def test_another_departments_file_is_not_found(manager_api: APIClient, foreign: Customer) -> None:
    before = _snapshot()
    for segment in ("contacts", "invoices", "payments", "notes"):
        assert_problem(manager_api.get(url(foreign, segment)), 404)
        assert_problem(manager_api.post(url(foreign, segment), {}, format="json"), 404)
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["auditor", "colleague", "credit_manager"])
def test_who_may_read_a_file_but_not_change_it_gets_403(
    api_for: ApiFor, personas: Personas, org: Customer, role: str
) -> None:
    client = api_for(getattr(personas, role))
    before = _snapshot()

    response = client.post(
        url(org, "notes"), {"dated": "2024-01-01", "subject": "s", "body": "b"}, format="json"
    )

    assert_problem(response, 403)
    assert _snapshot() == before
    assert client.get(url(org, "notes")).status_code == 200


def test_lists_are_paginated_newest_first(manager_api: APIClient, org: Customer) -> None:
    for day in (3, 1, 2, 5, 4):
        Note.objects.create(
            customer=org, dated=datetime.date(2024, 1, day), subject=f"d{day}", body="b"
        )
    first = manager_api.get(url(org, "notes"), {"page_size": 2}).json()
    second = manager_api.get(first["next"]).json()
    third = manager_api.get(second["next"]).json()
    subjects = [n["subject"] for page in (first, second, third) for n in page["results"]]
    assert subjects == ["d5", "d4", "d3", "d2", "d1"]
    assert third["next"] is None


def test_lists_cost_the_same_queries_for_any_number_of_rows(
    manager_api: APIClient, org: Customer, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        inv = invoice(org, f"INV-{i}", "100.00")
        payment = Payment.objects.create(
            customer=org, received_on=datetime.date(2024, 2, 1), amount=Decimal("60.00")
        )
        PaymentAllocation.objects.create(payment=payment, invoice=inv, amount=Decimal("60.00"))
        Contact.objects.create(customer=org, name=f"联系人{i}", mobile="13700001111")
    # Token, the caller's usage grants, the file, one page (and for payments, their
    # allocations with invoices), and the record of the read: one audit event appended
    # (savepoint, the chain head locked, the event, the head moved, release).
    for segment, rows in (("payments", 12), ("invoices", 12), ("contacts", 12)):
        with django_assert_max_num_queries(10):
            response = manager_api.get(url(org, segment), {"page_size": 50})
        assert len(response.json()["results"]) == rows
