"""The destruction journal made whole from the certificates: `credfile archive journal`
lists the certificates it lacks (a destruction whose line was never written), `--sync`
appends them signed like every line, and every backup syncs first, so a restore of an
older backup destroys them again."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.backups.services import backup_create
from credfile.customers.models import Customer
from credfile.retention import destruction
from credfile.retention.destruction import deletion_request_record, destruction_approve
from credfile.retention.journal import journal_append, journal_path, journal_read
from credfile.retention.models import DestructionCertificate, DestructionItem
from tests.backups.test_backup import Target, _filed, _report
from tests.conftest import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def _destroy(personas: Personas, customer: Customer) -> DestructionCertificate:
    request = deletion_request_record(
        actor=personas.department_head, customer=customer, basis="书面申请 R-12"
    )
    item = DestructionItem.objects.get(request=request)
    (certificate,) = destruction_approve(
        actor=personas.department_head, listing=item.destruction_list
    ).certificates
    return certificate


def _destroy_unjournaled(
    personas: Personas, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> DestructionCertificate:
    """A destruction whose journal line could not be written (a full journal disk)."""

    def full(facts: dict[str, Any], **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(destruction, "journal_append", full)
        return _destroy(personas, customer)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    # A command speaks the language CREDFILE_LANGUAGE or the shell names, not the caller's.
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")


def _journal(*args: str) -> tuple[int, str, dict[str, Any] | None]:
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch, translation.override("en"):
        patch.setenv("CREDFILE_LANGUAGE", "en")
        try:
            call_command("archive", "journal", *args, stdout=out)
        except CommandError as exc:
            return exc.returncode, out.getvalue() + str(exc), None
    text = out.getvalue()
    return 0, text, json.loads(text) if "--json" in args else None


def test_a_certificate_missing_from_the_journal_is_listed_and_synced(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    journaled = _destroy(personas, _filed(personas, "已记入的公司"))
    lost = _destroy_unjournaled(personas, _filed(personas, "未记入的公司"), monkeypatch)
    assert [e.certificate_id for e in journal_read()] == [journaled.pk]

    status, text, _data = _journal()
    assert status == 1
    assert f"Certificate #{lost.pk} is missing from the journal." in text
    assert "1 destruction certificates are missing from the journal" in text
    status, _text, data = _journal("--json")
    assert status == 1

    status, text, data = _journal("--sync", "--json")
    assert status == 0 and data is not None
    assert data["missing"] == [lost.pk] and data["appended"] == [lost.pk]
    assert data["entries"] == 2 and data["certificates"] == 2
    entries = journal_read()  # every line verifies under the instance's key
    assert [e.certificate_id for e in entries] == [journaled.pk, lost.pk]
    assert entries[1].facts == destruction.journal_facts(lost)

    status, text, _data = _journal("--sync")
    assert status == 0 and "The journal holds every destruction certificate." in text
    assert len(journal_read()) == 2


def test_a_reapplied_certificate_counts_as_journaled_under_the_original_id(
    personas: Personas,
) -> None:
    certificate = _destroy(personas, _filed(personas, "恢复后再销毁的公司"))
    # In a restored backup the destruction is applied again under another id: the journal
    # holds the original's line, with the same kind, record and time.
    facts = destruction.journal_facts(certificate) | {"certificate": certificate.pk + 100}
    journal_path().write_text("")
    journal_append(facts)
    status, _text, data = _journal("--json")
    assert status == 0 and data is not None and data["missing"] == []


def test_a_forged_journal_stops_the_sync_and_nothing_is_added(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _destroy(personas, _filed(personas, "公司甲"))
    _destroy_unjournaled(personas, _filed(personas, "公司乙"), monkeypatch)
    line = json.loads(journal_path().read_text())
    line["facts"]["object_id"] += 1
    journal_path().write_text(json.dumps(line) + "\n")

    status, text, _data = _journal("--sync")

    assert status == 1 and "The destruction journal cannot be used" in text
    assert "the signature does not match" in text
    assert len(journal_path().read_text().splitlines()) == 1


def test_a_backup_syncs_the_journal_first_and_records_it(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lost = _destroy_unjournaled(personas, _filed(personas, "未记入的公司"), monkeypatch)

    result = backup_create(path=tmp_path / "b.cfbak")

    assert result.manifest["journal"]["synced"] == [lost.pk]
    assert result.manifest["journal"]["entries"] == 1
    assert [e.certificate_id for e in journal_read()] == [lost.pk]
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.after["journal_synced"] == [lost.pk]
    again = backup_create(path=tmp_path / "c.cfbak")
    assert again.manifest["journal"]["synced"] == []


def test_the_daily_backup_syncs_the_journal(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    from credfile.reviews.jobs import run_due

    lost = _destroy_unjournaled(personas, _filed(personas, "未记入的公司"), monkeypatch)
    (outcome,) = run_due(today=datetime.date(2026, 6, 1), only=["backup.run"])
    assert outcome.status == "done"
    assert outcome.summary["journal_synced"] == [lost.pk]


def test_a_destruction_synced_later_is_applied_again_by_a_restore_of_an_older_backup(
    personas: Personas,
    monkeypatch: pytest.MonkeyPatch,
    target: Target,
    tmp_path: Path,
) -> None:
    doomed = _filed(personas, "删除申请的公司")
    kept = _filed(personas, "保留的公司")
    backup_create(path=tmp_path / "older.cfbak")
    lost = _destroy_unjournaled(personas, doomed, monkeypatch)
    backup_create(path=tmp_path / "newer.cfbak")  # syncs: the lost line is written now

    report = _report(target.restore(tmp_path / "older.cfbak", "--json"))

    assert report["ok"] and report["reapplied"] == [lost.pk]
    assert target.query(f"SELECT COUNT(*) FROM customers_customer WHERE id = {doomed.pk}") == [(0,)]
    assert target.query(f"SELECT COUNT(*) FROM customers_customer WHERE id = {kept.pk}") == [(1,)]
