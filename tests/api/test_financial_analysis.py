"""Statements and their analysis through the API: the same checks as the form."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from credfile.customers.models import Customer
from credfile.financials.models import FinancialStatement
from tests.api.conftest import ApiFor
from tests.api.helpers import assert_problem
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def body(period_end: str, **extra: Any) -> dict[str, Any]:
    return {
        "period_type": "annual",
        "period_end": period_end,
        "currency": "CNY",
        "accounts_receivable": "1000000.00",
        "current_assets": "2500000.00",
        "current_liabilities": "2000000.00",
        "total_assets": "8000000.00",
        "total_liabilities": "5000000.00",
        "equity": "3000000.00",
        "revenue": "10000000.00",
        "net_profit": "600000.00",
        **extra,
    }


def post(client: APIClient, org: Customer, data: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/customers/{org.pk}/financial-statements/", data, format="json")


def test_an_unbalanced_statement_is_a_400_naming_the_statement_and_the_difference(
    manager_api: APIClient, org: Customer
) -> None:
    problem = assert_problem(
        post(manager_api, org, body("2024-12-31", equity="2999998.99")), 400, "equity"
    )
    assert problem["errors"]["equity"] == [
        "Annual statement 2024-12-31 does not balance: total assets 8,000,000.00 CNY, total "
        "liabilities plus owners' equity 7,999,998.99 CNY, a difference of 1.01 CNY "
        "(at most 1.00 CNY is accepted)."
    ]
    assert not FinancialStatement.objects.exists()
    assert post(manager_api, org, body("2024-12-31", equity="2999999.00")).status_code == 201


def test_negative_turnover_is_a_400_in_the_users_language(
    api_for: ApiFor, personas: Personas, org: Customer
) -> None:
    client = api_for(personas.account_manager, "zh-hans")
    problem = assert_problem(
        post(client, org, body("2024-12-31", revenue="-10.00")), 400, "revenue"
    )
    (message,) = problem["errors"]["revenue"]
    assert "年度报表 2024-12-31" in message and "-10.00 CNY" in message
    assert not FinancialStatement.objects.exists()


def test_the_analysis_gives_every_figure_or_its_reason(
    manager_api: APIClient, org: Customer
) -> None:
    assert post(manager_api, org, body("2023-12-31")).status_code == 201
    later = body(
        "2024-12-31",
        accounts_receivable="1400000.00",
        total_assets="10000000.00",
        total_liabilities="6000000.00",
        equity="4000000.00",
        revenue="15000000.00",
        net_profit="900000.00",
    )
    assert post(manager_api, org, later).status_code == 201
    usd = body("2024-06-30", period_type="half_year", currency="USD")
    assert post(manager_api, org, usd).status_code == 201

    response = manager_api.get(f"/api/v1/customers/{org.pk}/financial-analysis/")

    assert response.status_code == 200
    periods = response.json()["statements"]
    assert [(p["period_end"], p["period_type"], p["currency"]) for p in periods] == [
        ("2023-12-31", "annual", "CNY"),
        ("2024-06-30", "half_year", "USD"),
        ("2024-12-31", "annual", "CNY"),
    ]
    latest = periods[2]["figures"]
    assert latest["debt_ratio"] == {"value": "0.6000", "reason": None, "note": None}
    assert latest["revenue_growth"]["value"] == "0.5000"
    # 15,000,000 / ((1,000,000 + 1,400,000) / 2)
    assert latest["receivable_turnover"]["value"] == "12.5000"
    assert latest["quick_ratio"] == {
        "value": None,
        "reason": "Inventory not recorded",
        "note": None,
    }
    first = periods[0]["figures"]
    assert first["revenue_growth"]["reason"] == "no statement for the previous period"
    assert first["return_on_equity"]["note"] == "on the closing balance: no opening balance"


def test_the_analysis_of_another_departments_file_is_not_found(
    manager_api: APIClient, foreign: Customer
) -> None:
    assert_problem(manager_api.get(f"/api/v1/customers/{foreign.pk}/financial-analysis/"), 404)


def test_the_credit_report_carries_the_full_ratio_set(
    api_for: ApiFor, personas: Personas, manager_api: APIClient, org: Customer
) -> None:
    assert post(manager_api, org, body("2024-12-31")).status_code == 201
    report = api_for(personas.credit_manager).get(f"/api/v1/customers/{org.pk}/credit-report/")
    assert report.status_code == 200
    ratios = report.json()["ratios"]
    assert ratios["debt_ratio"] == "0.6250"  # 5,000,000 / 8,000,000
    assert ratios["working_capital"] == "500000.00"  # 2,500,000 − 2,000,000
    assert ratios["receivable_turnover"] == "10.0000"  # 10,000,000 / 1,000,000
    assert ratios["quick_ratio"] is None  # no inventory line
    assert ratios["period_end"] == "2024-12-31"
