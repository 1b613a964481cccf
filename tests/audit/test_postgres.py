"""On PostgreSQL the database itself keeps the trail append-only, and concurrent writers never
fork the chain."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from credfile.audit.models import AuditEvent, AuditHead
from credfile.audit.services import audit_record
from tests.audit.conftest import run_audit
from tests.conftest import Personas
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers and row locks: PostgreSQL only"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET object_repr = 'changed' WHERE seq = 3",
        "UPDATE audit_auditevent SET hash = prev_hash",
        "DELETE FROM audit_auditevent WHERE seq = 3",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_audithead",
        "UPDATE audit_audithead SET seq = 1",
        # Forward, but past events that were never written.
        "UPDATE audit_audithead SET seq = 12",
        # Erasure is the one update let through, and only as such: not with another change,
        # not keeping part of the content, not naming a certificate before the event.
        "UPDATE audit_auditevent SET object_repr = '', before = NULL, after = NULL, "
        "content_salt = '', erased_in = 11, actor_label = 'x' WHERE seq = 3",
        "UPDATE audit_auditevent SET object_repr = '', before = NULL, "
        "content_salt = '', erased_in = 11 WHERE seq = 3",
        "UPDATE audit_auditevent SET object_repr = '', before = NULL, after = NULL, "
        "content_salt = '', erased_in = 2 WHERE seq = 3",
    ],
)
def test_the_application_cannot_rewrite_history(trail: list[AuditEvent], statement: str) -> None:
    with (
        pytest.raises(DatabaseError, match="audit"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 10
    assert AuditHead.objects.get().seq == 10
    assert run_audit("verify")[0] == 0


@pytest.mark.django_db
def test_the_application_can_still_append(trail: list[AuditEvent]) -> None:
    event = audit_record(actor=None, action="create", obj=trail[0].actor)
    assert event.seq == 11
    assert AuditHead.objects.get().seq == 11


@pytest.mark.django_db
def test_events_written_in_one_insert_move_the_head_over_all_of_them(
    trail: list[AuditEvent],
) -> None:
    from credfile.audit.services import audit_record_many

    users = [e.actor for e in trail[:3] if e.actor is not None] or [None]
    written = audit_record_many(
        actor=None, action="create", objects=users * 3, after=[{}] * (len(users) * 3)
    )
    assert AuditHead.objects.get().seq == 10 + written
    assert run_audit("verify")[0] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(personas: Personas) -> None:
    writers, per_writer = 8, 20
    users = [UserFactory(username=f"writer{n}", department=personas.sales) for n in range(writers)]
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(user: object) -> None:
        try:
            start.wait()
            for n in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=user, action="update", obj=user, after={"n": n})  # type: ignore[arg-type]
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert AuditHead.objects.get().seq == writers * per_writer
    status, output = run_audit("verify")
    assert status == 0, output
    assert f"{writers * per_writer} events checked" in output


@pytest.mark.django_db
def test_an_erasure_is_let_through_once_and_then_named_by_verify(trail: list[AuditEvent]) -> None:
    erase = (
        "UPDATE audit_auditevent SET object_repr = '', before = NULL, after = NULL, "
        "content_salt = '', erased_in = %s WHERE seq = 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(erase, [11])
    # Once erased, the event takes no second erasure (another certificate) either.
    with (
        pytest.raises(DatabaseError, match="audit"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(erase, [12])
    # No certificate at seq 11 lists it: verify says so.
    status, output = run_audit("verify")
    assert status == 1 and "was erased" in output
