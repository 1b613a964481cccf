"""`credfile ageing` and GET /api/v1/receivables/ageing/: one shape, scoped by the policy."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credfile.customers.models import Customer
from credfile.transactions.services import invoice_create, payment_create
from tests.api.conftest import ApiFor
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _english_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands take their language from the environment; asserted in English."""
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")


def record(actor: Any, customer: Customer, number: str, amount: str, due: str, **extra: Any) -> Any:
    return invoice_create(
        actor=actor,
        customer=customer,
        fields={
            "number": number,
            "amount": Decimal(amount),
            "issue_date": datetime.date(2026, 6, 1),
            "due_date": datetime.date.fromisoformat(due),
            **extra,
        },
    )


@pytest.fixture
def ledger(personas: Personas) -> dict[str, Customer]:
    """Sales: CNY 1000 10 days past due (400 paid on 2026-11-25), USD 70 current; the export
    department: CNY 300 100 days past due."""
    sales = CustomerFactory.create(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    export = CustomerFactory.create(
        name="上海远洋贸易有限公司",
        department=personas.other,
        account_manager=personas.outsider,
    )
    head = personas.department_head
    bill = record(head, sales, "S-1", "1000", "2026-11-20")
    record(head, sales, "S-2", "70", "2026-12-15", currency="USD")
    record(personas.outsider, export, "E-1", "300", "2026-08-22")
    payment_create(
        actor=head,
        customer=sales,
        fields={"received_on": datetime.date(2026, 11, 25), "amount": Decimal("400")},
        allocations=[(bill.pk, Decimal("400"))],
    )
    return {"sales": sales, "export": export}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ageing", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_portfolio_json_has_one_entry_per_currency(ledger: Any) -> None:
    document = json.loads(run("--as-of", "2026-11-30"))
    assert document == {
        "as_of": "2026-11-30",
        "currencies": {
            "CNY": {
                "current": "0.00",
                "d1_30": "600.00",
                "d31_60": "0.00",
                "d61_90": "0.00",
                "d90_plus": "300.00",
                "total": "900.00",
            },
            "USD": {
                "current": "70.00",
                "d1_30": "0.00",
                "d31_60": "0.00",
                "d61_90": "0.00",
                "d90_plus": "0.00",
                "total": "70.00",
            },
        },
    }


def test_an_earlier_date_ignores_the_later_payment(ledger: Any) -> None:
    document = json.loads(run("--as-of", "2026-11-24"))
    assert document["currencies"]["CNY"]["d1_30"] == "1000.00"
    assert document["currencies"]["CNY"]["total"] == "1300.00"


def test_by_department_and_as_a_user(ledger: Any, personas: Personas) -> None:
    document = json.loads(run("--as-of", "2026-11-30", "--by", "department"))
    names = {g["name"]: g["currencies"] for g in document["groups"]}
    assert names["外贸部"]["CNY"]["d90_plus"] == "300.00"
    assert set(names["销售一部"]) == {"CNY", "USD"}
    mine = json.loads(run("--as-of", "2026-11-30", "--as", personas.outsider.username))
    assert mine["currencies"] == {
        "CNY": {
            "current": "0.00",
            "d1_30": "0.00",
            "d31_60": "0.00",
            "d61_90": "0.00",
            "d90_plus": "300.00",
            "total": "300.00",
        }
    }


def test_csv_and_table(ledger: Any) -> None:
    lines = run("--as-of", "2026-11-30", "--format", "csv", "--by", "customer").splitlines()
    assert lines[0] == "group,currency,current,d1_30,d31_60,d61_90,d90_plus,total"
    assert any(
        line.endswith(",USD,70.00,0.00,0.00,0.00,0.00,70.00") and "北京星辰" in line
        for line in lines
    )
    table = run("--as-of", "2026-11-30", "--format", "table")
    assert "CNY" in table and "900.00" in table


def test_a_bad_date_is_named(ledger: Any) -> None:
    with pytest.raises(CommandError, match="--as-of: 2026-13-01 is not a date"):
        run("--as-of", "2026-13-01")


def test_nothing_open_says_so_in_chinese(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "zh-hans")
    assert "2026-11-30" in run("--as-of", "2026-11-30", "--format", "table")
    assert "没有" in run("--as-of", "2026-11-30", "--format", "table")


def test_the_api_gives_the_same_document_scoped_to_the_caller(
    ledger: Any, personas: Personas, api_for: ApiFor
) -> None:
    credit = api_for(personas.credit_manager).get("/api/v1/receivables/ageing/?as_of=2026-11-30")
    assert credit.status_code == 200
    assert credit.json() == json.loads(run("--as-of", "2026-11-30"))
    head = api_for(personas.department_head).get("/api/v1/receivables/ageing/?as_of=2026-11-30")
    assert head.json()["currencies"]["CNY"]["total"] == "600.00"  # not the export department's
    outsider = api_for(personas.outsider).get(
        "/api/v1/receivables/ageing/?as_of=2026-11-30&by=customer"
    )
    groups = outsider.json()["groups"]
    assert [g["name"] for g in groups] == [f"{ledger['export'].code} 上海远洋贸易有限公司"]


def test_a_role_that_reaches_no_file_gets_an_empty_ageing(
    ledger: Any, personas: Personas, api_for: ApiFor
) -> None:
    for by in ("", "&by=customer", "&by=department"):
        answer = api_for(personas.admin).get(f"/api/v1/receivables/ageing/?as_of=2026-11-30{by}")
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body.get("currencies", {}) == {} and body.get("groups", []) == []


def test_the_api_names_a_bad_date(personas: Personas, api_for: ApiFor) -> None:
    response = api_for(personas.credit_manager).get("/api/v1/receivables/ageing/?as_of=30.11.")
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


def test_the_ageing_is_in_the_schema(client_for: Any, personas: Personas) -> None:
    client = client_for(personas.credit_manager)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/receivables/ageing/" in schema
