"""The overdue list: scope per role, order by next action, filters, exports, API, pages."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.followup.selectors import OverdueFilters, overdue_invoices
from credfile.followup.services import collection_action_create
from credfile.transactions.models import Invoice
from tests.conftest import Personas
from tests.factories import CustomerFactory
from tests.followup.conftest import TODAY, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)


@pytest.fixture
def book(personas: Personas, customer: Customer, today: datetime.date) -> dict[str, Invoice]:
    """Overdue invoices in the account manager's file, a colleague's file of the same
    department and a file of another department, with actions planning the next step."""
    colleague_file = CustomerFactory.create(
        department=personas.sales, account_manager=personas.colleague, name="同事的客户有限公司"
    )
    other_file = CustomerFactory.create(
        department=personas.other, account_manager=personas.outsider, name="外贸部的客户有限公司"
    )
    invoices = {
        "late": make_invoice(customer, "A-LATE", due=TODAY - 95 * DAY),
        "soon": make_invoice(customer, "A-SOON", due=TODAY - 5 * DAY, currency="USD"),
        "none": make_invoice(customer, "A-NONE", due=TODAY - 40 * DAY),
        "colleague": make_invoice(colleague_file, "C-1", due=TODAY - 20 * DAY),
        "other": make_invoice(other_file, "O-1", due=TODAY - 20 * DAY),
    }
    make_invoice(customer, "A-NOT-DUE", due=TODAY)  # due today: not overdue
    am = personas.account_manager
    collection_action_create(
        actor=am,
        customer=customer,
        fields={"invoice": invoices["late"], "kind": "call", "next_action_on": TODAY + 9 * DAY},
    )
    collection_action_create(
        actor=am,
        customer=customer,
        fields={
            "invoice": invoices["soon"],
            "kind": "promise",
            "promised_on": TODAY,
            "promised_amount": D("300"),
            "next_action_on": TODAY + DAY,
        },
    )
    collection_action_create(
        actor=personas.colleague,
        customer=colleague_file,
        fields={"invoice": invoices["colleague"], "kind": "letter", "next_action_on": TODAY},
    )
    return invoices


def numbers(user: Any, today: datetime.date = TODAY, **filters: Any) -> list[str]:
    rows = overdue_invoices(user=user, filters=OverdueFilters(**filters), today=today)
    return list(rows.values_list("number", flat=True))


def test_each_role_sees_its_own_part_ordered_by_next_action(
    personas: Personas, book: dict[str, Invoice]
) -> None:
    assert numbers(personas.account_manager) == ["A-SOON", "A-LATE", "A-NONE"]
    assert numbers(personas.colleague) == ["C-1"]
    assert numbers(personas.department_head) == ["C-1", "A-SOON", "A-LATE", "A-NONE"]
    everything = ["C-1", "A-SOON", "A-LATE", "A-NONE", "O-1"]
    assert numbers(personas.credit_manager) == everything
    assert numbers(personas.executive) == everything
    assert numbers(personas.outsider) == ["O-1"]
    # The auditor reads the files and the trail; the work list is not theirs.
    assert numbers(personas.auditor) == []
    assert numbers(personas.admin) == []


def test_another_departments_head_sees_none_of_it(
    personas: Personas, book: dict[str, Invoice]
) -> None:
    from tests.factories import UserFactory

    head = UserFactory(username="he.ping", role="department_head", department=personas.other)
    assert numbers(head) == ["O-1"]
    empty = UserFactory(role="department_head", department=UserFactory().department)
    assert numbers(empty) == []


def test_filters_narrow_the_list(personas: Personas, book: dict[str, Invoice]) -> None:
    cm = personas.credit_manager
    assert numbers(cm, department=personas.other.pk) == ["O-1"]
    assert numbers(cm, manager=personas.colleague.pk) == ["C-1"]
    assert numbers(cm, band="1-30") == ["C-1", "A-SOON", "O-1"]
    assert numbers(cm, band="31-60") == ["A-NONE"]
    assert numbers(cm, band="90+") == ["A-LATE"]
    # The promise of A-SOON fell due today: broken from tomorrow on.
    assert numbers(cm, broken=True) == []
    assert numbers(cm, today=TODAY + DAY, broken=True) == ["A-SOON"]


def test_the_list_page_takes_a_fixed_number_of_queries(
    personas: Personas,
    book: dict[str, Invoice],
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(personas.credit_manager)
    client.get(reverse("followup:overdue"))
    for n in range(10):
        make_invoice(
            Customer.objects.get(pk=book["late"].customer_id), f"MORE-{n}", due=TODAY - 3 * DAY
        )
    with django_assert_max_num_queries(12):
        page = client.get(reverse("followup:overdue"))
    assert page.status_code == 200
    assert page.content.decode().count("data-invoice=") == 15


def test_the_page_shows_the_list_in_english_and_chinese(
    personas: Personas, book: dict[str, Invoice], client_for: Any
) -> None:
    english = client_for(personas.account_manager).get(reverse("followup:overdue"), {"broken": "1"})
    text = english.content.decode()
    assert english.status_code == 200
    assert "Overdue invoices" in text and "No overdue invoice in your files." in text
    with translation.override("zh-hans"):
        chinese = client_for(personas.account_manager, language="zh-hans").get(
            reverse("followup:overdue")
        )
    body = chinese.content.decode()
    assert "逾期发票" in body and "A-LATE" in body and "下次行动" in body
    assert "C-1" not in body  # the colleague's file


def test_a_broken_promise_shows_on_the_list_and_on_the_file(
    personas: Personas, book: dict[str, Invoice], client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY + DAY)
    client = client_for(personas.account_manager)
    listed = client.get(reverse("followup:overdue")).content.decode()
    row = listed.split(f'data-invoice="{book["soon"].pk}"')[1].split("</tr>")[0]
    assert "Broken promise" in row
    other_row = listed.split(f'data-invoice="{book["late"].pk}"')[1].split("</tr>")[0]
    assert "Broken promise" not in other_row
    customer = book["soon"].customer
    section = client.get(reverse("customers:section", args=[customer.pk, "transactions"]))
    html = section.content.decode()
    assert html.count("broken-promise") == 1
    assert f'data-actions="invoice-{book["soon"].pk}"' in html


def test_the_navbar_links_the_list_for_those_who_have_one(
    personas: Personas, client_for: Any
) -> None:
    page = client_for(personas.account_manager).get(reverse("customers:list"))
    assert 'id="nav-overdue"' in page.content.decode()
    admin = client_for(personas.admin).get(reverse("customers:list"))
    assert 'id="nav-overdue"' not in admin.content.decode()
    assert client_for(personas.admin).get(reverse("followup:overdue")).status_code == 404


# --- exports ---------------------------------------------------------------------------------


def _phone(customer: Customer, number: str) -> None:
    customer.phone = number
    customer.save()


def test_the_csv_export_holds_the_list_and_is_audited(
    personas: Personas, book: dict[str, Invoice], client_for: Any
) -> None:
    _phone(book["late"].customer, "+8613812345678")
    response = client_for(personas.department_head).get(
        reverse("followup:overdue-export", args=["csv"]), {"band": "1-30"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="overdue-invoices-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Next action", "Customer code", "Name", "Phone"]
    assert [(r[6], r[8], r[9], r[10], r[11], r[13]) for r in rows[1:]] == [
        ("C-1", "20", "CNY", "1000.00", "Letter", ""),
        ("A-SOON", "5", "USD", "1000.00", "Promise to pay", ""),
    ]
    # The head holds the reveal right for the department's files: the phone in clear.
    assert rows[2][3] == "+8613812345678"
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor == personas.department_head
    assert event.object_repr == "overdue list (csv)"
    assert event.after == {
        "what": "overdue list",
        "format": "csv",
        "filters": {"band": "1-30"},
        "rows": 2,
        "phones_in_clear": 1,
    }


def test_the_xlsx_export_masks_what_the_user_may_not_reveal(
    personas: Personas, book: dict[str, Invoice], client_for: Any
) -> None:
    _phone(book["late"].customer, "+8613812345678")
    response = client_for(personas.credit_manager).get(
        reverse("followup:overdue-export", args=["xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 6
    phones = {row[6]: row[3] for row in values[1:]}
    assert phones["A-LATE"] == "138****5678"
    assert "13812345678" not in str(values)
    amounts = {row[6]: (row[9], row[10]) for row in values[1:]}
    assert amounts["A-SOON"] == ("USD", 1000)
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.after is not None
    assert (event.after["rows"], event.after["phones_in_clear"]) == (5, 0)


def test_the_export_is_not_there_for_the_administrator(personas: Personas, client_for: Any) -> None:
    response = client_for(personas.admin).get(reverse("followup:overdue-export", args=["csv"]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


# --- API ---------------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_overdue_invoices_of_the_callers_files(
    personas: Personas, book: dict[str, Invoice]
) -> None:
    body = _api(personas.account_manager).get("/api/v1/overdue-invoices/").json()
    assert [r["number"] for r in body["results"]] == ["A-SOON", "A-LATE", "A-NONE"]
    first = body["results"][0]
    assert first["currency"] == "USD" and first["open_amount"] == "1000.00"
    assert first["days_past_due"] == 5 and first["last_action_kind"] == "promise"
    assert first["next_action_on"] == str(TODAY + DAY) and first["promise_broken"] is False
    assert _api(personas.admin).get("/api/v1/overdue-invoices/").status_code == 404
    bad = _api(personas.credit_manager).get("/api/v1/overdue-invoices/", {"band": "x"})
    assert bad.status_code == 400


def test_the_api_pages_the_list_without_losing_or_repeating_rows(
    personas: Personas, book: dict[str, Invoice]
) -> None:
    client = _api(personas.credit_manager)
    seen: list[str] = []
    url: str | None = "/api/v1/overdue-invoices/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [r["number"] for r in body["results"]]
        url = body["next"]
    assert seen == ["C-1", "A-SOON", "A-LATE", "A-NONE", "O-1"]


def test_actions_are_recorded_and_read_through_the_api(
    personas: Personas, customer: Customer, book: dict[str, Invoice]
) -> None:
    url = f"/api/v1/customers/{customer.pk}/collection-actions/"
    made = _api(personas.account_manager).post(
        url,
        {
            "invoice": book["none"].pk,
            "kind": "promise",
            "promised_on": str(TODAY + 7 * DAY),
            "promised_amount": "250.00",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["promised_amount"] == "250.00"
    refused = _api(personas.account_manager).post(
        url, {"invoice": book["none"].pk, "kind": "promise"}, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) >= {"promised_on", "promised_amount"}
    listed = _api(personas.colleague).get(url).json()["results"]
    assert [r["kind"] for r in listed] == ["promise", "promise", "call"]  # newest first
    assert (
        _api(personas.colleague)
        .post(url, {"invoice": book["none"].pk, "kind": "call"}, format="json")
        .status_code
        == 403
    )
    assert _api(personas.outsider).get(url).status_code == 404


def test_the_schema_documents_the_new_endpoints(personas: Personas) -> None:
    schema = _api(personas.credit_manager).get("/api/schema/?format=json").json()
    assert "/api/v1/overdue-invoices/" in schema["paths"]
    assert "/api/v1/customers/{customer_pk}/collection-actions/" in schema["paths"]


# --- the invoice's actions page --------------------------------------------------------------


def test_the_actions_page_records_an_action_and_shows_errors_by_field(
    personas: Personas, customer: Customer, book: dict[str, Invoice], client_for: Any
) -> None:
    invoice = book["none"]
    url = reverse("followup:invoice-actions", args=[customer.pk, invoice.pk])
    client = client_for(personas.account_manager)
    bad = client.post(url, {"kind": "promise", "action_date": str(TODAY)})
    assert bad.status_code == 422
    assert "A promise to pay needs the promised payment date." in bad.content.decode()
    good = client.post(
        url,
        {
            "kind": "visit",
            "action_date": str(TODAY),
            "next_action_on": str(TODAY + 2 * DAY),
            "note": "上门拜访财务",
        },
    )
    assert good.status_code == 302
    page = client.get(url).content.decode()
    assert "上门拜访财务" in page and 'id="action-form"' in page
    # A colleague reads the actions but has no form; a POST is not found.
    colleague = client_for(personas.colleague)
    assert 'id="action-form"' not in colleague.get(url).content.decode()
    assert colleague.post(url, {"kind": "call", "action_date": str(TODAY)}).status_code == 404


def test_the_actions_page_speaks_chinese(
    personas: Personas, customer: Customer, book: dict[str, Invoice], client_for: Any
) -> None:
    url = reverse("followup:invoice-actions", args=[customer.pk, book["soon"].pk])
    with translation.override("zh-hans"):
        page = client_for(personas.account_manager, language="zh-hans").get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "催收记录" in body and "承诺付款" in body


def test_the_export_takes_a_fixed_number_of_queries(
    personas: Personas,
    book: dict[str, Invoice],
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(personas.credit_manager)
    customer = Customer.objects.get(pk=book["late"].customer_id)
    for n in range(20):
        make_invoice(customer, f"MORE-{n}", due=TODAY - 3 * DAY)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("followup:overdue-export", args=["csv"]))
    assert len(response.content.decode("utf-8-sig").splitlines()) == 1 + 25
