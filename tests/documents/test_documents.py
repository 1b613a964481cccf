"""Documents on a file: naming, checksum, sealing, refusals, e-mails, access and deletion."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.changes.services import change_request_approve
from credfile.documents.models import Document
from credfile.documents.services import document_remove, document_storage
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(
        code="C000042", department=personas.sales, account_manager=personas.account_manager
    )


def _on_disk(document: Document) -> bytes:
    return Path(document_storage().path(document.stored_name)).read_bytes()


def _stored_files() -> list[str]:
    return document_storage().listdir("")[1]


def test_names_follow_the_rule_and_the_sequence_counts_per_type_and_day(customer: Any) -> None:
    first = samples.attach(customer)
    second = samples.attach(customer, title="第二封")
    other_type = samples.attach(customer, document_type="contract", name="c.pdf")
    next_day = samples.attach(customer, day=samples.DAY.replace(day=4))
    assert first.stored_name == "C000042_letter_20261103_001.pdf"
    assert second.stored_name == "C000042_letter_20261103_002.pdf"
    assert other_type.stored_name == "C000042_contract_20261103_001.pdf"
    assert next_day.stored_name == "C000042_letter_20261104_001.pdf"
    assert sorted(_stored_files()) == sorted(
        d.stored_name for d in (first, second, other_type, next_day)
    )


def test_a_name_already_in_storage_is_never_overwritten(customer: Any) -> None:
    document_storage().save("C000042_letter_20261103_001.pdf", io.BytesIO(b"left behind"))
    document = samples.attach(customer)
    assert document.stored_name == "C000042_letter_20261103_002.pdf"
    assert Path(document_storage().path("C000042_letter_20261103_001.pdf")).read_bytes() == (
        b"left behind"
    )


def test_the_naming_rule_is_a_setting(customer: Any, settings: Any) -> None:
    settings.CREDFILE_DOCUMENT_NAMING = "{date}-{code}-{seq}.{ext}"
    assert samples.attach(customer).stored_name == "20261103-C000042-001.pdf"


def test_the_checksum_is_the_sha256_of_the_bytes(customer: Any) -> None:
    document = samples.attach(customer, data=samples.PNG, name="scan.png")
    assert document.sha256 == hashlib.sha256(samples.PNG).hexdigest()
    assert document.content_type == "image/png" and document.size == len(samples.PNG)
    assert not document.encrypted and _on_disk(document) == samples.PNG


def test_id_copies_and_statements_are_sealed_at_rest_and_open_on_download(
    customer: Any, client_for: Any, personas: Any
) -> None:
    marker = b"%PDF-1.4 ID 110101199003071234 %%EOF"
    id_copy = samples.attach(customer, data=marker, name="id.pdf", document_type="id_copy")
    statement = samples.attach(
        customer, data=samples.xlsx(), name="fs.xlsx", document_type="statement"
    )
    for document in (id_copy, statement):
        assert document.encrypted and document.key_id
        blob = _on_disk(document)
        assert blob.startswith(b"cf1b$") and b"110101199003071234" not in blob
        assert b"[Content_Types].xml" not in blob
    response = client_for(personas.account_manager).get(
        reverse("customer-documents:download", args=[customer.pk, id_copy.pk])
    )
    assert response.status_code == 200 and response.content == marker
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="C000042_id_copy_20261103_001.pdf"; '
        "filename*=UTF-8''C000042_id_copy_20261103_001.pdf"
    )


def test_sealed_bytes_moved_to_another_name_do_not_open(customer: Any) -> None:
    from credfile.core.crypto import DecryptionFailed, unseal_bytes
    from credfile.documents.services import _aad

    document = samples.attach(customer, document_type="id_copy", name="id.pdf")
    with pytest.raises(DecryptionFailed):
        unseal_bytes(_on_disk(document), _aad("C000042_id_copy_20261103_002.pdf"))


def _refused(customer: Any, field_text: str, **kwargs: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        samples.attach(customer, **kwargs)
    assert field_text in " ".join(caught.value.message_dict["file"])
    assert not Document.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "scan.png"}, "does not match its extension .png"),
        ({"name": "../x.pdf"}, "must not contain a path"),
        ({"name": "..\\x.pdf"}, "must not contain a path"),
        ({"name": "x\x00.pdf"}, "control characters"),
        ({"name": "x\u202e.pdf"}, "control characters"),
        ({"name": "letter"}, "no extension"),
        ({"data": b"MZ\x90\x00 not accepted", "name": "a.exe"}, "not accepted"),
        ({"data": b"", "name": "a.pdf"}, "empty"),
        ({"data": samples.PNG, "name": "a.eml"}, "headers cannot be read"),
        ({"data": b"\xff\xfe garbage without headers", "name": "m.eml"}, "headers cannot be read"),
        (
            {"data": b"From: not an address <<<\nSubject: x\n\nbody", "name": "m.eml"},
            "headers cannot be read",
        ),
        ({"data": b"From: a@example.com\nSubject: no date\n\nbody", "name": "m.eml"}, "headers"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    customer: Any, kwargs: dict[str, Any], message: str
) -> None:
    _refused(customer, message, **kwargs)


def test_a_file_over_the_size_limit_is_refused(customer: Any, settings: Any) -> None:
    settings.CREDFILE_DOCUMENT_MAX_BYTES = 50
    _refused(customer, "larger than", data=samples.PDF + b" " * 60)


def test_a_zip_bomb_is_refused(customer: Any, settings: Any) -> None:
    bomb = samples.zip_bomb()
    assert len(bomb) < 200_000  # small on the wire
    _refused(customer, "zip bomb", data=bomb, name="accounts.xlsx")


def test_a_zip_over_the_unpacked_size_cap_is_refused_whatever_its_ratio(
    customer: Any, settings: Any
) -> None:
    settings.CREDFILE_DOCUMENT_ZIP_MAX_RATIO = 1_000_000
    settings.CREDFILE_DOCUMENT_ZIP_MAX_BYTES = 10_000_000
    _refused(customer, "zip bomb", data=samples.zip_bomb(), name="accounts.xlsx")


def test_a_zip_with_too_many_parts_is_refused(customer: Any, settings: Any) -> None:
    settings.CREDFILE_DOCUMENT_ZIP_MAX_MEMBERS = 5
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(10):
            archive.writestr(f"p{n}.xml", "x")
    _refused(customer, "more than 5 parts", data=out.getvalue(), name="a.xlsx")


def test_a_zip_that_is_not_office_is_refused(customer: Any) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _refused(customer, "not a Word or Excel", data=out.getvalue(), name="a.docx")


def test_an_xlsx_renamed_docx_is_refused(customer: Any) -> None:
    _refused(customer, "does not match its extension .docx", data=samples.xlsx(), name="a.docx")


def test_an_email_is_read_with_its_attachments(
    customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer, data=samples.eml(), name="确认.eml", document_type="email")
    assert document.content_type == "message/rfc822"
    assert document.original_name == "确认.eml"
    meta = document.meta
    assert meta["from"] == ["王芳 <wang.fang@example.com>"]
    assert meta["to"] == ["李娜 <li.na@example.com>", "zhao.lei@example.com"]
    assert meta["cc"] == ["credit@example.com"]
    assert meta["subject"] == "关于付款计划的确认"
    assert meta["date"] == "2026-11-03T09:30:00+08:00"
    assert meta["attachments"] == [
        {"name": "付款计划.pdf", "type": "application/pdf", "size": len(samples.PDF)}
    ]
    page = client_for(personas.account_manager).get(
        reverse("customers:section", args=[customer.pk, "documents"])
    )
    text = page.content.decode()
    assert "wang.fang@example.com" in text and "付款计划.pdf" in text
    assert "关于付款计划的确认" in text


def test_the_section_lists_documents_in_date_order(
    customer: Any, client_for: Any, personas: Any
) -> None:
    later = samples.attach(customer, title="后来的信", day=samples.DAY.replace(day=20))
    earlier = samples.attach(customer, title="先前的信", day=samples.DAY.replace(day=1))
    text = (
        client_for(personas.account_manager, "zh-hans")
        .get(reverse("customers:section", args=[customer.pk, "documents"]))
        .content.decode()
    )
    assert text.index(earlier.stored_name) < text.index(later.stored_name)
    assert earlier.sha256[:12] in text and "上传文件" in text


def test_the_upload_form_keeps_a_document_and_shows_a_refusal_on_the_field(
    customer: Any, client_for: Any, personas: Any
) -> None:
    client = client_for(personas.account_manager, "zh-hans")
    url = reverse("customer-documents:upload", args=[customer.pk])
    data = {"document_type": "minutes", "title": "会议纪要", "document_date": "2026-11-03"}
    bad = SimpleUploadedFile("scan.png", samples.PDF, content_type="image/png")
    refused = client.post(url, {**data, "file": bad})
    assert refused.status_code == 422
    assert "文件内容为 PDF，与其扩展名 .png 不符。" in refused.content.decode()
    assert not Document.objects.exists() and _stored_files() == []
    good = SimpleUploadedFile("纪要.pdf", samples.PDF, content_type="application/pdf")
    assert client.post(url, {**data, "file": good}).status_code == 302
    document = Document.objects.get()
    assert document.stored_name == "C000042_minutes_20261103_001.pdf"
    assert document.uploaded_by == personas.account_manager


def test_a_preview_is_inline_and_an_eml_has_none(
    customer: Any, client_for: Any, personas: Any
) -> None:
    image = samples.attach(customer, data=samples.PNG, name="s.png")
    message = samples.attach(customer, data=samples.eml(), name="m.eml", document_type="email")
    client = client_for(personas.credit_manager)
    shown = client.get(reverse("customer-documents:preview", args=[customer.pk, image.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline; ")
    assert shown["X-Content-Type-Options"] == "nosniff"
    none = client.get(reverse("customer-documents:preview", args=[customer.pk, message.pk]))
    assert none.status_code == 404


def test_every_download_and_preview_is_an_audit_event(
    customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer)
    client = client_for(personas.auditor)
    client.get(reverse("customer-documents:download", args=[customer.pk, document.pk]))
    client.get(reverse("customer-documents:preview", args=[customer.pk, document.pk]))
    api = APIClient()
    api.force_authenticate(personas.auditor)
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 200
    events = AuditEvent.objects.filter(
        object_type="documents.document", object_id=str(document.pk), action="view"
    ).order_by("seq")
    assert [e.after["use"] for e in events] == ["download", "preview", "api download"]
    assert all(e.actor_id == personas.auditor.pk and e.customer_id == customer.pk for e in events)


def test_another_department_gets_nothing_on_any_route(
    customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer)
    client = client_for(personas.outsider)
    for name in ("customer-documents:download", "customer-documents:preview"):
        assert client.get(reverse(name, args=[customer.pk, document.pk])).status_code == 404
    upload = SimpleUploadedFile("a.pdf", samples.PDF)
    posted = client.post(
        reverse("customer-documents:upload", args=[customer.pk]),
        {"file": upload, "document_type": "letter", "title": "t", "document_date": "2026-11-03"},
    )
    assert posted.status_code == 404
    api = APIClient()
    api.force_authenticate(personas.outsider)
    assert api.get(f"/api/v1/customers/{customer.pk}/documents/").status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert Document.objects.count() == 1


def _grant(personas: Any, customer: Any, sections: list[str]) -> None:
    from django.utils import timezone

    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=sections,
        purpose="核对合同",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)


def test_a_grant_without_the_documents_section_sees_no_document(
    customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer)
    _grant(personas, customer, ["contacts"])
    client = client_for(personas.outsider)
    url = reverse("customer-documents:download", args=[customer.pk, document.pk])
    assert client.get(url).status_code == 404
    api = APIClient()
    api.force_authenticate(personas.outsider)
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/customers/{customer.pk}/documents/").status_code == 404
    _grant(personas, customer, ["documents"])
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.filter(action="grant_use", object_type="documents.document").get()
    assert event.after["purpose"] == "核对合同" and event.after["use"] == "download"


def test_a_deletion_waits_for_the_department_head(
    customer: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = samples.attach(customer)
    request = document_remove(
        actor=personas.account_manager, customer=customer, document=document, reason="重复上传"
    )
    assert isinstance(request, ChangeRequest)
    assert Document.objects.filter(pk=document.pk).exists()
    assert document.stored_name in _stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        change_request_approve(actor=personas.department_head, request=request)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert document.stored_name not in _stored_files()


def test_the_api_lists_attaches_and_asks_for_deletion(customer: Any, personas: Any) -> None:
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    base = f"/api/v1/customers/{customer.pk}/documents/"
    upload = SimpleUploadedFile("fs.xlsx", samples.xlsx())
    made = api.post(
        base,
        {
            "file": upload,
            "document_type": "statement",
            "title": "2025年报",
            "document_date": "2026-03-31",
        },
        format="multipart",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["stored_name"] == "C000042_statement_20260331_001.xlsx" and body["encrypted"]
    wrong = api.post(
        base,
        {
            "file": SimpleUploadedFile("fs.docx", samples.xlsx()),
            "document_type": "letter",
            "title": "t",
            "document_date": "2026-03-31",
        },
        format="multipart",
    )
    assert wrong.status_code == 400 and Document.objects.count() == 1
    assert wrong.json()["errors"]["file"] == ["文件内容为 XLSX，与其扩展名 .docx 不符。"]
    # Over HTTP, Django's multipart parser keeps only a name's last part before the service
    # sees it: the stored name is the server's, and nothing lands outside the storage.
    climbing = api.post(
        base,
        {
            "file": SimpleUploadedFile("../../fs.xlsx", samples.xlsx()),
            "document_type": "statement",
            "title": "t",
            "document_date": "2026-03-31",
        },
        format="multipart",
    )
    assert climbing.json()["original_name"] == "fs.xlsx"
    assert climbing.json()["stored_name"] == "C000042_statement_20260331_002.xlsx"
    rows = api.get(base).json()["results"]
    assert [r["id"] for r in rows] == [body["id"], climbing.json()["id"]]
    asked = api.delete(f"{base}{body['id']}/", {"reason": "重复"}, format="json")
    assert asked.status_code == 202 and Document.objects.count() == 2


@pytest.fixture
def own_key(tmp_path: Path, settings: Any) -> Any:
    """A key file of this test's own, so rotating it leaves other tests alone."""
    from credfile.core import crypto

    settings.CREDFILE_KEY_FILE = tmp_path / "master.key"
    crypto.create_key_file()
    yield settings.CREDFILE_KEY_FILE
    crypto.reset_key_ring()


