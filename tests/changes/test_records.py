"""Every kind of record a file keeps is corrected and deleted through change control:
waiting for the department head where its group needs approval, else at once with its
audit event; an unchanged correction writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credfile.audit.models import AuditEvent
from credfile.changes import services
from credfile.changes.models import ChangeRequest
from credfile.changes.registry import target_for
from credfile.changes.services import change_request_approve
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from credfile.history.models import FileVersion
from tests import records
from tests.conftest import Personas
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

ALL_GROUPS = ["identity", "classification", "financial", "transactions", "deletion"]


def _file_for(kind: str, personas: Personas) -> Customer:
    if kind in records.INDIVIDUAL_ONLY:
        fields = {"kind": "individual", "name": "张伟", "id_number": resident_id(21)}
    else:
        fields = {"kind": "organization", "name": "北京星辰科技有限公司"}
    return customer_create(actor=personas.account_manager, fields=fields)


def _value(record: Any, name: str) -> Any:
    record.refresh_from_db()
    return getattr(record, name)


def _version(customer: Customer) -> int:
    return Customer.objects.values_list("version", flat=True).get(pk=customer.pk)


@pytest.mark.parametrize("kind", records.KINDS)
def test_a_correction_waits_for_the_head_where_its_group_needs_approval(
    kind: str, personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ALL_GROUPS
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)
    name, value = records.CORRECTION[kind]
    old = _value(record, name)

    made = services.record_change(
        actor=personas.account_manager,
        customer=customer,
        target=record,
        changes={name: value},
        reason="核对原件",
    )

    if kind not in records.GROUP:
        # Not credit-relevant: applied at once, with its audit event.
        assert made is None
        assert _value(record, name) == value
        assert AuditEvent.objects.filter(
            action="update", object_type=record._meta.label_lower, object_id=str(record.pk)
        ).exists()
        return
    assert made is not None
    assert (made.field_group, made.fields, made.status) == (records.GROUP[kind], [name], "pending")
    assert _value(record, name) == old  # nothing changes before the decision

    change_request_approve(actor=personas.department_head, request=made)

    assert _value(record, name) == value
    assert FileVersion.objects.filter(
        customer_id=customer.pk,
        object_type=record._meta.label_lower,
        object_id=record.pk,
        change_request_id=made.pk,
    ).exists()


@pytest.mark.parametrize("kind", records.KINDS)
def test_a_correction_applies_at_once_and_is_audited_where_no_approval_is_needed(
    kind: str, personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)
    name, value = records.CORRECTION[kind]
    version = _version(customer)

    made = services.record_change(
        actor=personas.account_manager, customer=customer, target=record, changes={name: value}
    )

    assert made is None
    assert _value(record, name) == value
    assert _version(customer) == version + 1
    event = AuditEvent.objects.filter(
        action="update", object_type=record._meta.label_lower, object_id=str(record.pk)
    ).latest("id")
    assert name in (event.after or {})
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("kind", records.KINDS)
def test_a_deletion_waits_for_the_head_then_the_record_is_gone(
    kind: str, personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ALL_GROUPS
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)
    model = type(record)

    made = services.record_change(
        actor=personas.account_manager,
        customer=customer,
        target=record,
        delete=True,
        reason="重复录入",
    )

    assert made is not None
    assert (made.kind, made.field_group, made.reason) == ("delete", "deletion", "重复录入")
    assert model._default_manager.filter(pk=record.pk).exists()

    change_request_approve(actor=personas.department_head, request=made)

    assert not model._default_manager.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type=record._meta.label_lower, object_id=str(record.pk)
    ).exists()


@pytest.mark.parametrize("kind", records.KINDS)
def test_a_deletion_applies_at_once_where_deletions_need_no_approval(
    kind: str, personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)

    made = services.record_change(
        actor=personas.account_manager,
        customer=customer,
        target=record,
        delete=True,
        reason="重复录入",
    )

    assert made is None
    assert not type(record)._default_manager.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type=record._meta.label_lower, object_id=str(record.pk)
    ).exists()


@pytest.mark.parametrize("approval", [ALL_GROUPS, []], ids=["approval", "direct"])
@pytest.mark.parametrize("kind", records.KINDS)
def test_a_correction_to_the_values_on_file_writes_nothing(
    kind: str, approval: list[str], personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = approval
    customer = _file_for(kind, personas)
    record = records.make(kind, customer)
    target = target_for(record._meta.label_lower)
    same = {name: getattr(record, name) for name in target.fields}
    version, events = _version(customer), AuditEvent.objects.count()

    if kind in records.GROUP and approval:
        with pytest.raises(ValidationError, match="nothing to change"):
            services.record_change(
                actor=personas.account_manager, customer=customer, target=record, changes=same
            )
    else:
        made = services.record_change(
            actor=personas.account_manager, customer=customer, target=record, changes=same
        )
        assert made is None

    assert not ChangeRequest.objects.exists()
    assert (_version(customer), AuditEvent.objects.count()) == (version, events)


def test_a_deletion_without_a_reason_is_refused(personas: Personas) -> None:
    customer = _file_for("note", personas)
    note = records.make("note", customer)

    with pytest.raises(ValidationError, match="reason for the deletion"):
        services.record_change(
            actor=personas.account_manager, customer=customer, target=note, delete=True
        )

    assert type(note)._default_manager.filter(pk=note.pk).exists()


def test_who_may_not_change_the_file_corrects_none_of_its_records(
    personas: Personas, settings: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    settings.CREDFILE_APPROVAL_GROUPS = []
    customer = _file_for("note", personas)
    note = records.make("note", customer)

    for user in (personas.outsider, personas.executive, personas.auditor):
        with pytest.raises(PermissionDenied):
            services.record_change(
                actor=user, customer=customer, target=note, changes={"subject": "改"}
            )
    assert _value(note, "subject") == "拜访记录"
