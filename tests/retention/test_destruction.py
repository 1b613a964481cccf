"""Destruction at the end of retention and on a person's request: what goes, what proves it
went, and that nothing of it is left in any table, version, index or store."""

from __future__ import annotations

import datetime
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from credfile.accounts.models import User
from credfile.audit.models import AuditEvent
from credfile.audit.verification import chain_check
from credfile.customers.models import Customer
from credfile.customers.services import contact_create, customer_update
from credfile.demo.loader import load_demo
from credfile.documents.models import Document
from credfile.history.models import FileVersion
from credfile.imports.models import ImportRun
from credfile.interactions.services import note_create
from credfile.retention.destruction import deletion_request_record, destruction_approve
from credfile.retention.models import (
    DeletionRequest,
    DestructionCertificate,
    DestructionItem,
    DestructionList,
)
from credfile.retention.services import (
    destruction_list_make,
    file_archive,
    file_settle,
    legal_hold_place,
)
from credfile.risk.models import RiskRule, WatchEntry
from tests.documents import samples
from tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db(transaction=False)

SETTLED = datetime.date(2019, 6, 30)
DUE = datetime.date(2024, 6, 30)  # the shipped rule: a settled file five years on
MARK_NAME = "销毁验证专用名称有限公司"
MARK_CONTACT = "销毁验证联系人甲"
MARK_NOTE = "销毁验证备注：应收账款展期"
MARK_PDF = b"%PDF-1.4\n% destruction-marker-7f3a\n%%EOF\n"


def _head_of(customer: Customer) -> User:
    return User.objects.get(role="department_head", department=customer.department)


def _markers(customer: Customer) -> list[str]:
    values = [MARK_NAME, MARK_CONTACT, MARK_NOTE, customer.credit_code, customer.demo_name]
    return [v for v in values if v]


def _scan_database(needles: list[str]) -> list[str]:
    """Every row of every table, as text, looked through for the needles (as written, and
    as JSON writes them with non-ASCII escaped)."""
    forms = set(needles) | {json.dumps(n)[1:-1] for n in needles}
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(
                    v.decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in (bytes(x) if isinstance(x, memoryview) else x for x in row)
                )
                found += [f"{table}: {n}" for n in forms if n in text]
    return found


def _scan_storage(code: str, blobs: list[bytes]) -> list[str]:
    found = []
    for store in ("documents", "archive"):
        root = settings.STORAGES[store]["OPTIONS"]["location"]
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                data = path.read_bytes()
                if code in name or any(b in data for b in blobs):
                    found.append(str(path))
    return found


@pytest.fixture
def demo() -> list[Customer]:
    load_demo(customers=3, seed=11, as_of=datetime.date(2019, 6, 1), parallel=False)
    return list(Customer.objects.order_by("pk"))


@pytest.fixture
def doomed(demo: list[Customer], django_capture_on_commit_callbacks: Any) -> Customer:
    """A demo file with everything demo data has, renamed, with a contact, a note, an e-mail
    and a contract of its own, settled and archived."""
    customer = next(c for c in demo if c.status == "active")
    assert all(customer.name not in c.name for c in demo if c.pk != customer.pk)
    customer.demo_name = customer.name  # type: ignore[attr-defined]
    head = _head_of(customer)
    customer_update(actor=head, customer=customer, fields={"name": MARK_NAME})
    customer.refresh_from_db()
    contact_create(
        actor=head, customer=customer, fields={"name": MARK_CONTACT, "mobile": "13912345678"}
    )
    note_create(
        actor=head,
        customer=customer,
        fields={"body": MARK_NOTE, "subject": "展期", "dated": datetime.date(2019, 5, 1)},
    )
    samples.attach(customer, actor=head, data=samples.eml(), name="mail.eml", document_type="email")
    samples.attach(customer, actor=head, data=MARK_PDF, name="c.pdf", document_type="contract")
    samples.attach(customer, actor=head, data=samples.PNG, name="id.png", document_type="id_copy")
    # An import run's preview and row errors, as a check of an upload that named the file.
    ImportRun.objects.create(
        user=head,
        kind="customers",
        file_token="t" * 32,
        result={
            "preview": [[MARK_NAME, "organization"], ["另一家公司", "organization"]],
            "errors": [{"row": 2, "column": "名称", "message": f"与已有档案 {MARK_NAME} 重复"}],
        },
    )
    file_settle(actor=head, customer=customer, today=SETTLED)
    customer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=head, customer=customer, today=SETTLED)
    demo_name = customer.demo_name  # type: ignore[attr-defined]
    customer.refresh_from_db()
    customer.demo_name = demo_name  # type: ignore[attr-defined]
    return customer


