"""Importing open orders: on the files the importer may write orders for, once per
(customer, reference); the exposure counts them."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.imports.services import import_file
from credfile.limits.facts import open_orders
from credfile.limits.models import OpenOrder
from tests.api.conftest import api_for  # noqa: F401 - the fixture, shared with the API tests
from tests.conftest import Personas
from tests.factories import CustomerFactory
from tests.imports.helpers import csv_bytes, customer_rows

pytestmark = pytest.mark.django_db

HEADERS = ["customer", "订单号", "amount", "currency", "kind"]


@pytest.fixture
def files(personas: Personas) -> list[Customer]:
    import_file(actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(2)))
    return list(Customer.objects.order_by("external_code"))


def _run(personas: Personas, rows: list[list[str]]):  # type: ignore[no-untyped-def]
    return import_file(
        actor=personas.account_manager, kind="open_orders", data=csv_bytes(rows, HEADERS)
    )


def test_open_orders_come_in_once_and_count_as_exposure(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [
        ["ERP00002", "SO-1", "50000", "", ""],
        ["ERP00002", "DN-1", "7000.50", "CNY", "发货"],
        ["ERP00001", "SO-1", "100", "USD", "order"],
    ]
    result = _run(personas, rows)
    assert (result.created, result.errors) == (3, [])
    kept = OpenOrder.objects.get(customer=files[1], reference="DN-1")
    assert (kept.amount, kept.currency, kept.kind, kept.is_open) == (
        Decimal("7000.50"),
        "CNY",
        "shipment",
        True,
    )
    assert open_orders(files[1].pk, "CNY") == Decimal("57000.50")
    trail = AuditEvent.objects.filter(object_type="limits.openorder", action="create")
    assert sorted(e.after["reference"] for e in trail) == ["DN-1", "SO-1", "SO-1"]
    again = _run(personas, rows)
    assert (again.created, again.unchanged) == (0, 3) and OpenOrder.objects.count() == 3


def test_bad_rows_name_row_column_and_problem(personas: Personas, files: list[Customer]) -> None:
    _run(personas, [["ERP00002", "SO-9", "10", "", ""]])
    theirs = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    rows = [
        ["ERP00002", "SO-1", "0", "", ""],
        ["ERP00002", "SO-2", "10", "XYZ", ""],
        ["ERP00002", "SO-3", "10", "", "quote"],
        ["ERP00002", "R" * 61, "10", "", ""],
        [theirs.code, "SO-5", "10", "", ""],
        ["ERP00002", "SO-6", "10", "", ""],
        ["ERP00002", "SO-6", "10", "", ""],
        ["ERP00002", "SO-9", "11", "", ""],
    ]
    assert [(e.row, e.column, e.message) for e in _run(personas, rows).errors] == [
        (2, "amount", "An order's amount must be above zero."),
        (3, "currency", "No such currency."),
        (4, "kind", "Write order or shipment (订单 or 发货)."),
        (5, "订单号", "A reference has at most 60 characters."),
        (6, "customer", "No customer of yours has this code or number."),
        (8, "订单号", "The same order is on row 7 already."),
        (
            9,
            "订单号",
            "An order with this reference is already recorded with other values; change it "
            "on the credit file or through the API.",
        ),
    ]
    assert OpenOrder.objects.count() == 1


def test_the_command_the_api_and_the_page_take_open_orders(
    personas: Personas,
    files: list[Customer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    api_for: Any,  # noqa: F811
    client_for: Any,
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes([["ERP00002", "SO-1", "10", "", ""]], HEADERS))
    out = io.StringIO()
    call_command("import", "open_orders", str(path), "--as", "li.na", stdout=out)
    assert out.getvalue().startswith("1 created, 0 imported before")

    upload = SimpleUploadedFile(
        "orders.csv", csv_bytes([["ERP00002", "SO-2", "20", "", "order"]], HEADERS)
    )
    done = api_for(personas.account_manager).post(
        "/api/v1/imports/", {"kind": "open_orders", "file": upload}, format="multipart"
    )
    assert done.status_code == 200 and done.json()["created"] == 1
    assert sorted(OpenOrder.objects.values_list("reference", flat=True)) == ["SO-1", "SO-2"]

    page = client_for(personas.account_manager).get(reverse("imports:page")).content.decode()
    assert '<option value="open_orders">Open orders</option>' in page
