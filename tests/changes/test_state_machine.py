"""A stateful property test of change control: random users doing random things.

Whatever happens, no field of an approval group changes without an approval by a user of
the right role other than the maker, requests only move from pending to a final state,
and the audit chain verifies.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from credfile.accounts.models import Department, User
from credfile.audit.selectors import chain_verify
from credfile.changes.models import ChangeRequest
from credfile.changes.registry import CUSTOMER_FIELD_GROUPS
from credfile.changes.services import (
    change_request_approve,
    change_request_reject,
    change_request_withdraw,
    customer_edit,
)
from credfile.core.errors import StaleVersion
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

ROLES = {
    "manager": ("account_manager", "S"),
    "colleague": ("account_manager", "S"),
    "head": ("department_head", "S"),
    "head2": ("department_head", "S"),
    "executive": ("executive", None),
    "auditor": ("auditor", None),
    "outsider": ("account_manager", "X"),
}
EDITS = {
    "name": st.sampled_from(["张伟", "张伟伟", "张卫", "张 伟"]),
    "id_number": st.integers(1, 60).map(resident_id),
    "category": st.sampled_from(["regular", "key", "small", "strategic"]),
    "status": st.sampled_from(["active", "dormant"]),
    "remarks": st.text(alphabet="甲乙丙 ab", max_size=5),
    "city": st.sampled_from(["北京市", "天津市", ""]),
}
WATCHED = [f for f in EDITS if f in CUSTOMER_FIELD_GROUPS]
FINAL = {"approved", "rejected", "withdrawn", "superseded"}
# The people who make and decide requests come up more often than the others.
ACTORS = st.sampled_from(
    ["manager", "manager", "head", "head", "head2", "executive", "colleague", "auditor", "outsider"]
)
INDEX = st.integers(0, 4)


class ChangeControl(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        sales = Department.objects.create(code="S", name="销售")
        other = Department.objects.create(code="X", name="外贸")
        self.users: dict[str, User] = {}
        for name, (role, dept) in ROLES.items():
            department = {"S": sales, "X": other}.get(dept or "")
            self.users[name] = User.objects.create(username=name, role=role, department=department)
        self.customer = customer_create(
            actor=self.users["manager"],
            fields={"kind": "individual", "name": "张伟", "id_number": resident_id(1)},
        )
        self.approved = self._watched()
        self.statuses: dict[int, str] = {}

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    def _watched(self) -> dict[str, Any]:
        fresh = Customer.objects.get(pk=self.customer.pk)
        return {f: getattr(fresh, f) for f in WATCHED}

    def _request(self, index: int) -> ChangeRequest | None:
        pks = sorted(self.statuses)
        return ChangeRequest.objects.get(pk=pks[index % len(pks)]) if pks else None

    @rule(user=ACTORS, data=st.data())
    def edit(self, user: str, data: st.DataObject) -> None:
        field = data.draw(st.sampled_from(list(EDITS)))
        value = data.draw(EDITS[field])
        try:
            outcome = customer_edit(
                actor=self.users[user], customer=self.customer, fields={field: value}
            )
        except (PermissionDenied, ValidationError, StaleVersion):
            return
        for request in outcome.requests:
            self.statuses[request.pk] = request.status

    @precondition(lambda self: bool(self.statuses))
    @rule(user=ACTORS, index=INDEX)
    def approve(self, user: str, index: int) -> None:
        request = self._request(index)
        if request is None:
            return
        actor = self.users[user]
        try:
            change_request_approve(actor=actor, request=request)
        except (PermissionDenied, ValidationError, StaleVersion):
            return
        # An approval that went through: by someone allowed, never the maker.
        assert actor.pk != request.maker_id
        maker = request.maker
        assert (actor.role == "department_head" and actor.department_id == maker.department_id) or (
            actor.role == "executive" and maker.role == "department_head"
        )
        for name, value in request.proposal["changes"].items():
            if name in self.approved:
                self.approved[name] = getattr(Customer.objects.get(pk=self.customer.pk), name)
                assert str(self.approved[name] or "") == str(value or "")
        self.statuses[request.pk] = "approved"

    @precondition(lambda self: bool(self.statuses))
    @rule(
        user=ACTORS,
        index=INDEX,
        reason=st.sampled_from(["", "不同意"]),
    )
    def reject(self, user: str, index: int, reason: str) -> None:
        request = self._request(index)
        if request is None:
            return
        try:
            change_request_reject(actor=self.users[user], request=request, reason=reason)
        except (PermissionDenied, ValidationError):
            return
        assert reason and self.users[user].pk != request.maker_id
        self.statuses[request.pk] = "rejected"

    @precondition(lambda self: bool(self.statuses))
    @rule(user=ACTORS, index=INDEX)
    def withdraw(self, user: str, index: int) -> None:
        request = self._request(index)
        if request is None:
            return
        try:
            change_request_withdraw(actor=self.users[user], request=request)
        except (PermissionDenied, ValidationError):
            return
        assert self.users[user].pk == request.maker_id
        self.statuses[request.pk] = "withdrawn"

    @invariant()
    def group_fields_change_only_by_approval(self) -> None:
        assert self._watched() == self.approved

    @invariant()
    def requests_move_only_from_pending_to_a_final_state(self) -> None:
        stored = dict(
            ChangeRequest.objects.filter(pk__in=self.statuses).values_list("pk", "status")
        )
        for pk, status in stored.items():
            assert status == self.statuses[pk], (pk, status, self.statuses[pk])
            assert status == "pending" or status in FINAL
        pending = ChangeRequest.objects.filter(status="pending")
        assert pending.values("field_group").distinct().count() == pending.count()

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        assert chain_verify().ok


def test_change_control_holds_under_random_use() -> None:
    run_state_machine_as_test(
        ChangeControl,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