def test_a_settled_file_is_destroyed_with_a_certificate_and_nothing_of_it_is_left(
    doomed: Customer, demo: list[Customer], django_capture_on_commit_callbacks: Any
) -> None:
    head = _head_of(doomed)
    markers = _markers(doomed)
    seen = {hit.split(":")[0] for hit in _scan_database(markers)}
    assert {
        "customers_customer",
        "customers_contact",
        "audit_auditevent",
        "history_fileversion",
        "imports_importrun",
    } <= seen, seen
    assert _scan_storage(doomed.code, [MARK_PDF])
    documents = list(Document.objects.filter(customer=doomed).values_list("stored_name", "sha256"))
    others = [c for c in demo if c.pk != doomed.pk]
    before_others = {c.pk: FileVersion.objects.filter(customer_id=c.pk).count() for c in others}

    assert destruction_list_make(today=DUE - datetime.timedelta(days=1)) is None
    listing = destruction_list_make(today=DUE)
    assert listing is not None
    assert ("file", doomed.pk) in set(listing.items.values_list("kind", "object_id"))
    with pytest.raises(PermissionDenied):
        destruction_approve(actor=doomed.account_manager, listing=listing)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = destruction_approve(actor=head, listing=listing, today=DUE)

    (certificate,) = outcome.certificates
    assert not outcome.refused
    assert certificate.kind == "file" and certificate.customer_code == doomed.code
    assert certificate.approved_by == head and "第四十七条" in certificate.legal_basis
    assert {(d["name"], d["sha256"]) for d in certificate.hashes["documents"]} == set(documents)
    assert len(certificate.hashes["record"]) == 64
    assert certificate.counts["files"] == 3 and certificate.counts["audit_erased"] >= 8
    assert certificate.counts["rows"]["customers.Customer"] == 1
    # The list is done; every item of the file is closed under the certificate.
    listing.refresh_from_db()
    assert listing.status == "done"
    assert set(DestructionItem.objects.values_list("status", "certificate")) == {
        ("destroyed", certificate.pk)
    }

    # Nothing of the file in any table, version, index or store.
    assert not Customer.objects.filter(pk=doomed.pk).exists()
    assert not FileVersion.objects.filter(customer_id=doomed.pk).exists()
    assert _scan_database(markers) == []
    # What else the import run said is kept.
    assert ImportRun.objects.get().result["preview"][1] == ["另一家公司", "organization"]
    assert _scan_storage(doomed.code, [MARK_PDF]) == []
    # Who did what and when is still there, and the trail verifies.
    trail = AuditEvent.objects.filter(customer_id=doomed.pk)
    assert (
        trail.filter(erased_in=certificate.audit_seq).count() == certificate.counts["audit_erased"]
    )
    proof = AuditEvent.objects.get(seq=certificate.audit_seq)
    assert proof.action == "destroy" and proof.after["customer_code"] == doomed.code
    check = chain_check()
    assert check.ok, check.problems
    out = io.StringIO()
    call_command("archive", "inspect", stdout=out)
    # The other files are untouched.
    assert {
        c.pk: FileVersion.objects.filter(customer_id=c.pk).count() for c in others
    } == before_others
    assert Customer.objects.count() == len(others)


def test_a_forged_erasure_breaks_the_trail(doomed: Customer) -> None:
    from tests.audit.conftest import tampering

    event = AuditEvent.objects.filter(customer_id=doomed.pk).exclude(content_digest="").first()
    assert event is not None
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = '', before = NULL, after = NULL, "
            "content_salt = '', erased_in = %s WHERE id = %s",
            [event.seq + 1, event.pk],
        )
    with translation.override("en"):
        check = chain_check()
    assert not check.ok
    assert f"event seq {event.seq} (id {event.pk}) was erased" in check.problems[0]


