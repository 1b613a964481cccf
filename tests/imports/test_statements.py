"""Importing financial statements: an organisation's periods, once each, checked as the form
checks them (balance, no negative turnover)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.financials.analysis import analyse
from credfile.financials.models import FinancialStatement
from credfile.history.models import FileVersion
from credfile.imports.services import import_file
from tests.conftest import Personas
from tests.imports.helpers import csv_bytes, customer_rows, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = [
    "customer",
    "period_type",
    "period_end",
    "currency",
    "audited",
    "current_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "revenue",
    "net_profit",
]
CHINESE = [
    "客户",
    "期间",
    "期末日期",
    "币种",
    "经审计",
    "流动资产",
    "资产总计",
    "流动负债",
    "负债合计",
    "所有者权益",
    "营业收入",
    "净利润",
]


@pytest.fixture
def files(personas: Personas) -> list[Customer]:
    import_file(actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(2)))
    return list(Customer.objects.order_by("external_code"))


def _run(personas: Personas, rows: list[list[str]], headers: list[str] = HEADERS, **kw):  # type: ignore[no-untyped-def]
    return import_file(
        actor=personas.account_manager,
        kind="statements",
        data=kw.pop("data", None) or csv_bytes(rows, headers),
        **kw,
    )


GOOD = [
    [
        "ERP00002",
        "annual",
        "2024-12-31",
        "",
        "yes",
        "600",
        "1000",
        "400",
        "600",
        "400",
        "2000",
        "80",
    ],
    [
        "ERP00002",
        "年度",
        "2025-12-31",
        "CNY",
        "否",
        "700",
        "1200",
        "450",
        "700",
        "500",
        "2400",
        "100",
    ],
    ["ERP00002", "quarter", "2026-03-31", "", "", "720", "1250", "460", "730", "520", "650", "30"],
]


def test_statements_come_in_once_and_feed_the_analysis(
    personas: Personas, files: list[Customer]
) -> None:
    result = _run(personas, GOOD)
    assert result.created == 3, result.errors
    company = files[1]
    annual = FinancialStatement.objects.get(customer=company, period_end="2025-12-31")
    assert (annual.period_type, annual.total_assets, annual.revenue, annual.audited) == (
        "annual",
        Decimal("1200"),
        Decimal("2400"),
        False,
    )
    assert FinancialStatement.objects.get(period_end="2024-12-31").audited is True
    assert AuditEvent.objects.filter(object_type="financials.financialstatement").count() == 3
    assert FileVersion.objects.filter(object_type="financials.financialstatement").count() == 3
    company.refresh_from_db()
    # One change of the file for the whole import, however many periods it brings.
    assert company.version == 2
    # The imported periods are the analysis' periods: revenue growth 2024 → 2025 is 20 %.
    columns = analyse(list(company.financial_statements.all()))
    by_end = {c.statement.period_end.isoformat(): c.figures for c in columns}
    assert by_end["2025-12-31"]["revenue_growth"].value == Decimal("0.2")
    again = _run(personas, GOOD)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert FinancialStatement.objects.count() == 3


def test_chinese_headers_and_xlsx(personas: Personas, files: list[Customer]) -> None:
    result = _run(personas, [], data=xlsx_bytes(GOOD[:1], CHINESE))
    assert result.created == 1, result.errors


def test_a_recorded_period_with_other_figures_is_refused(
    personas: Personas, files: list[Customer]
) -> None:
    assert _run(personas, GOOD[:1]).created == 1
    changed = [[*GOOD[0][:10], "2100", "80"]]
    errors = _run(personas, changed).errors
    assert [(e.row, e.column, e.message) for e in errors] == [
        (
            2,
            "period_end",
            "A statement for this period is already recorded with other figures; "
            "correct it on the credit file.",
        )
    ]
    assert FinancialStatement.objects.get().revenue == Decimal("2000")


def test_bad_statement_rows_name_row_column_and_problem(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [
        # Does not balance: 1000 ≠ 600 + 300.
        ["ERP00002", "annual", "2023-12-31", "", "", "", "1000", "", "600", "300", "10", "1"],
        ["ERP00002", "annual", "2022-12-31", "", "", "", "1000", "", "600", "400", "-5", "1"],
        ["ERP00001", "annual", "2022-12-31", "", "", "", "1000", "", "600", "400", "5", "1"],
        ["ERP00002", "yearly", "31/12/2021", "XYZ", "maybe", "", "", "", "600", "400", "5", "x"],
        ["ERP09999", "annual", "2020-12-31", "", "", "", "1000", "", "600", "400", "5", "1"],
        ["ERP00002", "annual", "2019-12-31", "", "", "1200", "1000", "", "600", "400", "5", "1"],
        ["ERP00002", "annual", "2024-12-31", "", "", "", "1000", "", "600", "400", "5", "1"],
        ["ERP00002", "annual", "2024-12-31", "", "", "", "1000", "", "600", "400", "5", "1"],
    ]
    found = [(e.row, e.column, e.message) for e in _run(personas, rows).errors]
    assert found == [
        (
            2,
            "equity",
            "Annual statement 2023-12-31 does not balance: total assets 1,000.00 CNY, total "
            "liabilities plus owners' equity 900.00 CNY, a difference of 100.00 CNY (at most "
            "1.00 CNY is accepted).",
        ),
        (
            3,
            "revenue",
            "Annual statement 2022-12-31: operating revenue cannot be negative (-5.00 CNY).",
        ),
        (
            4,
            "customer",
            "Financial statements are for organisations; enter personal financial "
            "information for an individual.",
        ),
        (
            5,
            "period_type",
            "Write annual, half-year, quarter or month (年度、半年度、季度、月度).",
        ),
        (5, "period_end", "Not a date: write it as YYYY-MM-DD."),
        (5, "currency", "No such currency."),
        (5, "audited", "Write yes or no (是 or 否)."),
        (5, "total_assets", "Enter an amount."),
        (5, "net_profit", "Enter a number."),
        (6, "customer", "No customer of yours has this code or number."),
        (7, "current_assets", "Current assets cannot exceed total assets."),
        (9, "period_end", "The same statement is on row 8 already."),
    ]
    assert FinancialStatement.objects.count() == 0


def test_a_missing_required_column_is_named(personas: Personas, files: list[Customer]) -> None:
    headers = [h for h in HEADERS if h != "equity"]
    rows = [r[:9] + r[10:] for r in GOOD]
    with translation.override("zh-hans"):
        errors = _run(personas, rows, headers).errors
    assert [(e.row, e.column, e.message) for e in errors] == [
        (1, "equity", "缺少必填列 equity（所有者权益合计）。")
    ]
