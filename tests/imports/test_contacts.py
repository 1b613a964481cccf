"""Importing contacts: on the files the importer may change, one primary contact each."""

from __future__ import annotations

import pytest

from credfile.audit.models import AuditEvent
from credfile.customers.models import Contact, Customer
from credfile.imports.services import import_file
from tests.conftest import Personas
from tests.imports.helpers import csv_bytes, customer_rows

pytestmark = pytest.mark.django_db

HEADERS = ["customer", "name", "role", "title", "mobile", "phone", "email", "is_primary"]


@pytest.fixture
def files(personas: Personas) -> list[Customer]:
    import_file(actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(2)))
    return list(Customer.objects.order_by("external_code"))


def _run(personas: Personas, rows: list[list[str]], headers: list[str] = HEADERS):  # type: ignore[no-untyped-def]
    return import_file(
        actor=personas.account_manager, kind="contacts", data=csv_bytes(rows, headers)
    )


def _errors(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column, e.message) for e in result.errors]


def test_contacts_come_in_on_their_files_once(personas: Personas, files: list[Customer]) -> None:
    rows = [
        ["ERP00002", "王经理", "财务联系人", "财务经理", "13900139000", "", "", "是"],
        ["ERP00002", "李采购", "purchasing", "", "", "", "li@example.com", "no"],
    ]
    result = _run(personas, rows)
    assert result.created == 2, result.errors
    finance = Contact.objects.get(name="王经理")
    assert (finance.customer, finance.role, finance.is_primary) == (files[1], "finance", True)
    assert finance.mobile == "+8613900139000" and "13900139000" not in finance.mobile_enc
    assert AuditEvent.objects.filter(object_type="customers.contact").count() == 2
    again = _run(personas, rows)
    assert again.created == 0 and again.unchanged == 2 and Contact.objects.count() == 2


def test_a_new_primary_contact_replaces_the_one_on_file(
    personas: Personas, files: list[Customer]
) -> None:
    _run(personas, [["ERP00001", "甲", "", "", "13900139000", "", "", "1"]])
    _run(personas, [["ERP00001", "乙", "", "", "13900139001", "", "", "1"]])
    assert list(Contact.objects.filter(is_primary=True).values_list("name", flat=True)) == ["乙"]


def test_bad_contact_rows_name_row_column_and_problem(
    personas: Personas, files: list[Customer]
) -> None:
    rows = [
        ["ERP00001", "甲", "boss", "", "13900139000", "", "", ""],
        ["ERP00001", "乙", "", "", "", "", "", ""],
        ["ERP99999", "丙", "", "", "13900139000", "", "", ""],
        ["ERP00001", "丁", "", "", "12", "", "", "maybe"],
    ]
    assert _errors(_run(personas, rows)) == [
        (2, "role", "No such role."),
        (3, "mobile", "Give at least a mobile, a phone number or an e-mail address."),
        (4, "customer", "No customer of yours has this code or number."),
        (5, "is_primary", "Write yes or no (是 or 否)."),
    ]
    assert Contact.objects.count() == 0
