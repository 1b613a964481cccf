"""Change requests: submit, approve, reject, withdraw — the maker-checker rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from credfile.audit.models import AuditEvent
from credfile.changes import services
from credfile.changes.models import ChangeNotification, ChangeRequest
from credfile.changes.services import (
    ChangeConflict,
    PendingRequestExists,
    change_request_approve,
    change_request_reject,
    change_request_submit,
    change_request_withdraw,
    customer_edit,
)
from credfile.core.errors import StaleVersion
from credfile.customers.models import Customer
from credfile.customers.services import customer_update
from credfile.history.models import FileVersion
from credfile.transactions.models import Invoice
from credfile.transactions.services import invoice_create, payment_create
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

NEW_ID = resident_id(29)


def _identity_request(personas, person, **kwargs):
    return change_request_submit(
        actor=kwargs.pop("actor", personas.account_manager),
        customer=person,
        field_group="identity",
        changes=kwargs.pop("changes", {"id_number": NEW_ID}),
        reason="身份证换发",
        **kwargs,
    )


def test_a_request_changes_nothing_until_it_is_approved(personas, person) -> None:
    request = _identity_request(personas, person)

    person.refresh_from_db()
    assert person.id_number == resident_id(11)
    assert request.status == "pending"
    assert request.fields == ["id_number"]
    assert request.proposal["changes"] == {"id_number": NEW_ID}
    assert request.proposal["before"] == {"id_number": resident_id(11)}


def test_approval_applies_the_change_with_its_audit_event(personas, person) -> None:
    request = _identity_request(personas, person)

    change_request_approve(actor=personas.department_head, request=request)

    person.refresh_from_db()
    request.refresh_from_db()
    assert person.id_number == NEW_ID
    assert person.version == 2
    assert (request.status, request.checker) == ("approved", personas.department_head)
    assert request.decided_at is not None
    approve = AuditEvent.objects.get(action="approve", object_id=str(request.pk))
    assert approve.actor == personas.department_head
    assert approve.after["status"] == "approved"
    # Masked in the trail, like every sensitive value.
    assert NEW_ID not in str(approve.after) and NEW_ID[:6] in str(approve.after)
    update = AuditEvent.objects.get(action="update", customer_id=person.pk)
    assert update.actor == personas.account_manager  # the maker's change
    version = FileVersion.objects.get(customer_id=person.pk, version=2)
    assert (version.approved_by, version.change_request_id) == (
        personas.department_head,
        request.pk,
    )


def test_the_maker_cannot_approve_their_own_request(personas, person) -> None:
    request = _identity_request(personas, person, actor=personas.department_head)

    with pytest.raises(PermissionDenied, match="your own"):
        change_request_approve(actor=personas.department_head, request=request)

    request.refresh_from_db()
    assert request.status == "pending"


def test_the_database_refuses_a_checker_who_is_the_maker(personas, person) -> None:
    request = _identity_request(personas, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=request.pk).update(
            status="approved", checker=personas.account_manager, decided_at=request.created_at
        )


@pytest.mark.parametrize("who", ["colleague", "credit_manager", "executive", "auditor", "outsider"])
def test_only_a_department_head_decides_an_account_managers_request(personas, person, who) -> None:
    request = _identity_request(personas, person)
    with pytest.raises(PermissionDenied):
        change_request_approve(actor=getattr(personas, who), request=request)
    with pytest.raises(PermissionDenied):
        change_request_reject(actor=getattr(personas, who), request=request, reason="不同意")
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_a_department_heads_own_request_needs_another_head_or_an_executive(
    personas, person, second_head
) -> None:
    first = _identity_request(personas, person, actor=personas.department_head)
    change_request_approve(actor=second_head, request=first)
    second = _identity_request(
        personas, person, actor=personas.department_head, changes={"name": "张伟（换证）"}
    )
    with pytest.raises(PermissionDenied):
        change_request_approve(actor=personas.credit_manager, request=second)

    change_request_approve(actor=personas.executive, request=second)

    person.refresh_from_db()
    assert (person.id_number, person.name) == (NEW_ID, "张伟（换证）")


def test_one_pending_request_per_object_and_group(personas, person) -> None:
    first = _identity_request(personas, person)

    with pytest.raises(PendingRequestExists, match=f"#{first.pk}") as refused:
        _identity_request(personas, person, actor=personas.department_head)
    assert refused.value.existing == first
    # Another group of the same file is another request.
    other = change_request_submit(
        actor=personas.account_manager,
        customer=person,
        field_group="classification",
        changes={"category": "key"},
    )
    assert other.status == "pending"
    # Once decided, a new request for the group is welcome.
    change_request_reject(actor=personas.department_head, request=first, reason="证件未核实")
    assert _identity_request(personas, person).status == "pending"


def test_the_database_holds_one_pending_request_per_object_and_group(personas, person) -> None:
    first = _identity_request(personas, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.create(
            customer=person,
            customer_code=person.code,
            customer_name=person.name,
            target_type=first.target_type,
            target_id=first.target_id,
            field_group="identity",
            base_version=1,
            maker=personas.department_head,
        )


def test_a_rejection_needs_a_reason(personas, person) -> None:
    request = _identity_request(personas, person)
    with pytest.raises(ValidationError) as refused:
        change_request_reject(actor=personas.department_head, request=request, reason="  ")
    assert "reason" in refused.value.message_dict

    change_request_reject(actor=personas.department_head, request=request, reason="号码有误")

    request.refresh_from_db()
    assert (request.status, request.notes) == ("rejected", "号码有误")
    person.refresh_from_db()
    assert person.id_number == resident_id(11)


def test_the_maker_may_withdraw_and_nobody_else(personas, person) -> None:
    request = _identity_request(personas, person)
    with pytest.raises(PermissionDenied):
        change_request_withdraw(actor=personas.department_head, request=request)

    change_request_withdraw(actor=personas.account_manager, request=request)

    request.refresh_from_db()
    assert request.status == "withdrawn"
    with pytest.raises(ValidationError, match="already been decided"):
        change_request_approve(actor=personas.department_head, request=request)


def test_a_decided_request_is_never_decided_again(personas, person) -> None:
    request = _identity_request(personas, person)
    change_request_reject(actor=personas.department_head, request=request, reason="不同意")
    with pytest.raises(ValidationError, match="already been decided"):
        change_request_approve(actor=personas.department_head, request=request)
    with pytest.raises(ValidationError, match="already been decided"):
        change_request_withdraw(actor=personas.account_manager, request=request)


def test_invalid_proposals_are_refused_when_submitted(personas, person) -> None:
    with pytest.raises(ValidationError) as refused:
        _identity_request(personas, person, changes={"id_number": "110105198503120000"})
    assert "id_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as wrong_group:
        _identity_request(personas, person, changes={"category": "key"})
    assert "category" in wrong_group.value.message_dict
    with pytest.raises(ValidationError, match="nothing to change"):
        _identity_request(personas, person, changes={"id_number": resident_id(11)})
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="submit").exists()


def test_a_fault_while_applying_leaves_nothing_changed(personas, person, monkeypatch) -> None:
    request = _identity_request(personas, person)
    events = AuditEvent.objects.count()
    versions = FileVersion.objects.count()

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    # customer_update saves the file and writes its audit event, then records the version.
    monkeypatch.setattr("credfile.customers.services.version_record_one", broken)
    with pytest.raises(RuntimeError):
        change_request_approve(actor=personas.department_head, request=request)

    person.refresh_from_db()
    request.refresh_from_db()
    assert (person.id_number, person.version) == (resident_id(11), 1)
    assert request.status == "pending" and request.checker is None
    assert AuditEvent.objects.count() == events
    assert FileVersion.objects.count() == versions


def test_fields_outside_the_approval_groups_apply_directly(personas, person) -> None:
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=person,
        fields={"remarks": "已回访", "email": "zw@example.com", "id_number": NEW_ID},
        expected_version=1,
    )

    person.refresh_from_db()
    assert (person.remarks, person.email, person.version) == ("已回访", "zw@example.com", 2)
    assert person.id_number == resident_id(11)
    (request,) = outcome.requests
    assert (request.field_group, request.fields) == ("identity", ["id_number"])


def test_unchanged_group_fields_make_no_request(personas, person) -> None:
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=person,
        fields={"id_number": resident_id(11).lower(), "name": "张伟", "city": "北京市"},
    )
    assert outcome.requests == []
    assert outcome.customer.city == "北京市"


def test_an_id_number_request_carries_the_birth_date_and_gender_it_implies(
    personas, person
) -> None:
    other = resident_id(30, birth="19900101")
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=person,
        fields={"id_number": other, "birth_date": None, "gender": ""},
    )
    (request,) = outcome.requests
    assert (
        {"id_number", "birth_date"} <= set(request.fields) <= {"id_number", "birth_date", "gender"}
    )
    change_request_approve(actor=personas.department_head, request=request)
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1990, 1, 1)


def test_approval_can_be_switched_off_per_group(personas, person, settings) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["classification"]
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=person,
        fields={"id_number": NEW_ID, "category": "key"},
    )
    person.refresh_from_db()
    assert person.id_number == NEW_ID
    assert [r.field_group for r in outcome.requests] == ["classification"]


def test_an_approval_on_fields_changed_meanwhile_is_refused_with_what_changed(
    personas, person
) -> None:
    request = change_request_submit(
        actor=personas.account_manager,
        customer=person,
        field_group="identity",
        changes={"name": "张伟伟"},
    )
    # The same field changed by another way meanwhile (a command, a direct service call).
    customer_update(actor=personas.department_head, customer=person, fields={"name": "张卫"})

    with pytest.raises(ChangeConflict) as refused:
        change_request_approve(actor=personas.department_head, request=request)

    (change,) = refused.value.changes.values()
    assert (change["field"], change["before"], change["after"]) == ("name", "张伟", "张卫")
    assert "张伟 → 张卫" in str(refused.value)
    person.refresh_from_db()
    assert person.name == "张卫"
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_an_approval_after_unrelated_changes_goes_through(personas, person) -> None:
    request = _identity_request(personas, person)
    customer_update(actor=personas.account_manager, customer=person, fields={"remarks": "x"})

    change_request_approve(actor=personas.department_head, request=request)

    person.refresh_from_db()
    assert (person.id_number, person.remarks, person.version) == (NEW_ID, "x", 3)


def test_an_approval_of_a_version_the_checker_did_not_see_is_refused(personas, person) -> None:
    request = _identity_request(personas, person)
    customer_update(actor=personas.account_manager, customer=person, fields={"remarks": "新备注"})

    with pytest.raises(StaleVersion) as refused:
        change_request_approve(actor=personas.department_head, request=request, expected_version=1)

    assert refused.value.current_version == 2
    assert [c["field"] for c in refused.value.changes.values()] == ["remarks"]
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_two_edits_of_one_version_give_one_conflict_and_lose_nothing(
    personas, org, second_head
) -> None:
    # Both load version 1.
    customer_edit(
        actor=personas.department_head, customer=org, fields={"remarks": "甲"}, expected_version=1
    )
    with pytest.raises(StaleVersion) as refused:
        customer_edit(
            actor=second_head, customer=org, fields={"city": "天津市"}, expected_version=1
        )

    assert [(c["field"], c["after"]) for c in refused.value.changes.values()] == [("remarks", "甲")]
    org.refresh_from_db()
    assert (org.remarks, org.city, org.version) == ("甲", "", 2)
    # The second user reloads and applies their change on the current version.
    customer_edit(actor=second_head, customer=org, fields={"city": "天津市"}, expected_version=2)
    org.refresh_from_db()
    assert (org.remarks, org.city, org.version) == ("甲", "天津市", 3)


def test_a_deletion_takes_effect_on_approval_and_supersedes_other_requests(
    personas, person
) -> None:
    identity = _identity_request(personas, person)
    deletion = services.customer_remove(actor=personas.account_manager, customer=person)
    assert deletion is not None and deletion.kind == "delete"
    assert Customer.objects.filter(pk=person.pk).exists()

    change_request_approve(actor=personas.department_head, request=deletion)

    assert not Customer.objects.filter(pk=person.pk).exists()
    deletion.refresh_from_db()
    identity.refresh_from_db()
    assert (deletion.status, deletion.customer_id, deletion.customer_code) == (
        "approved",
        None,
        person.code,
    )
    assert identity.status == "superseded"
    assert FileVersion.objects.filter(
        customer_id=person.pk, object_type="customers.customer", operation="delete"
    ).exists()


def test_an_invoice_correction_and_deletion_go_through_approval(personas, org) -> None:
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={"number": "INV-1", "issue_date": datetime.date(2026, 1, 5), "amount": Decimal(100)},
    )
    correction = services.record_change(
        actor=personas.account_manager,
        customer=org,
        target=invoice,
        changes={"amount": Decimal("120.00"), "due_date": datetime.date(2026, 3, 1)},
    )
    assert correction is not None
    assert correction.field_group == "transactions"
    assert Invoice.objects.get(pk=invoice.pk).amount == Decimal(100)
    change_request_approve(actor=personas.department_head, request=correction)
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.due_date) == (Decimal("120.00"), datetime.date(2026, 3, 1))

    payment_create(
        actor=personas.account_manager,
        customer=org,
        fields={"received_on": datetime.date(2026, 2, 1), "amount": Decimal(20)},
    )
    with pytest.raises(ValidationError, match="Payments settle this invoice"):
        services.record_change(
            actor=personas.account_manager,
            customer=org,
            target=invoice,
            delete=True,
            reason="entered twice",
        )
    with pytest.raises(ValidationError, match=r"below the 20\.00 already paid"):
        services.record_change(
            actor=personas.account_manager,
            customer=org,
            target=invoice,
            changes={"amount": Decimal(10)},
        )


def test_approvers_and_the_maker_are_notified_in_the_app_and_by_mail(
    personas, person, second_head, django_capture_on_commit_callbacks, settings
) -> None:
    settings.LANGUAGE_CODE = "en"  # mails go out in the site's language
    for user in (personas.department_head, second_head, personas.account_manager):
        user.email = f"{user.username}@example.com"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = _identity_request(personas, person)
    assert set(ChangeNotification.objects.values_list("recipient__username", "kind")) == {
        ("wang.fang", "submitted"),
        ("zhang.min", "submitted"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "wang.fang@example.com",
        "zhang.min@example.com",
    ]
    assert all(NEW_ID not in m.body for m in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        change_request_approve(actor=personas.department_head, request=request)

    assert mail.outbox[-1].to == ["li.na@example.com"]
    assert "Approved" in mail.outbox[-1].subject
    maker_notice = ChangeNotification.objects.get(recipient=personas.account_manager)
    assert (maker_notice.kind, maker_notice.read_at) == ("approved", None)
    # The approvers' own notices are settled by the decision.
    assert not ChangeNotification.objects.filter(kind="submitted", read_at__isnull=True).exists()


def test_nothing_is_mailed_when_the_decision_is_rolled_back(
    personas, person, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    personas.account_manager.email = "li.na@example.com"
    personas.account_manager.save()
    request = _identity_request(personas, person)
    monkeypatch.setattr(
        "credfile.changes.services._resolve_notifications",
        lambda request: (_ for _ in ()).throw(RuntimeError("boom")),
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_request_approve(actor=personas.department_head, request=request)
    assert mail.outbox == []


def test_the_proposal_is_sealed_at_rest(personas, person) -> None:
    request = _identity_request(personas, person)
    raw = ChangeRequest.objects.filter(pk=request.pk).values_list("payload_enc", flat=True).get()
    assert raw.startswith("cf1$")
    assert NEW_ID not in raw and resident_id(11) not in raw
    assert ChangeRequest.objects.get(pk=request.pk).proposal["changes"]["id_number"] == NEW_ID


def test_a_field_sent_back_as_it_is_is_never_proposed(personas, org) -> None:
    Customer.objects.filter(pk=org.pk).update(established_on=datetime.date(2023, 1, 20))
    org.refresh_from_db()
    events = AuditEvent.objects.count()
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=org,
        fields={
            "name": "北京星辰科技有限公司",
            "established_on": datetime.date(2023, 1, 20),
            "registered_capital": None,
            "credit_code": "",
            "remarks": "老客户",
        },
    )
    assert outcome.requests == []
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.count() == events
    assert outcome.customer.version == 1


def test_only_a_field_emptied_on_purpose_is_proposed_as_a_clear(personas, org) -> None:
    Customer.objects.filter(pk=org.pk).update(established_on=datetime.date(2023, 1, 20))
    org.refresh_from_db()
    outcome = customer_edit(
        actor=personas.account_manager,
        customer=org,
        fields={"name": "北京星辰科技有限公司", "established_on": None},
    )
    (request,) = outcome.requests
    assert request.fields == ["established_on"]
    assert request.proposal["changes"] == {"established_on": None}
    org.refresh_from_db()
    assert org.established_on == datetime.date(2023, 1, 20)
