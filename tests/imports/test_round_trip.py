"""An export imported into an empty instance gives back the same receivables.

A small instance — individuals and organisations, invoices in CNY and USD, partial and full
payments, one payment settling two invoices, a file of another department between the
department's files — is exported (customers with reveal, invoices, payments) by its
department head, emptied, its code sequence set back as a new instance starts, and the
files imported again by the same head. The portfolio ageing per currency and each file's
payment figures, as the receivables engine computes them on several dates, are the same.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db.models import Sum
from django.utils import translation

from credfile.accounts.models import User
from credfile.audit.models import AuditEvent
from credfile.core.sequences import CodeSequence
from credfile.customers.models import Customer
from credfile.customers.selectors import CustomerFilters
from credfile.customers.services import CUSTOMER_SEQUENCE, customer_create
from credfile.imports.exports import file_export
from credfile.imports.services import import_file
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from credfile.transactions.receivables import (
    ageing_report,
    portfolio_totals,
    receivable_figures,
    receivables_scope,
)
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import credit_code, resident_id
from tests.imports.helpers import csv_bytes

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 3, 2)
AS_OF = (START + 40 * DAY, START + 75 * DAY, START + 130 * DAY, START + 400 * DAY)


def _person(actor: User, n: int, name: str) -> Customer:
    return customer_create(
        actor=actor,
        fields={
            "kind": "individual",
            "name": name,
            "id_number": resident_id(n),
            "phone": f"1380013{n:04d}",
            "province": "33",
            "city": "杭州市",
        },
    )


def _company(actor: User, n: int, name: str) -> Customer:
    return customer_create(
        actor=actor,
        fields={
            "kind": "organization",
            "name": name,
            "credit_code": credit_code(n),
            "phone": "010-65123456",
            "province": "11",
            "city": "北京市",
            "industry": "C",
        },
    )


def _invoice(actor: User, customer: Customer, number: str, day: int, amount: str, cur: str) -> Any:
    issued = START + day * DAY
    return invoice_create(
        actor=actor,
        customer=customer,
        fields={
            "number": number,
            "issue_date": issued,
            "due_date": issued + 30 * DAY,
            "payment_terms_days": 30,
            "amount": Decimal(amount),
            "currency": cur,
        },
    )


def _pay(
    actor: User, customer: Customer, day: int, cur: str, parts: list[tuple[Any, str]], ref: str
) -> None:
    payment_create(
        actor=actor,
        customer=customer,
        fields={
            "received_on": START + day * DAY,
            "amount": sum(Decimal(a) for _i, a in parts),
            "currency": cur,
            "reference": ref,
        },
        allocations=[(invoice.pk, Decimal(amount)) for invoice, amount in parts],
    )


def build_instance(personas: Personas) -> None:
    head = personas.department_head
    zhang = _person(head, 1, "张三")
    # Another department's file between the department's: the export leaves it out, so
    # the codes of the files it holds have a gap a new instance does not have.
    _company(personas.outsider, 2, "外贸星辰贸易有限公司")
    star = _company(head, 3, "北京星辰科技有限公司")
    li = _person(head, 4, "李四")
    # A file that came from an ERP keeps its external code through the round trip.
    erp = csv_bytes(
        [
            [
                "ERP-7",
                "单位",
                "杭州远山机械有限公司",
                "",
                credit_code(5),
                "0571-87654321",
                "浙江省杭州市",
            ]
        ],
        headers=["external_code", "kind", "name", "id_number", "credit_code", "phone", "region"],
    )
    assert import_file(actor=head, kind="customers", data=erp).imported
    mountain = Customer.objects.get(external_code="ERP-7")

    z1 = _invoice(head, zhang, "INV-Z1", 0, "1000.00", "CNY")
    z2 = _invoice(head, zhang, "INV-Z2", 20, "2500.50", "CNY")
    s1 = _invoice(head, star, "INV-S1", 5, "12000.00", "CNY")
    s2 = _invoice(head, star, "INV-S2", 10, "3000.00", "USD")
    s3 = _invoice(head, star, "INV-S3", 60, "4500.25", "USD")
    l1 = _invoice(head, li, "INV-L1", 15, "800.00", "CNY")
    m1 = _invoice(head, mountain, "INV-M1", 30, "56000.00", "CNY")
    _invoice(head, mountain, "INV-M2", 90, "7000.00", "USD")
    _pay(head, zhang, 25, "CNY", [(z1, "1000.00")], "BANK-001")  # in full, early
    _pay(head, zhang, 70, "CNY", [(z2, "1000.00")], "BANK-002")  # partial, late
    _pay(head, star, 50, "CNY", [(s1, "4000.00")], "")  # partial, no reference
    _pay(head, star, 95, "CNY", [(s1, "8000.00")], "BANK-003")  # the rest, late
    # One transfer settles two invoices: the export writes two rows of one payment number.
    _pay(head, star, 80, "USD", [(s2, "3000.00"), (s3, "1500.25")], "SWIFT-9")
    _pay(head, li, 44, "CNY", [(l1, "800.00")], "BANK-004")
    _pay(head, mountain, 100, "CNY", [(m1, "20000.00")], "BANK-005")


def measure(user: User) -> dict[str, Any]:
    """The ageing per currency and each file's figures (by name: codes differ after the
    trip), as of each date; and each invoice's amounts."""
    scope = receivables_scope(user)
    figures: dict[str, Any] = {}
    for as_of in AS_OF:
        figures[f"ageing {as_of}"] = portfolio_totals(ageing_report(scope=scope, as_of=as_of))
        names = dict(Customer.objects.values_list("pk", "name"))
        for row in receivable_figures(scope=scope, as_of=as_of, by="customer"):
            key = f"{names[row.group['customer_id']]} {row.currency} {as_of}"
            figures[key] = {
                "ageing": row.ageing,
                "statutory": row.statutory,
                "total": row.total,
                "overdue": row.overdue,
                "sales": row.sales,
                "dso": row.dso,
                "best_dso": row.best_dso,
                "cei": row.cei,
                "paid": row.paid_amount,
                "weighted_dbt": row.weighted_dbt,
                "max_dbt": row.max_dbt,
                "index": row.index,
                "band": row.band,
            }
    figures["invoices"] = sorted(
        Invoice.objects.values_list(
            "customer__name", "number", "amount", "currency", "amount_paid", "fully_paid_on"
        )
    )
    figures["paid per file"] = sorted(
        PaymentAllocation.objects.values_list("payment__customer__name", "invoice__currency")
        .annotate(paid=Sum("amount"))
        .order_by()
    )
    return figures


