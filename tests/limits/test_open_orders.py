"""Open orders written by an ERP: /api/v1/open-orders/ (idempotent by reference, updates
audited, close, bulk all or nothing), bad input, who may write, the exposure they count,
and the file page's list, form and close buttons."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.limits.models import CreditLimit, OpenOrder
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/open-orders/"


def order(**overrides: Any) -> dict[str, Any]:
    body = {
        "customer": "ERP-4711",
        "reference": "SO-2026-0042",
        "amount": "120000.00",
        "currency": "CNY",
        "kind": "order",
    }
    body.update(overrides)
    return body


def events(customer: Customer) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(customer_id=customer.pk, object_type="limits.openorder").order_by(
            "seq"
        )
    )


def test_an_order_is_recorded_once_by_reference(api_for, personas: Personas, company) -> None:
    client = api_for(personas.credit_manager)

    first = client.post(URL, order(), format="json")
    again = client.post(URL, order(customer=company.code), format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    body = first.json()
    assert body["customer_code"] == company.code
    assert (body["reference"], body["amount"], body["kind"], body["is_open"]) == (
        "SO-2026-0042",
        "120000.00",
        "order",
        True,
    )
    assert OpenOrder.objects.count() == 1
    assert [e.action for e in events(company)] == ["create"]


def test_a_new_amount_for_the_same_reference_updates_it_audited(
    api_for, personas: Personas, company
) -> None:
    client = api_for(personas.credit_manager)
    created = client.post(URL, order(), format="json").json()

    changed = client.post(URL, order(amount="95000"), format="json")

    assert changed.status_code == 200
    assert changed.json()["id"] == created["id"]
    assert OpenOrder.objects.get().amount == D("95000")
    update = events(company)[-1]
    assert update.action == "update"
    assert update.before["amount"] == "120000.00"
    assert update.after["amount"] == "95000.00"


def test_closing_stops_it_counting_and_is_audited(api_for, personas: Personas, company) -> None:
    client = api_for(personas.credit_manager)
    created = client.post(URL, order(), format="json").json()

    closed = client.post(f"{URL}{created['id']}/close/", {"closed_as": "invoiced"}, format="json")
    twice = client.post(f"{URL}{created['id']}/close/", {"closed_as": "cancelled"}, format="json")

    assert closed.status_code == 200
    assert (closed.json()["is_open"], closed.json()["closed_as"]) == (False, "invoiced")
    assert twice.json()["closed_as"] == "invoiced"  # already closed: unchanged
    assert [e.action for e in events(company)] == ["create", "update"]
    # Sent again as it was: answered; with another amount: a closed order is not reopened.
    assert client.post(URL, order(), format="json").status_code == 200
    reopened = client.post(URL, order(amount="1"), format="json")
    assert reopened.status_code == 400
    assert "reference" in reopened.json()["errors"]
    assert OpenOrder.objects.get().amount == D("120000.00")


def test_the_exposure_check_counts_an_order_until_it_is_closed(
    api_for, personas: Personas, company
) -> None:
    CreditLimit.objects.create(
        customer=company,
        currency="CNY",
        amount=D("100000"),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        approved_by=personas.credit_manager,
    )
    client = api_for(personas.credit_manager)
    check = {"customer": "ERP-4711", "amount": "10000", "currency": "CNY"}

    created = client.post(URL, order(amount="100000"), format="json").json()
    refused = client.post("/api/v1/exposure-checks/", check, format="json").json()
    client.post(f"{URL}{created['id']}/close/", {"closed_as": "cancelled"}, format="json")
    allowed = client.post("/api/v1/exposure-checks/", check, format="json").json()

    assert (refused["allowed"], refused["exposure"]) == (False, "110000.00")
    assert [r["code"] for r in refused["reasons"]] == ["over_limit"]
    assert (allowed["allowed"], allowed["exposure"]) == (True, "10000.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer", "NOBODY-1"),
        ("amount", "0"),
        ("amount", "-5"),
        ("currency", "XYZ"),
        ("kind", "quote"),
        ("reference", "R" * 61),
        ("reference", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api_for, personas: Personas, company, field: str, value: str
) -> None:
    response = api_for(personas.credit_manager).post(URL, order(**{field: value}), format="json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert list(response.json()["errors"]) == [field]
    assert not OpenOrder.objects.exists()
    assert not events(company)


def test_the_errors_are_in_the_callers_language(api_for, personas: Personas, company) -> None:
    response = api_for(personas.credit_manager, "zh-hans").post(
        URL, order(customer="NOBODY-1"), format="json"
    )
    assert response.json()["errors"]["customer"] == ["您可查看的客户中没有此编码或号码。"]


def test_another_departments_file_is_unknown_and_a_viewer_may_not_write(
    api_for, personas: Personas, company
) -> None:
    outsider = api_for(personas.outsider).post(URL, order(), format="json")
    auditor = api_for(personas.auditor).post(URL, order(), format="json")

    assert outsider.status_code == 400
    assert list(outsider.json()["errors"]) == ["customer"]
    assert auditor.status_code == 403
    assert not OpenOrder.objects.exists()


def test_the_list_holds_the_orders_one_may_see_with_filters(
    api_for, personas: Personas, company
) -> None:
    elsewhere = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    OpenOrder.objects.create(customer=company, reference="SO-1", amount=D("10"), kind="order")
    OpenOrder.objects.create(
        customer=company, reference="DN-1", amount=D("20"), kind="shipment", currency="USD"
    )
    OpenOrder.objects.create(
        customer=company, reference="SO-0", amount=D("30"), kind="order", is_open=False
    )
    OpenOrder.objects.create(customer=elsewhere, reference="X-1", amount=D("40"), kind="order")

    def refs(client: Any, **query: Any) -> list[str]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [r["reference"] for r in response.json()["results"]]

    head = api_for(personas.department_head)
    assert refs(head) == ["SO-0", "DN-1", "SO-1"]
    assert refs(head, open="true") == ["DN-1", "SO-1"]
    assert refs(head, kind="shipment") == ["DN-1"]
    assert refs(head, currency="CNY") == ["SO-0", "SO-1"]
    assert refs(head, customer="ERP-4711", open="false") == ["SO-0"]
    assert refs(head, customer=elsewhere.code) == []
    assert refs(api_for(personas.outsider)) == ["X-1"]
    assert len(refs(api_for(personas.credit_manager))) == 4
    # Keyset pages: two at a time, then the rest.
    first = head.get(URL, {"page_size": 2}).json()
    rest = head.get(first["next"]).json()
    assert [r["reference"] for r in first["results"] + rest["results"]] == ["SO-0", "DN-1", "SO-1"]
    # An order outside one's view is not found, nor closed.
    hidden = OpenOrder.objects.get(reference="X-1")
    assert head.get(f"{URL}{hidden.pk}/").status_code == 404
    assert head.post(f"{URL}{hidden.pk}/close/", {"closed_as": "invoiced"}).status_code == 404
    assert OpenOrder.objects.get(pk=hidden.pk).is_open


def test_closing_needs_the_right_to_write(api_for, personas: Personas, company) -> None:
    kept = OpenOrder.objects.create(customer=company, reference="SO-1", amount=D("1"), kind="order")
    viewer = api_for(personas.auditor)

    assert viewer.get(f"{URL}{kept.pk}/").status_code == 200
    response = viewer.post(f"{URL}{kept.pk}/close/", {"closed_as": "invoiced"}, format="json")

    assert response.status_code == 403
    assert OpenOrder.objects.get().is_open


def test_bulk_writes_every_row_in_one_go(api_for, personas: Personas, company) -> None:
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    client = api_for(personas.credit_manager)
    client.post(URL, order(reference="SO-1", amount="10"), format="json")
    rows = [
        order(reference="SO-1", amount="10"),  # unchanged
        order(reference="SO-2", amount="20"),
        order(customer=other.code, reference="SO-1", amount="30", kind="shipment"),
        order(customer=company.code, reference="SO-3", amount="40", currency="USD"),
    ]

    response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (3, 0, 1)
    assert [(r["customer_code"], r["reference"]) for r in body["results"]] == [
        (company.code, "SO-1"),
        (company.code, "SO-2"),
        (other.code, "SO-1"),
        (company.code, "SO-3"),
    ]
    assert OpenOrder.objects.count() == 4
    assert [e.action for e in events(company)] == ["create", "create", "create"]
    assert [e.after["reference"] for e in events(other)] == ["SO-1"]

    changed = client.post(
        f"{URL}bulk/", {"rows": [order(reference="SO-2", amount="25")]}, format="json"
    )
    assert changed.json()["updated"] == 1
    assert events(company)[-1].before["amount"] == "20.00"


def test_bulk_is_all_or_nothing_naming_each_wrong_row(api_for, personas: Personas, company) -> None:
    client = api_for(personas.credit_manager)
    rows = [
        order(reference="SO-1"),
        order(reference="SO-2", amount="0"),
        order(reference="SO-3", customer="NOBODY-1"),
        order(reference="SO-1", amount="5"),
        order(reference="SO-5", currency="XYZ"),
    ]

    response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"rows.1.amount", "rows.4.currency"}  # the serializer's checks first
    rows[1]["amount"] = "1"
    rows[4]["currency"] = "USD"
    response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")
    assert set(response.json()["errors"]) == {"rows.2.customer"}
    rows[2]["customer"] = company.code
    response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")
    assert response.json()["errors"] == {"rows.3.reference": ["The same order is in row 1."]}
    assert not OpenOrder.objects.exists()
    assert not events(company)


def test_bulk_refuses_a_file_one_views_but_may_not_write_and_too_many_rows(
    api_for, personas: Personas, company, settings
) -> None:
    other = CustomerFactory(department=personas.sales, account_manager=personas.colleague)
    client = api_for(personas.account_manager)  # may write `company`, only view `other`
    rows = [order(reference="SO-1"), order(customer=other.code, reference="SO-2")]

    response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["rows.1.customer"]
    settings.CREDFILE_OPEN_ORDERS_BULK_MAX = 1
    too_many = client.post(f"{URL}bulk/", {"rows": rows[:1] * 2}, format="json")
    assert too_many.status_code == 400
    assert list(too_many.json()["errors"]) == ["rows"]
    assert not OpenOrder.objects.exists()


# --- the file page -----------------------------------------------------------------------------


def section(client: Any, customer: Customer) -> str:
    response = client.get(reverse("customers:section", args=[customer.pk, "limits"]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_section_lists_orders_adds_and_closes_them(
    client_for, personas: Personas, company
) -> None:
    client = client_for(personas.account_manager)
    add = reverse("customer-limits:order-add", args=[company.pk])

    response = client.post(
        add,
        {
            "order-reference": "SO-77",
            "order-amount": "5000",
            "order-currency": "CNY",
            "order-kind": "shipment",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Order SO-77 of CNY 5,000.00 recorded." in page
    assert 'data-order="SO-77"' in page and "Undelivered shipment" in page
    kept = OpenOrder.objects.get()
    assert (kept.amount, kept.kind, kept.is_open) == (D("5000"), "shipment", True)

    close = reverse("customer-limits:order-close", args=[company.pk, kept.pk])
    page = client.post(close, {"closed_as": "invoiced"}, follow=True).content.decode()

    assert "Order SO-77 closed: it no longer counts as exposure." in page
    assert not OpenOrder.objects.get().is_open
    assert close not in page  # no close button on a closed order


def test_the_form_shows_the_fields_errors_and_writes_nothing(
    client_for, personas: Personas, company
) -> None:
    response = client_for(personas.account_manager).post(
        reverse("customer-limits:order-add", args=[company.pk]),
        {"order-reference": "SO-1", "order-amount": "0", "order-kind": "order"},
    )

    assert response.status_code == 422
    form = response.context["open_order_form"]
    assert set(form.errors) == {"amount", "currency"}
    assert not OpenOrder.objects.exists()


def test_a_viewer_sees_the_orders_without_the_form_or_buttons(
    client_for, personas: Personas, company
) -> None:
    kept = OpenOrder.objects.create(customer=company, reference="SO-1", amount=D("1"), kind="order")

    page = section(client_for(personas.colleague), company)  # same department, not theirs

    assert 'data-order="SO-1"' in page
    assert 'id="open-order-form"' not in page
    assert reverse("customer-limits:order-close", args=[company.pk, kept.pk]) not in page
    assert 'id="open-order-form"' in section(client_for(personas.account_manager), company)


def test_bulk_costs_the_same_queries_for_5_rows_as_for_50(
    api_for, personas: Personas, company
) -> None:
    client = api_for(personas.credit_manager)

    def queries(prefix: str, n: int) -> int:
        rows = [order(reference=f"{prefix}-{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"{URL}bulk/", {"rows": rows}, format="json")
        assert response.status_code == 200 and response.json()["created"] == n
        return len(captured)

    assert queries("A", 5) == queries("B", 50)
