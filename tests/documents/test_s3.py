"""Documents and the archive store on S3-compatible storage: a real S3 server (moto's, over
HTTP on a free port, one per module), the storages built from the CREDFILE_*_S3_* variables
as settings.py builds them, and the bucket looked at through boto3, not through credfile.

moto and django-storages are in the `dev` extra: without them this module fails to import,
so the run fails rather than skipping the S3 path."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from credfile.audit.models import AuditEvent
from credfile.core.storage_config import file_storages
from credfile.documents.choices import DocumentStatus
from credfile.documents.models import Document
from credfile.documents.services import archive_storage, document_storage
from credfile.inspections.models import FindingKind, Inspection, InspectionResult
from credfile.retention.services import file_archive, file_settle
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """One S3 server for the module, on a port the system picks, with test credentials
    in the environment where boto3 looks for them."""
    with pytest.MonkeyPatch.context() as patch:
        # The server's request log is noise beside the test's own output.
        patch.setattr(logging.getLogger("werkzeug"), "level", logging.WARNING)
        patch.setenv("AWS_ACCESS_KEY_ID", "credfile-test")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "credfile-test-secret")
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@dataclass
class Bucket:
    client: Any
    name: str

    def keys(self, prefix: str) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=key)


@pytest.fixture
def bucket(
    s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Bucket:
    """A fresh bucket per test; documents under `documents/` and the archive under
    `archive/` in it, configured by the variables an operator sets."""
    name = f"credfile-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.create_bucket(Bucket=name)
    monkeypatch.setenv("CREDFILE_DOCUMENT_S3_BUCKET", name)
    monkeypatch.setenv("CREDFILE_DOCUMENT_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("CREDFILE_DOCUMENT_S3_REGION", REGION)
    monkeypatch.setenv("CREDFILE_ARCHIVE_S3_BUCKET", name)
    settings.STORAGES = {**settings.STORAGES, **file_storages(tmp_path)}
    return Bucket(client, name)


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(
        code="C000042", department=personas.sales, account_manager=personas.account_manager
    )


def _download(client: Any, document: Document) -> Any:
    return client.get(
        reverse("customer-documents:download", args=[document.customer_id, document.pk])
    )


def run_archive(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("archive", "inspect", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


# --- configuration ------------------------------------------------------------------------------


def test_both_stores_are_s3_in_one_bucket_under_their_own_prefixes(bucket: Bucket) -> None:
    for storage, prefix in ((document_storage(), "documents"), (archive_storage(), "archive")):
        assert isinstance(storage, S3Storage)
        assert (storage.bucket_name, storage.location) == (bucket.name, prefix)
        assert storage.file_overwrite is False and storage.default_acl is None


def test_an_archive_prefix_inside_the_documents_prefix_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREDFILE_DOCUMENT_S3_BUCKET", "credfile")
    monkeypatch.setenv("CREDFILE_ARCHIVE_S3_BUCKET", "credfile")
    for documents, archive in (("documents", "documents/archive"), ("", "archive"), ("a", "a/")):
        monkeypatch.setenv("CREDFILE_DOCUMENT_S3_PREFIX", documents)
        monkeypatch.setenv("CREDFILE_ARCHIVE_S3_PREFIX", archive)
        with pytest.raises(ImproperlyConfigured, match="CREDFILE_ARCHIVE_S3_PREFIX"):
            file_storages(tmp_path)
    # Another bucket may use any prefix.
    monkeypatch.setenv("CREDFILE_ARCHIVE_S3_BUCKET", "credfile-archive")
    assert file_storages(tmp_path)["archive"]["OPTIONS"]["location"] == "a"


def test_documents_on_s3_leave_the_archive_on_disk_unless_it_is_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREDFILE_DOCUMENT_S3_BUCKET", "credfile")
    monkeypatch.delenv("CREDFILE_ARCHIVE_S3_BUCKET", raising=False)
    monkeypatch.delenv("CREDFILE_ARCHIVE_DIR", raising=False)
    stores = file_storages(tmp_path)
    assert stores["documents"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert stores["archive"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert stores["archive"]["OPTIONS"]["location"] == str(tmp_path / "archive")


# --- documents ----------------------------------------------------------------------------------


def test_an_attached_document_is_an_object_under_its_stored_name_and_downloads_the_same(
    bucket: Bucket, customer: Any, client_for: Any, personas: Any
) -> None:
    document = samples.attach(customer)
    assert document.stored_name == "C000042_letter_20261103_001.pdf"
    assert bucket.keys("") == ["documents/C000042_letter_20261103_001.pdf"]
    assert bucket.get("documents/C000042_letter_20261103_001.pdf") == samples.PDF
    response = _download(client_for(personas.account_manager), document)
    assert response.status_code == 200 and response.content == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(
        object_type="documents.document", object_id=str(document.pk), action="view"
    )
    assert event.actor_id == personas.account_manager.pk and event.customer_id == customer.pk
    assert event.after["use"] == "download"
    assert event.after["stored_name"] == "C000042_letter_20261103_001.pdf"


def test_an_object_left_in_the_bucket_is_never_overwritten(bucket: Bucket, customer: Any) -> None:
    bucket.put("documents/C000042_letter_20261103_001.pdf", b"left behind")
    document = samples.attach(customer)
    assert document.stored_name == "C000042_letter_20261103_002.pdf"
    assert bucket.get("documents/C000042_letter_20261103_001.pdf") == b"left behind"
    assert bucket.get("documents/C000042_letter_20261103_002.pdf") == samples.PDF


def test_a_sealed_type_is_encrypted_in_the_bucket_and_opens_on_download(
    bucket: Bucket, customer: Any, client_for: Any, personas: Any
) -> None:
    marker = b"%PDF-1.4 ID 110101199003071234 %%EOF"
    document = samples.attach(customer, data=marker, name="id.pdf", document_type="id_copy")
    raw = bucket.get(f"documents/{document.stored_name}")
    assert document.encrypted and raw.startswith(b"cf1b$")
    assert b"110101199003071234" not in raw and b"%PDF" not in raw
    response = _download(client_for(personas.account_manager), document)
    assert response.status_code == 200 and response.content == marker


# --- the archive store --------------------------------------------------------------------------


def test_archiving_moves_the_objects_to_the_archive_prefix(
    bucket: Bucket,
    customer: Any,
    client_for: Any,
    personas: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    letter = samples.attach(customer)
    sealed = samples.attach(customer, document_type="id_copy", name="id.png", data=samples.PNG)
    file_settle(actor=personas.department_head, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=personas.department_head, customer=customer)
    assert bucket.keys("documents/") == []
    assert bucket.keys("archive/") == sorted(
        [f"archive/{letter.stored_name}", f"archive/{sealed.stored_name}"]
    )
    assert bucket.get(f"archive/{letter.stored_name}") == samples.PDF
    assert samples.PNG not in bucket.get(f"archive/{sealed.stored_name}")
    client = client_for(personas.account_manager)
    for document, data in ((letter, samples.PDF), (sealed, samples.PNG)):
        document.refresh_from_db()
        assert document.status == DocumentStatus.ARCHIVED
        response = _download(client, document)
        assert response.status_code == 200 and response.content == data


def test_a_changed_object_stops_the_archiving_and_leaves_the_bucket_as_it_was(
    bucket: Bucket, customer: Any, personas: Any
) -> None:
    letter = samples.attach(customer)
    file_settle(actor=personas.department_head, customer=customer)
    bucket.put(f"documents/{letter.stored_name}", b"%PDF-1.4 changed")
    with pytest.raises(Exception, match=letter.stored_name):
        file_archive(actor=personas.department_head, customer=customer)
    letter.refresh_from_db()
    assert letter.status == DocumentStatus.ACTIVE
    assert bucket.keys("") == [f"documents/{letter.stored_name}"]


# --- the inspection -----------------------------------------------------------------------------


def test_the_inspection_finds_nothing_then_a_missing_an_orphaned_and_a_changed_object(
    bucket: Bucket,
    customer: Any,
    personas: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    letter = samples.attach(customer)
    scan = samples.attach(customer, data=samples.PNG, name="scan.png", title="扫描件")
    sealed = samples.attach(customer, document_type="id_copy", data=samples.PNG, name="id.png")
    settled = CustomerFactory(
        code="C000043", department=personas.sales, account_manager=personas.account_manager
    )
    archived = samples.attach(settled)
    file_settle(actor=personas.department_head, customer=settled)
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=personas.department_head, customer=settled)
    assert len(bucket.keys("documents/")) == 3 and len(bucket.keys("archive/")) == 1

    status, out = run_archive()
    assert status == 0, out
    assert "Archive intact: 4 documents match their checksums" in out

    bucket.delete(f"documents/{letter.stored_name}")
    bucket.put("documents/stray.pdf", b"%PDF-1.4 stray")
    bucket.put("documents/2025/old.pdf", b"%PDF-1.4 old")
    bucket.put("archive/stray.pdf", b"%PDF-1.4 stray")
    bucket.put(f"documents/{scan.stored_name}", samples.PNG + b"changed")
    bucket.put(f"documents/{sealed.stored_name}", samples.PNG)  # plain bytes for sealed ones
    bucket.put(f"archive/{archived.stored_name}", b"%PDF-1.4 changed")
    status, out = run_archive()
    assert status == 1
    inspection = Inspection.objects.latest("pk")
    assert inspection.result == InspectionResult.PROBLEMS
    assert sorted(inspection.findings.values_list("kind", "stored_name")) == sorted(
        [
            (FindingKind.MISSING, letter.stored_name),
            (FindingKind.CHECKSUM_MISMATCH, scan.stored_name),
            (FindingKind.CHECKSUM_MISMATCH, sealed.stored_name),
            (FindingKind.CHECKSUM_MISMATCH, archived.stored_name),
            (FindingKind.ORPHAN, "stray.pdf"),
            (FindingKind.ORPHAN, "2025/old.pdf"),
            (FindingKind.ORPHAN, "stray.pdf"),
        ]
    )
    assert "Missing file  " + letter.stored_name in out
    assert "Orphaned file  2025/old.pdf  No document names this stored file." in out
    assert "3 checksum mismatches, 1 missing files, 3 orphaned files" in out


# --- key rotation -------------------------------------------------------------------------------


@pytest.fixture
def own_key(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A key file of this test's own, so rotating it leaves other tests alone."""
    from credfile.core import crypto

    settings.CREDFILE_KEY_FILE = tmp_path / "master.key"
    crypto.create_key_file()
    yield settings.CREDFILE_KEY_FILE
    crypto.reset_key_ring()