def test_a_key_rotation_reseals_documents_before_the_old_key_goes(
    customer: Any, own_key: Any, client_for: Any, personas: Any
) -> None:
    from credfile.core import crypto
    from credfile.core.keys import keys_rotate

    old = crypto.key_ring().active
    document = samples.attach(customer, document_type="statement", data=samples.PDF, name="fs.pdf")
    before = _on_disk(document)
    report = keys_rotate()
    assert report.retired == [old] and report.rows["documents.Document"] == 1
    document.refresh_from_db()
    assert document.key_id == crypto.key_ring().active != old
    assert _on_disk(document) != before and sorted(_stored_files()) == [document.stored_name]
    response = client_for(personas.account_manager).get(
        reverse("customer-documents:download", args=[customer.pk, document.pk])
    )
    assert response.content == samples.PDF


def test_the_title_is_corrected_at_once_from_the_record_page(
    customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer)
    client = client_for(personas.account_manager)
    url = reverse("changes:correct", args=["document", document.pk])
    form = client.get(url)
    assert form.status_code == 200 and "催款函" in form.content.decode()
    saved = client.post(url, {"title": "第二次催款函"})
    assert saved.status_code == 302
    document.refresh_from_db()
    assert document.title == "第二次催款函"
    assert document.stored_name == "C000042_letter_20261103_001.pdf"