def test_a_legal_hold_stops_the_destruction_and_the_item_stays(doomed: Customer) -> None:
    head = _head_of(doomed)
    assert destruction_list_make(today=DUE) is not None
    # A hold takes the file off the pending lists …
    legal_hold_place(actor=head, customer=doomed, reason="诉讼未决")
    assert not DestructionItem.objects.filter(customer=doomed).exists()
    # … and an item listed in a race with it is still refused at approval.
    listing2 = DestructionList.objects.create(listed_on=DUE)
    DestructionItem.objects.create(
        destruction_list=listing2, kind="file", customer=doomed, object_id=doomed.pk, due_on=DUE
    )
    with translation.override("en"):
        outcome = destruction_approve(actor=head, listing=listing2, today=DUE)
    assert not outcome.certificates
    assert "legal hold" in outcome.refused[0][1]
    assert Customer.objects.filter(pk=doomed.pk).exists()
    assert DestructionItem.objects.get(destruction_list=listing2).status == "pending"


def test_a_document_and_a_negative_record_go_alone_and_the_file_stays(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    kept = samples.attach(customer, day=datetime.date(2025, 1, 1))
    copy = samples.attach(
        customer, data=samples.PNG, name="id.png", document_type="id_copy", title="身份证复印件"
    )
    rule = RiskRule.objects.create(name="逾期测试", max_dbt_above=90)
    ended = WatchEntry.objects.create(
        customer=customer,
        rule=rule,
        status="cleared",
        since=datetime.date(2018, 1, 1),
        cleared_on=datetime.date(2019, 1, 15),
        cleared_at=timezone.now(),
    )
    listing = DestructionList.objects.create(listed_on=DUE)
    for kind, pk in (("document", copy.pk), ("negative", ended.pk)):
        DestructionItem.objects.create(
            destruction_list=listing, kind=kind, customer=customer, object_id=pk, due_on=DUE
        )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = destruction_approve(actor=personas.department_head, listing=listing, today=DUE)
    assert sorted(c.kind for c in outcome.certificates) == ["document", "negative"]
    assert list(Document.objects.filter(customer=customer)) == [kept]
    assert not WatchEntry.objects.filter(pk=ended.pk).exists()
    assert Customer.objects.filter(pk=customer.pk).exists()
    document_events = AuditEvent.objects.filter(
        object_type="documents.document", object_id=str(copy.pk)
    )
    assert document_events.exists()
    assert all(e.erased_in and e.after is None for e in document_events)
    root = Path(settings.STORAGES["documents"]["OPTIONS"]["location"])
    assert not (root / copy.stored_name).exists() and (root / kept.stored_name).exists()
    assert chain_check().ok


def test_a_deletion_request_goes_the_same_way(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = CustomerFactory(
        kind="individual",
        name="请求删除的张某",
        credit_code="",
        id_number=resident_id(77),
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    with pytest.raises(PermissionDenied):
        deletion_request_record(actor=personas.account_manager, customer=person, basis="本人申请")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        deletion_request_record(actor=personas.department_head, customer=person, basis=" ")
    assert "basis" in refused.value.message_dict
    request = deletion_request_record(
        actor=personas.department_head, customer=person, basis="2026-12-01 书面申请，编号 R-17"
    )
    item = DestructionItem.objects.get(request=request)
    assert item.kind == "file" and item.status == "pending"
    # The same approval as the schedule's.
    with django_capture_on_commit_callbacks(execute=True):
        outcome = destruction_approve(actor=personas.department_head, listing=item.destruction_list)
    (certificate,) = outcome.certificates
    assert certificate.request == request and "第四十七条" in certificate.legal_basis
    request.refresh_from_db()
    assert request.status == "destroyed"
    assert _scan_database(["请求删除的张某", resident_id(77)]) == []
    assert chain_check().ok
    assert DeletionRequest.objects.count() == 1 and DestructionCertificate.objects.count() == 1


def test_a_deletion_request_under_a_legal_hold_is_refused(personas: Any) -> None:
    person = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    legal_hold_place(actor=personas.department_head, customer=person, reason="监管调查")
    with translation.override("en"), pytest.raises(ValidationError, match="legal hold"):
        deletion_request_record(actor=personas.department_head, customer=person, basis="本人申请")
    assert not DeletionRequest.objects.exists()


# --- the pages, the API and the command ---------------------------------------------------------


def _listed(personas: Any) -> tuple[Customer, DestructionList]:
    customer = CustomerFactory(
        name="页面销毁测试公司", department=personas.sales, account_manager=personas.account_manager
    )
    listing = DestructionList.objects.create(listed_on=DUE)
    DestructionItem.objects.create(
        destruction_list=listing, kind="file", customer=customer, object_id=customer.pk, due_on=DUE
    )
    return customer, listing


def test_the_head_destroys_from_the_due_page_only_when_confirmed(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.urls import reverse

    customer, listing = _listed(personas)
    item = listing.items.get()
    client = client_for(personas.department_head, "zh-hans")
    page = client.get(reverse("retention:due")).content.decode()
    assert f'name="items" value="{item.pk}"' in page and "销毁所选记录" in page
    refused = client.post(reverse("retention:due-approve"), {"items": [item.pk]}, follow=True)
    assert "请确认" in refused.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("retention:due-approve"), {"items": [item.pk], "confirm": "yes"}, follow=True
        )
    assert "已销毁 1 项" in done.content.decode()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    certificate = DestructionCertificate.objects.get()
    english = client_for(personas.auditor).get(
        reverse("retention:certificate", args=[certificate.pk])
    )
    text = english.content.decode()
    assert customer.code in text and certificate.hashes["record"] in text
    assert "页面销毁测试公司" not in text
    listed = client_for(personas.executive).get(reverse("retention:certificates")).content.decode()
    assert f'data-certificate="{certificate.pk}"' in listed


def test_the_api_approves_a_list_and_lists_the_certificates(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from rest_framework.test import APIClient

    customer, listing = _listed(personas)
    client = APIClient()
    client.force_authenticate(personas.account_manager)
    assert (
        client.post(
            f"/api/v1/destruction-lists/{listing.pk}/approve/", {}, format="json"
        ).status_code
        == 404
    )
    client.force_authenticate(personas.department_head)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/api/v1/destruction-lists/{listing.pk}/approve/", {}, format="json")
    assert answer.status_code == 200, answer.content
    (made,) = answer.json()["certificates"]
    assert made["customer_code"] == customer.code and made["kind"] == "file"
    client.force_authenticate(personas.auditor)
    listed = client.get("/api/v1/destruction-certificates/").json()
    assert [c["id"] for c in listed["results"]] == [made["id"]]
    # The command shows the same certificate.
    out = io.StringIO()
    call_command("archive", "certificates", "--json", stdout=out)
    assert [c["customer_code"] for c in json.loads(out.getvalue())] == [customer.code]


def test_a_deletion_request_is_recorded_from_the_lifecycle_page_and_the_api(
    personas: Any, client_for: Any
) -> None:
    from django.urls import reverse
    from rest_framework.test import APIClient

    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    client = client_for(personas.department_head, "zh-hans")
    url = reverse("customer-lifecycle:page", args=[customer.pk])
    assert 'id="deletion-request-form"' in client.get(url).content.decode()
    empty = client.post(
        reverse("customer-lifecycle:deletion-request", args=[customer.pk]),
        {"basis": ""},
        follow=True,
    )
    assert "请说明" in empty.content.decode() and not DeletionRequest.objects.exists()
    client.post(
        reverse("customer-lifecycle:deletion-request", args=[customer.pk]),
        {"basis": "来函编号 R-9", "received_on": "2026-11-30"},
    )
    request = DeletionRequest.objects.get()
    assert request.received_on == datetime.date(2026, 11, 30)
    assert DestructionItem.objects.filter(request=request, status="pending").count() == 1
    api = APIClient()
    api.force_authenticate(personas.department_head)
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    answer = api.post(
        f"/api/v1/customers/{other.pk}/deletion-request/", {"basis": ""}, format="json"
    )
    assert answer.status_code == 400 and "basis" in answer.json()["errors"]
    answer = api.post(
        f"/api/v1/customers/{other.pk}/deletion-request/", {"basis": "电话申请"}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["status"] == "listed"
