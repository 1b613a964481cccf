"""Importing contracts: on the files the importer may change, once per number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.imports.services import import_file
from credfile.transactions.models import Contract
from tests.conftest import Personas
from tests.imports.helpers import csv_bytes, customer_rows

pytestmark = pytest.mark.django_db

HEADERS = [
    "contract_no",
    "customer",
    "title",
    "signed_on",
    "ends_on",
    "amount",
    "currency",
    "payment_terms_days",
]


@pytest.fixture
def files(personas: Personas) -> list[Customer]:
    import_file(actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(2)))
    return list(Customer.objects.order_by("external_code"))


def _run(personas: Personas, rows: list[list[str]]):  # type: ignore[no-untyped-def]
    return import_file(
        actor=personas.account_manager, kind="contracts", data=csv_bytes(rows, HEADERS)
    )


def test_contracts_come_in_once(personas: Personas, files: list[Customer]) -> None:
    rows = [["HT-1", "ERP00002", "年度供货合同", "2026-01-01", "2026-12-31", "500000", "", "60"]]
    result = _run(personas, rows)
    assert result.created == 1, result.errors
    contract = Contract.objects.get()
    assert (contract.customer, contract.amount, contract.currency, contract.payment_terms_days) == (
        files[1],
        Decimal("500000"),
        "CNY",
        60,
    )
    assert AuditEvent.objects.filter(object_type="transactions.contract").count() == 1
    again = _run(personas, rows)
    assert again.created == 0 and again.unchanged == 1 and Contract.objects.count() == 1


def test_bad_contract_rows_name_row_column_and_problem(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [
        ["HT-1", "ERP00002", "合同", "2026-01-01", "2025-12-31", "100", "", ""],
        ["HT-2", "ERP00002", "合同", "someday", "", "100", "", ""],
        ["HT-3", "ERP00002", "合同", "2026-01-01", "", "100", "", "thirty"],
        ["HT-4", "ERP00002", "合同", "2026-01-01", "", "-1", "", ""],
    ]
    assert [(e.row, e.column, e.message) for e in _run(personas, rows).errors] == [
        (2, "ends_on", "The end date cannot be before the signing date."),
        (3, "signed_on", "Not a date: write it as YYYY-MM-DD."),
        (4, "payment_terms_days", "Enter a whole number of days."),
        (5, "amount", "The amount cannot be negative."),
    ]
    assert Contract.objects.count() == 0