def empty_the_instance() -> None:
    """What a new instance holds of files: nothing (departments and accounts stay); its
    customer codes start again at the first."""
    PaymentAllocation.objects.all().delete()
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    Contract.objects.all().delete()
    Customer.objects.all().delete()
    CodeSequence.objects.filter(name=CUSTOMER_SEQUENCE).update(value=0)


def _export(
    user: User, kind: str, fmt: str, *, reveal: bool = False, language: str = "en"
) -> bytes:
    export = file_export(
        actor=user,
        kind=kind,
        filters=CustomerFilters(),
        file_format=fmt,
        reveal=reveal,
        language=language,
    )
    with export.handle:
        return export.handle.read()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def xlsx_rows(data: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_an_export_imported_into_an_empty_instance_gives_the_same_receivables(
    personas: Personas,
) -> None:
    head = personas.department_head
    build_instance(personas)
    before = measure(head)
    assert {"CNY", "USD"} <= set(before[f"ageing {AS_OF[1]}"])
    # Chinese headers for the customers, English for the rest: the import reads either.
    customers = _export(head, "customers", "csv", reveal=True, language="zh-hans")
    invoices = _export(head, "invoices", "xlsx")
    payments = _export(head, "payments", "csv")
    assert csv_rows(customers)[0][:3] == ["外部编码", "客户类型", "名称"]
    assert len(csv_rows(payments)) == 1 + 8  # a row per invoice a payment settled

    empty_the_instance()
    for kind, data in (("customers", customers), ("invoices", invoices), ("payments", payments)):
        result = import_file(actor=head, kind=kind, data=data)
        assert result.imported, (kind, result.errors)
    after = measure(head)

    assert after == before
    # The files name themselves as the source instance did, and keep their identity.
    trip = {c.name: c for c in Customer.objects.all()}
    assert set(trip) == {"张三", "北京星辰科技有限公司", "李四", "杭州远山机械有限公司"}
    assert trip["杭州远山机械有限公司"].external_code == "ERP-7"
    assert trip["张三"].id_number == resident_id(1)
    assert trip["张三"].phone == "+8613800130001"
    assert trip["北京星辰科技有限公司"].credit_code == credit_code(3)
    assert (trip["北京星辰科技有限公司"].industry, trip["张三"].province) == ("C", "33")
    split = Payment.objects.get(reference="SWIFT-9")
    assert sorted(split.allocations.values_list("invoice__number", "amount")) == [
        ("INV-S2", Decimal("3000.00")),
        ("INV-S3", Decimal("1500.25")),
    ]


def test_the_export_holds_the_import_columns_with_amounts_as_decimal_strings(
    personas: Personas,
) -> None:
    build_instance(personas)
    head = personas.department_head
    star = Customer.objects.get(name="北京星辰科技有限公司")
    invoices = xlsx_rows(_export(head, "invoices", "xlsx"))
    assert invoices[0] == [
        "Invoice number",
        "Customer",
        "Invoice date",
        "Due date",
        "Amount",
        "Currency",
    ]
    assert [star.code, "4500.25", "USD"] == [invoices[5][1], invoices[5][4], invoices[5][5]]
    assert invoices[5][0] == "INV-S3" and invoices[5][2] == datetime.datetime(2026, 5, 1)
    assert ["ERP-7", "56000.00", "CNY"] in [[r[1], r[4], r[5]] for r in invoices]
    payments = csv_rows(_export(head, "payments", "csv"))
    assert payments[0] == [
        "Payment number",
        "Invoice number",
        "Payment date",
        "Amount",
        "Customer",
        "Currency",
    ]
    unreferenced = next(r for r in payments if r[1] == "INV-S1" and r[3] == "4000.00")
    number = unreferenced[0]
    assert number.startswith("P") and number[1:].isdigit()  # made of its row number
    assert unreferenced[2] == "2026-04-21" and unreferenced[4] == star.code


def test_without_the_reveal_right_id_and_phone_numbers_stay_masked(personas: Personas) -> None:
    build_instance(personas)
    # The credit manager reads every file but reveals none; the head did not ask.
    for user, reveal in ((personas.credit_manager, True), (personas.department_head, False)):
        rows = csv_rows(_export(user, "customers", "csv", reveal=reveal))
        zhang = next(r for r in rows if r[2] == "张三")
        assert zhang[3] == resident_id(1)[:6] + "********" + resident_id(1)[-4:]
        assert zhang[5] == "138****0001"
        text = "\n".join(",".join(r) for r in rows)
        assert resident_id(1) not in text and "13800130001" not in text
        assert "138 0013 0001" not in text


def test_an_export_holds_no_file_outside_the_users_scope(personas: Personas) -> None:
    build_instance(personas)
    head_rows = csv_rows(_export(personas.department_head, "customers", "csv"))
    names = {r[2] for r in head_rows[1:]}
    assert "外贸星辰贸易有限公司" not in names and len(names) == 4
    assert {r[10] for r in head_rows[1:]} == {"SALES"}
    # The credit manager's scope is every department.
    credit = csv_rows(_export(personas.credit_manager, "customers", "csv"))
    assert "外贸星辰贸易有限公司" in {r[2] for r in credit[1:]}
    outsider = csv_rows(_export(personas.outsider, "invoices", "csv"))
    assert outsider == [outsider[0]]  # the outsider's department has no invoice


def test_each_export_is_one_audit_event_and_each_file_in_clear_a_reveal(
    personas: Personas,
) -> None:
    build_instance(personas)
    head = personas.department_head
    export = file_export(
        actor=head,
        kind="customers",
        filters=CustomerFilters(kind="individual"),
        file_format="xlsx",
        reveal=True,
    )
    assert export.rows == 2 and export.in_clear == 2
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor == head and event.object_type == "customers.customer"
    assert event.after == {
        "what": "customers",
        "format": "xlsx",
        "filters": {"kind": "individual"},
        "rows": 2,
        "reveal": True,
        "in_clear": 2,
    }
    reveals = AuditEvent.objects.filter(action="reveal", seq__gt=event.seq)
    assert sorted(reveals.values_list("customer_id", flat=True)) == sorted(
        Customer.objects.filter(kind="individual").values_list("pk", flat=True)
    )
    assert all(r.after["export"] == event.seq for r in reveals)
    with translation.override("en"):
        file_export(
            actor=head,
            kind="payments",
            filters=CustomerFilters(),
            file_format="csv",
        )
    payments = AuditEvent.objects.filter(action="export").latest("seq")
    assert payments.after["rows"] == 8 and payments.after["in_clear"] == 0
    assert not AuditEvent.objects.filter(action="reveal", seq__gt=payments.seq).exists()
