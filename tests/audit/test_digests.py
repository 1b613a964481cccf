"""Signed digests anchor the end of the trail: deleting the newest events and rewinding the
head is found, a forged or edited digest is refused, and a key rotation keeps them checkable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credfile.audit.digests import digest_write
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record
from credfile.core import crypto
from credfile.core.keys import keys_rotate
from credfile.reviews.jobs import run_due
from tests.audit.conftest import run_audit, tampering
from tests.conftest import Personas
from tests.core.test_env import _start

pytestmark = pytest.mark.django_db


def _digests(directory: Path) -> list[Path]:
    return sorted(directory.glob("digest-*.json"))


def _cut_back_to(trail: list[AuditEvent], seq: int) -> None:
    """Delete the newest events and rewind the head: what the file's owner can do on SQLite."""
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [seq])
        cursor.execute(
            "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1",
            [seq, trail[seq - 1].hash],
        )


@pytest.fixture
def own_key(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A key file of this test's own, so rotating it leaves other tests alone."""
    settings.CREDFILE_KEY_FILE = tmp_path / "master.key"
    crypto.create_key_file()
    yield settings.CREDFILE_KEY_FILE
    crypto.reset_key_ring()


def test_without_a_digest_the_chain_is_verified_and_the_absence_told(
    trail: list[AuditEvent], digest_dir: Path
) -> None:
    status, output = run_audit("verify")
    assert status == 0, output
    assert "Audit trail intact: seq 1 to 10" in output
    assert f"No audit digest found in {digest_dir}" in output


def test_digest_writes_a_signed_file_that_verify_then_checks(
    trail: list[AuditEvent], digest_dir: Path
) -> None:
    status, output = run_audit("digest")
    assert status == 0, output
    [path] = _digests(digest_dir)
    assert f"Digest written to {path}." in output
    data = json.loads(path.read_text())
    assert (data["count"], data["head_seq"], data["head_hash"]) == (10, 10, trail[-1].hash)
    assert data["head_id"] == trail[-1].pk and data["head_at"]
    assert data["key_id"] == crypto.key_ring().active and len(data["mac"]) == 64
    assert data["created_at"]

    audit_record(actor=None, action="create", obj=trail[0].actor)
    status, output = run_audit("verify")
    assert status == 0, output
    assert f"Digest checked: written {data['created_at']}, 10 events" in output
    assert f"file {path}" in output
    assert "it holds at least 10 events and event seq 10 still has the digest's hash" in output


def test_deleting_the_newest_events_and_rewinding_the_head_is_found(
    trail: list[AuditEvent],
) -> None:
    assert run_audit("digest")[0] == 0
    _cut_back_to(trail, 7)

    status, output = run_audit("verify")

    assert status == 1
    assert "counts 10 events up to seq 10, but the trail ends at seq 7" in output
    assert "the newest events were deleted and the head rewound (the trail was truncated)" in output


def test_a_truncation_is_reported_in_chinese_too(
    trail: list[AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_audit("digest")[0] == 0
    _cut_back_to(trail, 7)
    monkeypatch.setenv("CREDFILE_LANGUAGE", "zh-hans")
    status, output = run_audit("verify")
    assert status == 1
    assert "审计日志已被破坏" in output and "截断" in output


def test_a_rewritten_event_under_the_digest_is_found(trail: list[AuditEvent]) -> None:
    assert run_audit("digest")[0] == 0
    _cut_back_to(trail, 9)
    # …and one event put back in its place, with a correct hash of its own.
    audit_record(actor=None, action="create", obj=trail[0].actor)
    status, output = run_audit("verify")
    assert status == 1
    assert "Event seq 10 (id" in output and "was rewritten" in output


@pytest.mark.parametrize(
    ("field", "value"),
    [("count", 7), ("head_seq", 11), ("head_hash", "a" * 64), ("created_at", "2099-01-01")],
)
def test_an_edited_digest_is_refused_as_forged(
    trail: list[AuditEvent], digest_dir: Path, field: str, value: Any
) -> None:
    assert run_audit("digest")[0] == 0
    [path] = _digests(digest_dir)
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))

    status, output = run_audit("verify")

    assert status == 1
    assert f"The digest {path} is forged: its MAC does not verify" in output


def test_a_digest_with_an_edited_mac_is_refused(trail: list[AuditEvent], digest_dir: Path) -> None:
    assert run_audit("digest")[0] == 0
    [path] = _digests(digest_dir)
    data = json.loads(path.read_text())
    data["mac"] = ("0" if data["mac"][0] != "0" else "1") + data["mac"][1:]
    path.write_text(json.dumps(data))
    status, output = run_audit("verify")
    assert status == 1
    assert "is forged" in output


def test_a_digest_forged_to_match_a_cut_back_trail_is_refused(
    trail: list[AuditEvent], digest_dir: Path
) -> None:
    # The attacker cuts the trail back, removes the real digest and writes one of the
    # cut-back trail; without the key, it can only be unsigned or badly signed.
    assert run_audit("digest")[0] == 0
    [path] = _digests(digest_dir)
    real = json.loads(path.read_text())
    path.unlink()
    _cut_back_to(trail, 7)
    for name, forged in {
        "digest-29990101T000000000000Z.json": {
            "count": 7,
            "head_seq": 7,
            "head_hash": trail[6].hash,
            "created_at": "2999-01-01T00:00:00+00:00",
        },
        "digest-29990102T000000000000Z.json": {
            **real,
            "count": 7,
            "head_seq": 7,
            "head_hash": trail[6].hash,
            "key_id": "deadbeef",
        },
    }.items():
        (digest_dir / name).write_text(json.dumps(forged))
    status, output = run_audit("verify")
    assert status == 1
    assert "digest-29990101T000000000000Z.json is forged" in output
    assert "names key deadbeef, which this instance never had" in output


def test_a_damaged_digest_file_is_reported(trail: list[AuditEvent], digest_dir: Path) -> None:
    digest_dir.mkdir(parents=True)
    (digest_dir / "digest-20260101T000000000000Z.json").write_text("{not json")
    status, output = run_audit("verify")
    assert status == 1
    assert "is not an audit digest (damaged or forged)" in output


def test_a_digest_still_verifies_after_the_key_is_rotated(
    own_key: Path,
    trail: list[AuditEvent],
    digest_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    old_key = crypto.key_ring().active
    assert run_audit("digest")[0] == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = keys_rotate()
    assert report.complete and old_key in report.retired

    status, output = run_audit("verify")

    assert status == 0, output
    # The rotation signed a digest with the new key; the old one is still compared.
    newest = json.loads(_digests(digest_dir)[-1].read_text())
    assert newest["key_id"] == report.new_key
    assert f"key {report.new_key}" in output
    assert f"1 digest was signed with a key since retired ({old_key})" in output


def test_an_old_digest_is_checked_against_the_trail_after_its_key_was_retired(
    own_key: Path, trail: list[AuditEvent]
) -> None:
    assert run_audit("digest")[0] == 0
    keys_rotate()  # no digest under the new key yet (on_commit not run here)
    assert run_audit("verify")[0] == 0
    _cut_back_to(trail, 7)
    status, output = run_audit("verify")
    assert status == 1
    assert "the trail was truncated" in output
    assert "signed with a key since retired" in output


def test_during_a_rotation_the_old_key_still_authenticates(
    own_key: Path, trail: list[AuditEvent]
) -> None:
    assert run_audit("digest")[0] == 0
    keys_rotate(stop_after_batches=0)  # started: both keys in the ring
    status, output = run_audit("verify")
    assert status == 0, output
    assert "since retired" not in output


def test_the_daily_job_writes_the_digest_and_its_copy(
    trail: list[AuditEvent], digest_dir: Path, settings: Any, tmp_path: Path
) -> None:
    copy_dir = tmp_path / "elsewhere"
    copy_dir.mkdir()
    settings.CREDFILE_AUDIT_DIGEST_COPY = copy_dir

    [outcome] = run_due(only=["audit.digest"])

    assert outcome.status == "done", outcome
    assert outcome.summary == {"events": 10, "files": 2}
    [kept] = _digests(digest_dir)
    [copy] = _digests(copy_dir)
    assert kept.name == copy.name and kept.read_text() == copy.read_text()
    # The copy alone still anchors the trail when the instance's digests are gone.
    kept.unlink()
    _cut_back_to(trail, 8)
    status, output = run_audit("verify")
    assert status == 1 and "the trail was truncated" in output


def test_no_new_digest_blesses_a_cut_back_trail(trail: list[AuditEvent], digest_dir: Path) -> None:
    assert run_audit("digest")[0] == 0
    _cut_back_to(trail, 6)
    status, output = run_audit("digest")
    assert status == 1
    assert "No new digest is written while the trail no longer matches an earlier one" in output
    assert len(_digests(digest_dir)) == 1
    [outcome] = run_due(only=["audit.digest"])
    assert outcome.status == "failed"


def test_digests_keep_a_history(trail: list[AuditEvent], digest_dir: Path) -> None:
    for _n in range(3):
        assert run_audit("digest")[0] == 0
        audit_record(actor=None, action="create", obj=trail[0].actor)
    assert len(_digests(digest_dir)) == 3
    status, output = run_audit("verify")
    assert status == 0, output
    assert "12 events" in output and "2 earlier digests match too" in output


def test_an_unsigned_digest_given_by_hand_is_compared_with_a_warning(
    trail: list[AuditEvent], tmp_path: Path
) -> None:
    old = tmp_path / "last-digest.json"
    old.write_text(json.dumps({"count": 10, "head_seq": 10, "head_hash": trail[-1].hash}))
    status, output = run_audit("verify", "--digest", str(old))
    assert status == 0, output
    assert "is an unsigned digest of the older format" in output
    _cut_back_to(trail, 9)
    assert run_audit("verify", "--digest", str(old))[0] == 1


def test_the_auditor_page_shows_the_chain_and_the_last_digest(
    trail: list[AuditEvent], personas: Personas, client_for: Any
) -> None:
    auditor: Client = client_for(personas.auditor)
    page = auditor.get(reverse("audit:list")).content.decode()
    assert "No digest written yet" in page
    digest, _paths = digest_write()
    page = auditor.get(reverse("audit:list")).content.decode()
    assert "Last digest: written" in page and f"{digest.count} events." in page
    assert 'data-digest-holds="yes"' in page
    _cut_back_to(trail, 5)
    page = auditor.get(reverse("audit:list")).content.decode()
    assert 'data-digest-holds="no"' in page and "The trail no longer matches it" in page


def test_a_copy_directory_that_does_not_exist_stops_the_start(tmp_path: Path) -> None:
    result = _start(tmp_path, CREDFILE_AUDIT_DIGEST_COPY=str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "CREDFILE_AUDIT_DIGEST_COPY" in result.stderr and "not an existing directory" in (
        result.stderr
    )
