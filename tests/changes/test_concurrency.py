"""Concurrent decisions and edits on PostgreSQL, where row locks are real between threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.changes.services import (
    change_request_approve,
    change_request_reject,
    change_request_submit,
    customer_edit,
)
from credfile.core.errors import StaleVersion
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from credfile.history.models import FileVersion
from tests.factories import UserFactory, resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL; SQLite serialises writers")


def _at_once(actions: list[Callable[[], Any]]) -> list[str]:
    """Run the actions in threads released together; each one's outcome by name."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            action()
            outcomes.append("done")
        except (ValidationError, StaleVersion):
            outcomes.append("refused")
        except PermissionDenied:
            outcomes.append("forbidden")
        except Exception as exc:  # a crash must show in the assertion, not vanish in a thread
            outcomes.append(f"crashed: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_twenty_approvers_at_once_make_exactly_one_decision(personas) -> None:
    _postgres_only()
    heads = [
        UserFactory(username=f"head{i}", role="department_head", department=personas.sales)
        for i in range(20)
    ]
    person = customer_create(
        actor=personas.account_manager,
        fields={"kind": "individual", "name": "张伟", "id_number": resident_id(11)},
    )
    request = change_request_submit(
        actor=personas.account_manager,
        customer=person,
        field_group="identity",
        changes={"id_number": resident_id(29)},
    )

    def approve(head: Any) -> Callable[[], Any]:
        return lambda: change_request_approve(
            actor=head, request=ChangeRequest.objects.get(pk=request.pk)
        )

    outcomes = _at_once([approve(h) for h in heads])

    assert sorted(outcomes) == ["done"] + ["refused"] * 19
    request.refresh_from_db()
    assert request.status == "approved" and request.checker in heads
    assert AuditEvent.objects.filter(action="approve").count() == 1
    assert FileVersion.objects.filter(change_request_id=request.pk).count() == 1
    person.refresh_from_db()
    assert (person.id_number, person.version) == (resident_id(29), 2)


def test_approvals_and_rejections_at_once_make_exactly_one_decision(personas) -> None:
    _postgres_only()
    heads = [
        UserFactory(username=f"head{i}", role="department_head", department=personas.sales)
        for i in range(10)
    ]
    person = customer_create(
        actor=personas.account_manager, fields={"kind": "individual", "name": "李雷"}
    )
    request = change_request_submit(
        actor=personas.account_manager,
        customer=person,
        field_group="classification",
        changes={"category": "key"},
    )

    def decide(i: int, head: Any) -> Callable[[], Any]:
        fresh = ChangeRequest.objects.get(pk=request.pk)
        if i % 2:
            return lambda: change_request_reject(actor=head, request=fresh, reason="不同意")
        return lambda: change_request_approve(actor=head, request=fresh)

    outcomes = _at_once([decide(i, h) for i, h in enumerate(heads)])

    assert sorted(outcomes) == ["done"] + ["refused"] * 9
    decided = AuditEvent.objects.filter(action__in=["approve", "reject"]).count()
    assert decided == 1


def test_two_edits_of_the_same_version_at_once_give_one_conflict(personas) -> None:
    _postgres_only()
    second = UserFactory(username="zhang.min", role="department_head", department=personas.sales)
    org = customer_create(
        actor=personas.department_head, fields={"kind": "organization", "name": "星辰科技"}
    )

    outcomes = _at_once(
        [
            lambda: customer_edit(
                actor=personas.department_head,
                customer=org,
                fields={"remarks": "甲"},
                expected_version=1,
            ),
            lambda: customer_edit(
                actor=second, customer=org, fields={"city": "天津市"}, expected_version=1
            ),
        ]
    )

    assert sorted(outcomes) == ["done", "refused"]
    org = Customer.objects.get(pk=org.pk)
    assert org.version == 2
    assert (org.remarks, org.city) in {("甲", ""), ("", "天津市")}
