"""Every version of every file and its records: recording, as-of, differences, pages, API."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credfile.changes.services import change_request_approve, customer_edit
from credfile.customers.models import Customer
from credfile.customers.services import contact_create, customer_create, customer_update
from credfile.history import selectors
from credfile.history.models import FileVersion
from credfile.transactions.models import Invoice
from credfile.transactions.services import _invoice_update as invoice_update
from credfile.transactions.services import invoice_create, payment_create
from tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
OLD_ID, NEW_ID = resident_id(11), resident_id(29)


def _masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def _date(version: FileVersion | int, customer: Customer, when: datetime.datetime) -> None:
    """Pretend the changes of one version were made at `when`."""
    number = version if isinstance(version, int) else version.version
    FileVersion.objects.filter(customer_id=customer.pk, version=number).update(changed_at=when)


def _person(personas: Any) -> Customer:
    return customer_create(
        actor=personas.account_manager,
        fields={"kind": "individual", "name": "张伟", "id_number": OLD_ID},
    )


def test_every_committed_change_is_a_version(personas) -> None:
    org = customer_create(
        actor=personas.account_manager, fields={"kind": "organization", "name": "星辰科技"}
    )
    customer_update(actor=personas.account_manager, customer=org, fields={"city": "北京市"})
    contact_create(
        actor=personas.account_manager,
        customer=org,
        fields={"name": "王经理", "mobile": "13812345678"},
    )
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={"number": "INV-1", "issue_date": datetime.date(2026, 1, 5), "amount": Decimal(100)},
    )
    payment_create(
        actor=personas.account_manager,
        customer=org,
        fields={"received_on": datetime.date(2026, 2, 1), "amount": Decimal(40)},
    )

    rows = list(
        FileVersion.objects.filter(customer_id=org.pk)
        .order_by("id")
        .values_list("version", "operation", "object_type")
    )
    assert rows == [
        (1, "create", "customers.customer"),
        (2, "update", "customers.customer"),
        (3, "create", "customers.contact"),
        (4, "create", "transactions.invoice"),
        (5, "create", "transactions.payment"),
        (5, "create", "transactions.paymentallocation"),
        (5, "update", "transactions.invoice"),
    ]
    org.refresh_from_db()
    assert org.version == 5
    settled = FileVersion.objects.get(
        customer_id=org.pk, version=5, object_type="transactions.invoice", object_id=invoice.pk
    )
    assert settled.data["amount_paid"] == "40.00"
    assert settled.actor == personas.account_manager


def test_snapshots_are_sealed_at_rest(personas) -> None:
    person = _person(personas)
    raw = FileVersion.objects.filter(customer_id=person.pk).values_list("snapshot_enc", flat=True)
    assert all(t.startswith("cf1$") and OLD_ID not in t and "张伟" not in t for t in raw)
    assert FileVersion.objects.get(customer_id=person.pk).data["id_number"] == OLD_ID


def test_as_of_a_date_shows_the_whole_file_as_it_was(personas, client_for) -> None:
    org = customer_create(
        actor=personas.account_manager, fields={"kind": "organization", "name": "星辰科技"}
    )
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={"number": "INV-1", "issue_date": datetime.date(2026, 1, 5), "amount": Decimal(100)},
    )
    _date(1, org, datetime.datetime(2026, 1, 1, 9, tzinfo=TZ))
    _date(2, org, datetime.datetime(2026, 1, 5, 9, tzinfo=TZ))
    customer_update(actor=personas.account_manager, customer=org, fields={"name": "星辰科技股份"})
    invoice_update(actor=personas.account_manager, invoice=invoice, fields={"amount": Decimal(150)})
    contact_create(
        actor=personas.account_manager, customer=org, fields={"name": "王经理", "email": "w@x.cn"}
    )
    _date(3, org, datetime.datetime(2026, 2, 1, 9, tzinfo=TZ))
    _date(4, org, datetime.datetime(2026, 2, 2, 9, tzinfo=TZ))
    _date(5, org, datetime.datetime(2026, 3, 1, 9, tzinfo=TZ))
    client = client_for(personas.account_manager)
    url = reverse("history:as_of", args=[org.pk])

    january = client.get(url, {"date": "2026-01-20"}).content.decode()
    assert '<dd class="col-sm-7">星辰科技</dd>' in january
    assert "INV-1" in january and "100.00" in january and "150.00" not in january
    assert "王经理" not in january
    february = client.get(url, {"date": "2026-02-15"}).content.decode()
    assert '<dd class="col-sm-7">星辰科技股份</dd>' in february
    assert "150.00" in february and "王经理" not in february
    assert "王经理" in client.get(url, {"date": "2026-03-01"}).content.decode()
    before = client.get(url, {"date": "2025-12-31"}).content.decode()
    assert "did not exist" in before

    api = client_for(personas.account_manager)
    body = api.get(f"/api/v1/customers/{org.pk}/as-of/", {"date": "2026-01-20"}).json()
    assert body["customer"]["name"] == "星辰科技"
    assert [i["amount"] for i in body["records"]["invoice"]] == ["100.00"]
    assert body["records"]["contact"] == []


def test_the_history_page_shows_both_versions_of_an_edited_id_number_masked(
    personas, client_for
) -> None:
    person = _person(personas)
    outcome = customer_edit(
        actor=personas.account_manager, customer=person, fields={"id_number": NEW_ID}
    )
    change_request_approve(actor=personas.department_head, request=outcome.requests[0])

    page = client_for(personas.colleague).get(reverse("history:list", args=[person.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert _masked(OLD_ID) in text and _masked(NEW_ID) in text
    assert OLD_ID not in text and NEW_ID not in text
    assert str(personas.department_head) in text  # approved by
    assert reverse("changes:detail", args=[outcome.requests[0].pk]) in text


def test_a_diff_between_two_versions_names_each_changed_field(personas, client_for) -> None:
    person = _person(personas)
    customer_update(
        actor=personas.account_manager, customer=person, fields={"remarks": "回访", "city": "北京"}
    )
    customer_update(actor=personas.account_manager, customer=person, fields={"id_number": NEW_ID})
    client = client_for(personas.account_manager)

    page = client.get(reverse("history:diff", args=[person.pk]), {"from": 1, "to": 3})

    text = page.content.decode()
    assert page.status_code == 200
    assert "回访" in text and "北京" in text
    assert _masked(OLD_ID) in text and _masked(NEW_ID) in text and NEW_ID not in text
    body = client.get(f"/api/v1/customers/{person.pk}/versions/diff/?from=2&to=3").json()
    (changed,) = body["objects"]
    assert {f["field"] for f in changed["fields"]} >= {"id_number"}
    assert "remarks" not in {f["field"] for f in changed["fields"]}
    versions = client.get(f"/api/v1/customers/{person.pk}/versions/").json()["results"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert {c["field"]: c["to"] for c in versions[0]["changes"]}["id_number"] == _masked(NEW_ID)
    missing = client.get(f"/api/v1/customers/{person.pk}/versions/diff/?from=1&to=9")
    assert missing.status_code == 400


def test_outsiders_find_no_history(personas, client_for) -> None:
    person = _person(personas)
    outsider = client_for(personas.outsider)
    for name in ("history:list", "history:diff", "history:as_of"):
        assert outsider.get(reverse(name, args=[person.pk])).status_code == 404
    for path in ("versions/", "versions/diff/?from=1&to=1", "as-of/?date=2026-01-01"):
        response = outsider.get(f"/api/v1/customers/{person.pk}/{path}")
        assert response.status_code == 404, path
    # Read-all roles may look back, masked.
    assert (
        client_for(personas.auditor).get(reverse("history:list", args=[person.pk])).status_code
        == 200
    )


def test_a_usage_grant_does_not_reach_the_history(personas, client_for) -> None:
    from credfile.access.services import application_approve, application_create

    person = _person(personas)
    today = timezone.localdate()
    application = application_create(
        actor=personas.outsider,
        customer=person,
        sections=["basic"],
        purpose="核对",
        starts_on=today,
        ends_on=today,
    )
    application_approve(actor=personas.executive, application=application)
    outsider = client_for(personas.outsider)
    assert outsider.get(reverse("customers:detail", args=[person.pk])).status_code == 200
    assert outsider.get(reverse("history:list", args=[person.pk])).status_code == 404


def test_a_record_loaded_in_bulk_keeps_its_state_before_its_first_change(personas) -> None:
    org = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    invoice = Invoice.objects.create(
        customer=org,
        number="OLD-1",
        issue_date=datetime.date(2025, 6, 1),
        due_date=datetime.date(2025, 7, 1),
        payment_terms_days=30,
        amount=Decimal(80),
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        created_at=datetime.datetime(2025, 6, 1, tzinfo=TZ)
    )
    Customer.objects.filter(pk=org.pk).update(created_at=datetime.datetime(2025, 1, 1, tzinfo=TZ))
    invoice.refresh_from_db()

    invoice_update(actor=personas.account_manager, invoice=invoice, fields={"amount": Decimal(90)})

    ops = list(
        FileVersion.objects.filter(object_id=invoice.pk, object_type="transactions.invoice")
        .order_by("id")
        .values_list("operation", flat=True)
    )
    assert ops == ["baseline", "update"]
    then = selectors.file_state(org.pk, selectors.end_of_day(datetime.date(2025, 12, 31)))
    assert then.of("transactions.invoice")[invoice.pk]["amount"] == "80.00"
    assert then.exists  # the file itself, never versioned, is its live row
    now = selectors.file_state(org.pk, timezone.now())
    assert now.of("transactions.invoice")[invoice.pk]["amount"] == "90.00"


def test_a_stale_edit_is_told_what_changed_meanwhile(personas, client_for) -> None:
    person = _person(personas)
    client = client_for(personas.account_manager)
    form = client.get(reverse("customers:edit", args=[person.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(department=personas.sales.pk, account_manager=personas.account_manager.pk)
    customer_update(actor=personas.department_head, customer=person, fields={"remarks": "已核实"})

    response = client.post(reverse("customers:edit", args=[person.pk]), {**data, "city": "天津"})

    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone changed this credit file" in text
    assert "已核实" in text and "wang.fang" in text


def test_the_as_of_page_costs_the_same_queries_for_many_records(
    personas, client_for, django_assert_max_num_queries
) -> None:
    org = customer_create(
        actor=personas.account_manager, fields={"kind": "organization", "name": "星辰科技"}
    )
    for i in range(25):
        invoice_create(
            actor=personas.account_manager,
            customer=org,
            fields={
                "number": f"INV-{i}",
                "issue_date": datetime.date(2026, 1, 5),
                "amount": Decimal(100 + i),
            },
        )
    client = client_for(personas.account_manager)
    url = reverse("history:as_of", args=[org.pk])
    with django_assert_max_num_queries(30):
        response = client.get(url, {"date": timezone.localdate().isoformat()})
    assert response.content.decode().count("INV-") == 25


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["rename", "invoice", "correct"])),
        min_size=1,
        max_size=6,
    ),
    probes=st.lists(st.integers(-3, 45), min_size=1, max_size=6),
)
def test_as_of_equals_the_stored_versions_for_any_date(personas, steps, probes) -> None:
    """Replay edits on chosen days; the file as of any day is what was last done by then."""
    savepoint = transaction.savepoint()
    try:
        start = datetime.datetime(2026, 1, 1, 10, tzinfo=TZ)
        org = customer_create(
            actor=personas.account_manager, fields={"kind": "organization", "name": "起点"}
        )
        _date(1, org, start)
        expected: list[tuple[datetime.datetime, dict[str, Any]]] = [
            (start, {"name": "起点", "invoices": {}})
        ]
        day = 0
        for offset, action in sorted(steps):
            day = max(day, offset)
            when = start + datetime.timedelta(days=day, minutes=len(expected))
            state = {"name": expected[-1][1]["name"], "invoices": dict(expected[-1][1]["invoices"])}
            if action == "rename":
                state["name"] = f"名称{len(expected)}"
                customer_update(
                    actor=personas.account_manager, customer=org, fields={"name": state["name"]}
                )
            elif action == "invoice" or not state["invoices"]:
                number = f"INV-{len(expected)}"
                state["invoices"][number] = f"{len(expected)}00.00"
                invoice_create(
                    actor=personas.account_manager,
                    customer=org,
                    fields={
                        "number": number,
                        "issue_date": datetime.date(2026, 1, 1),
                        "amount": Decimal(len(expected) * 100),
                    },
                )
            else:
                number = sorted(state["invoices"])[0]
                state["invoices"][number] = f"{len(expected)}11.00"
                invoice = Invoice.objects.get(customer=org, number=number)
                invoice_update(
                    actor=personas.account_manager,
                    invoice=invoice,
                    fields={"amount": Decimal(f"{len(expected)}11.00")},
                )
            org.refresh_from_db()
            _date(org.version, org, when)
            expected.append((when, state))
        for probe in probes:
            until = selectors.end_of_day((start + datetime.timedelta(days=probe)).date())
            then = selectors.file_state(org.pk, until)
            known = [s for t, s in expected if t <= until]
            if not known:
                assert not then.exists
                continue
            want = known[-1]
            assert then.objects[("customers.customer", org.pk)]["name"] == want["name"]
            got = {d["number"]: d["amount"] for d in then.of("transactions.invoice").values()}
            assert got == want["invoices"]
    finally:
        transaction.savepoint_rollback(savepoint)


def test_key_rotation_reseals_the_history_and_the_proposals(personas, tmp_path, settings) -> None:
    from credfile.changes.models import ChangeRequest
    from credfile.core import crypto
    from credfile.core.keys import keys_rotate

    settings.CREDFILE_KEY_FILE = tmp_path / "master.key"
    crypto.create_key_file()
    try:
        person = _person(personas)
        customer_edit(actor=personas.account_manager, customer=person, fields={"id_number": NEW_ID})
        old_key = crypto.key_ring().active

        report = keys_rotate()

        assert report.complete and report.retired == [old_key]
        crypto.reset_key_ring()
        assert list(crypto.load_key_file(settings.CREDFILE_KEY_FILE).keys) == [report.new_key]
        assert report.rows["history.FileVersion"] >= 1 and report.rows["changes.ChangeRequest"] == 1
        assert FileVersion.objects.get(customer_id=person.pk).data["id_number"] == OLD_ID
        assert ChangeRequest.objects.get().proposal["changes"]["id_number"] == NEW_ID
    finally:
        crypto.reset_key_ring()
