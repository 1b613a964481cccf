"""The hash chain: an untouched trail verifies; any change, removal, insertion or reordering of
one event is found and named, and a saved digest catches a rewrite of the whole chain."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from credfile.audit.chain import GENESIS_HASH, content_hash, event_hash
from credfile.audit.models import AppendOnlyError, AuditEvent, AuditHead
from credfile.audit.selectors import chain_verify
from credfile.audit.services import audit_record
from tests.audit.conftest import rechain_from, run_audit, tampering
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_an_untouched_trail_verifies(trail: list[AuditEvent]) -> None:
    status, output = run_audit("verify")
    assert status == 0, output
    assert "10 events checked" in output
    assert "events/second" in output
    assert f"Audit trail intact: seq 1 to 10, head hash {trail[-1].hash}." in output


def test_an_empty_trail_verifies(db: None) -> None:
    status, output = run_audit("verify")
    assert status == 0, output
    assert "0 events checked" in output


def test_every_event_links_to_the_one_before(trail: list[AuditEvent]) -> None:
    assert [e.seq for e in trail] == list(range(1, 11))
    assert trail[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(trail):
        assert after.prev_hash == before.hash
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (10, trail[-1].hash)


def test_a_changed_event_is_named(trail: list[AuditEvent]) -> None:
    target = trail[4]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s",
            ["someone else", target.pk],
        )
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 5 (id {target.pk}) was changed" in output
    assert "4 events checked" in output


def test_a_changed_before_value_is_named(trail: list[AuditEvent]) -> None:
    target = trail[7]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["admin", target.pk]
        )
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 8 (id {target.pk}) was changed" in output


def test_a_deleted_event_is_named(trail: list[AuditEvent]) -> None:
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [trail[5].pk])
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 6 is missing (deleted); the chain resumes at seq 7 (id {trail[6].pk})" in (
        output
    )


def test_deleting_the_newest_events_is_found(trail: list[AuditEvent]) -> None:
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > 8")
    status, output = run_audit("verify")
    assert status == 1
    assert "The chain ends at seq 8 but its head records seq 10" in output


def _forge(seq: int, prev_hash: str, actor_id: int) -> int:
    """Insert an event with a correct hash over its own content; its id."""
    fields: dict[str, Any] = {
        "seq": seq,
        "occurred_at": AuditEvent.objects.get(seq=seq - 1).occurred_at,
        "actor_id": actor_id,
        "actor_label": "li.na",
        "action": "delete",
        "object_type": "customers.customer",
        "object_id": "77",
        "object_repr": "forged",
        "customer_id": 77,
        "before": None,
        "after": None,
        "ip": None,
        "request_id": "",
    }
    salt = "ab" * 16
    fields["content_digest"] = content = content_hash(
        salt=salt, object_repr="forged", before=None, after=None
    )
    digest = event_hash(prev_hash=prev_hash, **fields)
    with tampering() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, occurred_at, actor_id, "
            "actor_label, action, object_type, object_id, object_repr, customer_id, before, "
            "after, ip, request_id, content_digest, content_salt) VALUES (%s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, NULL, NULL, NULL, %s, %s, %s)",
            [
                seq,
                prev_hash,
                digest,
                fields["occurred_at"],
                actor_id,
                "li.na",
                "delete",
                "customers.customer",
                "77",
                "forged",
                77,
                "",
                content,
                salt,
            ],
        )
    return AuditEvent.objects.get(seq=seq).pk


def test_an_inserted_event_is_named(trail: list[AuditEvent], personas: Personas) -> None:
    # Make room at seq 5 (from the top down, for the unique index), then slip one in.
    with tampering() as cursor:
        for event in reversed(trail[4:]):
            cursor.execute("UPDATE audit_auditevent SET seq = seq + 1 WHERE id = %s", [event.pk])
    forged = _forge(5, trail[3].hash, personas.account_manager.pk)
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 5 (id {forged}) was inserted" in output


def test_an_event_added_after_the_newest_by_hand_is_named(
    trail: list[AuditEvent], personas: Personas
) -> None:
    forged = _forge(11, trail[-1].hash, personas.account_manager.pk)
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 11 (id {forged}) was inserted" in output


def test_swapped_events_are_named(trail: list[AuditEvent]) -> None:
    first, second = trail[5], trail[6]
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [first.pk])
        cursor.execute("UPDATE audit_auditevent SET seq = 6 WHERE id = %s", [second.pk])
        cursor.execute("UPDATE audit_auditevent SET seq = 7 WHERE id = %s", [first.pk])
    status, output = run_audit("verify")
    assert status == 1
    assert f"Event seq 6 (id {second.pk}) does not link to the event before it" in output


def test_a_rewritten_and_rechained_trail_fools_verify_but_not_the_digest(
    trail: list[AuditEvent], tmp_path: Path
) -> None:
    digest_file = tmp_path / "digest.json"
    status, output = run_audit("digest", "--output", str(digest_file))
    assert status == 0, output
    digest = json.loads(digest_file.read_text())
    assert digest["key_id"] and digest["mac"]
    assert digest["count"] == 10
    assert digest["head_seq"] == 10
    assert digest["head_hash"] == trail[-1].hash
    assert digest["created_at"]
    for n in range(3):
        audit_record(actor=None, action="create", obj=trail[0].actor, after={"later": n})
    assert run_audit("verify", "--digest", str(digest_file))[0] == 0

    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["nobody", trail[2].pk]
        )
    rechain_from(3)

    assert chain_verify().ok, "the chain alone is consistent again"
    assert run_audit("verify")[0] == 1, "the digest kept in the instance catches it"
    status, output = run_audit("verify", "--digest", str(digest_file))
    assert status == 1
    new_hash = AuditEvent.objects.get(seq=10).hash
    assert new_hash != trail[-1].hash
    assert f"Event seq 10 (id {trail[-1].pk}) no longer has the hash recorded in the digest" in (
        output
    )
    assert "the trail up to seq 10 was rewritten" in output


def test_a_digest_names_an_event_that_was_cut_away(trail: list[AuditEvent], tmp_path: Path) -> None:
    digest_file = tmp_path / "digest.json"
    run_audit("digest", "--output", str(digest_file))
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > 6")
        cursor.execute(
            "UPDATE audit_audithead SET seq = 6, hash = %s WHERE id = 1", [trail[5].hash]
        )
    status, output = run_audit("verify", "--digest", str(digest_file))
    assert status == 1
    assert "counts 10 events up to seq 10, but the trail ends at seq 6" in output
    assert "the trail was truncated" in output


def test_digest_prints_json_on_request(trail: list[AuditEvent]) -> None:
    status, output = run_audit("digest", "--output", "-")
    assert status == 0
    assert json.loads(output)["head_hash"] == trail[-1].hash


def test_a_file_that_is_not_a_digest_is_refused(trail: list[AuditEvent], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"head_seq": 3}')
    status, output = run_audit("verify", "--digest", str(bad))
    assert status == 1
    assert "is not an audit digest" in output


def test_the_orm_refuses_to_change_or_delete_events(trail: list[AuditEvent]) -> None:
    event = trail[0]
    event.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert run_audit("verify")[0] == 0


def test_time_never_runs_backwards_along_the_chain(trail: list[AuditEvent]) -> None:
    times = list(AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times)


def test_a_lost_head_row_is_rebuilt_from_the_newest_event(trail: list[AuditEvent]) -> None:
    # A flushed or restored database: the next event continues the chain where it ends.
    if connection.vendor == "postgresql":
        with tampering() as cursor:
            cursor.execute("DELETE FROM audit_audithead")
    else:
        AuditHead.objects.all().delete()
    event = audit_record(actor=None, action="create", obj=trail[0].actor)
    assert (event.seq, event.prev_hash) == (11, trail[-1].hash)
    assert run_audit("verify")[0] == 0