def test_a_key_rotation_reseals_the_objects_in_place(
    bucket: Bucket,
    customer: Any,
    own_key: Path,
    personas: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from credfile.core import crypto
    from credfile.core.keys import keys_rotate

    statement = samples.attach(customer, document_type="statement", name="fs.pdf")
    settled = CustomerFactory(
        code="C000043", department=personas.sales, account_manager=personas.account_manager
    )
    id_copy = samples.attach(settled, document_type="id_copy", data=samples.PNG, name="id.png")
    file_settle(actor=personas.department_head, customer=settled)
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=personas.department_head, customer=settled)
    keys = bucket.keys("")
    before = {key: bucket.get(key) for key in keys}
    old = crypto.key_ring().active
    report = keys_rotate()
    assert report.retired == [old] and report.rows["documents.Document"] == 2
    # The same objects, no spare left beside them, each sealed again under the new key.
    assert keys == [f"archive/{id_copy.stored_name}", f"documents/{statement.stored_name}"]
    assert bucket.keys("") == keys
    assert all(bucket.get(key) != before[key] for key in keys)
    client = client_for(personas.account_manager)
    for document, data in ((statement, samples.PDF), (id_copy, samples.PNG)):
        document.refresh_from_db()
        assert document.key_id == crypto.key_ring().active != old
        assert _download(client, document).content == data
