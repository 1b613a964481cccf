"""The archive's integrity inspection: checksums, missing and orphaned files, the audit
chain, the command, the scheduled job and the auditors' pages."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.documents.models import Document
from credfile.documents.services import archive_storage, document_storage
from credfile.inspections.models import (
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionResult,
)
from credfile.inspections.services import inspection_run, inspection_start
from credfile.retention.services import file_archive, file_settle
from credfile.reviews.jobs import run_due
from tests.audit.conftest import tampering
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(
        code="C000042", department=personas.sales, account_manager=personas.account_manager
    )


@pytest.fixture
def documents(customer: Any) -> list[Document]:
    return [
        samples.attach(customer),
        samples.attach(customer, data=samples.PNG, name="scan.png", title="扫描件"),
        # An ID copy is sealed at rest: the inspection opens it to compare.
        samples.attach(customer, document_type="id_copy", data=samples.PNG, name="id.png"),
    ]


def _path(document: Document) -> Path:
    return Path(document_storage().path(document.stored_name))


def _kinds(inspection: Inspection) -> list[tuple[str, str]]:
    return list(inspection.findings.order_by("id").values_list("kind", "stored_name"))


def run_archive(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("archive", "inspect", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_a_clean_archive_inspects_ok_and_is_recorded_with_an_audit_event(
    documents: list[Document],
) -> None:
    assert documents[2].encrypted
    inspection = inspection_run()
    assert inspection.result == InspectionResult.OK
    assert inspection.finished_at is not None
    assert inspection.documents_checked == 3
    assert (inspection.checksum_mismatches, inspection.missing_files) == (0, 0)
    assert inspection.orphaned_files == 0
    assert inspection.chain_ok is True and inspection.chain_break_seq is None
    assert inspection.events_checked == AuditEvent.objects.count() - 1
    assert not inspection.findings.exists()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.object_type == "inspections.inspection"
    assert event.object_id == str(inspection.pk) and event.after["result"] == "ok"
    assert event.actor_label == "system" and event.after["trigger"] == "command"


def test_an_archive_store_never_written_to_inspects_ok(
    documents: list[Document], settings: Any, tmp_path: Path
) -> None:
    # A new instance: documents attached, no file archived, so no archive directory yet.
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {**settings.STORAGES["archive"], "OPTIONS": {"location": str(tmp_path / "a")}},
    }
    assert not (tmp_path / "a").exists()
    code, output = run_archive()
    assert code == 0, output
    inspection = Inspection.objects.get()
    assert (inspection.result, inspection.documents_checked) == ("ok", 3)


def test_an_archived_files_documents_are_inspected_in_the_archive_store(
    documents: list[Document], customer: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    file_settle(actor=personas.department_head, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=personas.department_head, customer=customer)
    assert not document_storage().exists(documents[0].stored_name)
    inspection = inspection_run()
    assert inspection.result == InspectionResult.OK, _kinds(inspection)
    assert inspection.documents_checked == 3
    # A copy left behind in the documents store is an orphan there.
    document_storage().save(documents[0].stored_name, ContentFile(b"left behind"))
    Path(archive_storage().path(documents[1].stored_name)).write_bytes(b"changed")
    assert _kinds(inspection_run()) == [
        (FindingKind.CHECKSUM_MISMATCH, documents[1].stored_name),
        (FindingKind.ORPHAN, documents[0].stored_name),
    ]


def test_changed_bytes_are_a_checksum_mismatch_naming_the_document(
    documents: list[Document],
) -> None:
    _path(documents[1]).write_bytes(samples.PNG + b"x")
    inspection = inspection_run()
    assert inspection.result == InspectionResult.PROBLEMS
    assert inspection.checksum_mismatches == 1
    assert _kinds(inspection) == [(FindingKind.CHECKSUM_MISMATCH, documents[1].stored_name)]
    finding = inspection.findings.get()
    assert finding.document_id == documents[1].pk
    assert finding.params["expected"] == documents[1].sha256


def test_a_sealed_document_is_verified_through_decryption(documents: list[Document]) -> None:
    sealed = _path(documents[2])
    blob = bytearray(sealed.read_bytes())
    blob[-1] ^= 1
    sealed.write_bytes(bytes(blob))
    inspection = inspection_run()
    assert _kinds(inspection) == [(FindingKind.CHECKSUM_MISMATCH, documents[2].stored_name)]
    assert inspection.findings.get().params == {"sealed": True}


def test_a_sealed_document_with_plain_bytes_in_its_place_is_a_mismatch(
    documents: list[Document],
) -> None:
    # The right bytes, unsealed: the checksum would match, the seal does not.
    _path(documents[2]).write_bytes(samples.PNG)
    assert _kinds(inspection_run()) == [(FindingKind.CHECKSUM_MISMATCH, documents[2].stored_name)]


def test_a_deleted_stored_file_is_missing(documents: list[Document]) -> None:
    _path(documents[0]).unlink()
    inspection = inspection_run()
    assert inspection.missing_files == 1
    assert _kinds(inspection) == [(FindingKind.MISSING, documents[0].stored_name)]


def test_a_stray_file_in_storage_is_an_orphan_also_in_a_subdirectory(
    documents: list[Document],
) -> None:
    storage = document_storage()
    storage.save("stray.pdf", ContentFile(b"%PDF-1.4 not ours"))
    storage.save("old/C000001_letter_20200101_001.pdf", ContentFile(b"left behind"))
    inspection = inspection_run()
    assert inspection.orphaned_files == 2
    assert sorted(_kinds(inspection)) == [
        (FindingKind.ORPHAN, "old/C000001_letter_20200101_001.pdf"),
        (FindingKind.ORPHAN, "stray.pdf"),
    ]


def test_a_tampered_audit_event_is_a_chain_break_naming_the_event(
    documents: list[Document],
) -> None:
    event = AuditEvent.objects.order_by("seq")[1]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["改过", event.pk]
        )
    inspection = inspection_run()
    assert inspection.result == InspectionResult.PROBLEMS
    assert inspection.chain_ok is False and inspection.chain_break_seq == event.seq
    assert inspection.documents_checked == 3 and inspection.checksum_mismatches == 0
    finding = inspection.findings.get()
    assert finding.kind == FindingKind.CHAIN_BREAK
    assert finding.params["break"]["seq"] == event.seq


def test_a_crash_midway_leaves_the_inspection_unfinished(
    documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    from credfile.inspections import services

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(services, "_digest", broken)
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        inspection_run()
    inspection = Inspection.objects.get()
    assert inspection.result == InspectionResult.RUNNING and inspection.finished_at is None
    assert not InspectionFinding.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_command_exits_0_when_clean_and_1_with_a_readable_summary(
    documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    status, out = run_archive()
    assert status == 0
    assert "Archive intact: 3 documents match their checksums" in out
    _path(documents[0]).unlink()
    document_storage().save("stray.pdf", ContentFile(b"x"))
    status, out = run_archive()
    assert status == 1
    assert "Missing file  " + documents[0].stored_name in out
    assert "Orphaned file  stray.pdf  No document names this stored file." in out
    assert "1 missing files, 1 orphaned files; the audit chain verifies." in out
    monkeypatch.setenv("CREDFILE_LANGUAGE", "zh-hans")
    status, out = run_archive()
    assert status == 1 and "发现问题" in out and "Missing" not in out


def test_the_command_prints_json(documents: list[Document]) -> None:
    _path(documents[1]).write_bytes(b"changed")
    status, out = run_archive("--json")
    assert status == 1
    data = json.loads(out[: out.rindex("}") + 1])
    assert data["result"] == "problems" and data["checksum_mismatches"] == 1
    assert data["findings"] == [
        {
            "kind": "checksum_mismatch",
            "stored_name": documents[1].stored_name,
            "detail": data["findings"][0]["detail"],
        }
    ]
    assert documents[1].sha256 in data["findings"][0]["detail"]


def test_the_job_inspects_once_per_period(documents: list[Document], settings: Any) -> None:
    settings.CREDFILE_INSPECTION_DAYS = 7
    today = timezone.localdate()
    (first,) = run_due(today=today, only=["archive.inspect"])
    assert first.summary is not None and first.summary["ran"] is True
    inspection = Inspection.objects.get()
    assert inspection.trigger == "scheduled" and inspection.result == InspectionResult.OK
    for days in (1, 6):
        run_due(today=today + datetime.timedelta(days=days), only=["archive.inspect"])
    assert Inspection.objects.count() == 1
    run_due(today=today + datetime.timedelta(days=7), only=["archive.inspect"])
    assert Inspection.objects.count() == 2
    settings.CREDFILE_INSPECTION_DAYS = 0
    run_due(today=today + datetime.timedelta(days=30), only=["archive.inspect"])
    assert Inspection.objects.count() == 2


ROLES = ("account_manager", "department_head", "credit_manager", "executive", "auditor", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_only_auditors_and_administrators_see_and_run_inspections(
    role: str, personas: Any, client_for: Any, documents: list[Document], settings: Any
) -> None:
    settings.CREDFILE_INSPECTION_IN_BACKGROUND = False
    inspection = inspection_run()
    client = client_for(getattr(personas, role))
    allowed = role in {"auditor", "admin"}
    listing = client.get(reverse("inspections:list"))
    detail = client.get(reverse("inspections:detail", args=[inspection.pk]))
    run = client.post(reverse("inspections:run"))
    assert listing.status_code == detail.status_code == (200 if allowed else 404)
    assert run.status_code == (302 if allowed else 404)
    nav = client.get(reverse("customers:list")).content.decode()
    assert (reverse("inspections:list") in nav) is allowed
    assert Inspection.objects.count() == (2 if allowed else 1)


def test_the_pages_show_the_findings_in_the_readers_language(
    personas: Any, client_for: Any, documents: list[Document], settings: Any
) -> None:
    settings.CREDFILE_INSPECTION_IN_BACKGROUND = False
    _path(documents[0]).unlink()
    client = client_for(personas.auditor)
    response = client.post(reverse("inspections:run"), follow=True)
    page = response.content.decode()
    assert "Problems found: 3 documents checked, 0 checksum mismatches, 1 missing files" in page
    assert documents[0].stored_name in page
    assert "The document&#x27;s stored file is not in the storage." in page
    listing = client.get(reverse("inspections:list")).content.decode()
    assert "Problems found" in listing and 'id="run-inspection"' in listing
    zh = client_for(personas.auditor, language="zh-hans")
    inspection = Inspection.objects.get()
    page = zh.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "发现问题" in page and "Missing file" not in page


def test_an_unfinished_inspection_says_so(personas: Any, client_for: Any) -> None:
    inspection = inspection_start()
    page = client_for(personas.auditor).get(reverse("inspections:detail", args=[inspection.pk]))
    text = page.content.decode()
    assert "The inspection has not finished." in text and "Unfinished" in text


def test_the_button_runs_in_the_background_once_committed(
    personas: Any,
    client_for: Any,
    documents: list[Document],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from credfile.inspections import runs

    started: list[int] = []
    monkeypatch.setattr(runs, "_launch", lambda pk, actor: started.append(pk))
    settings.CREDFILE_INSPECTION_IN_BACKGROUND = True
    client = client_for(personas.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        with_commit = client.post(reverse("inspections:run"))
    inspection = Inspection.objects.get()
    assert with_commit.status_code == 302 and started == [inspection.pk]
    assert inspection.result == InspectionResult.RUNNING


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_finishes_the_inspection(personas: Any) -> None:
    from credfile.inspections import runs

    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    samples.attach(customer)
    inspection = inspection_start(actor=personas.auditor)
    runs._in_thread(inspection.pk, personas.auditor)
    inspection.refresh_from_db()
    assert inspection.result == InspectionResult.OK and inspection.documents_checked == 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.actor_id == personas.auditor.pk


def test_the_api_lists_inspections_for_auditors_only(
    personas: Any, documents: list[Document]
) -> None:
    from rest_framework.test import APIClient

    _path(documents[0]).unlink()
    inspection = inspection_run()
    auditor = APIClient()
    auditor.force_authenticate(personas.auditor)
    data = auditor.get("/api/v1/inspections/", HTTP_ACCEPT_LANGUAGE="en").json()
    (row,) = data["results"]
    assert row["id"] == inspection.pk and row["result"] == "problems"
    assert row["missing_files"] == 1 and row["summary"].startswith("Problems found")
    other = APIClient()
    other.force_authenticate(personas.credit_manager)
    assert other.get("/api/v1/inspections/").status_code == 404
