"""Opening, changing and deleting credit files through the one service code path."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credfile.audit.models import AuditEvent
from credfile.core.errors import ConfirmationRequired, DuplicateRecord, StaleVersion
from credfile.customers import services
from credfile.customers.models import Address, Contact, Customer
from credfile.customers.services import (
    address_create,
    contact_create,
    customer_create,
    customer_delete,
    customer_update,
)
from credfile.transactions.models import Invoice, Payment
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory, credit_code, resident_id

pytestmark = pytest.mark.django_db


def organisation(**extra: Any) -> dict[str, Any]:
    return {"kind": "organization", "name": "北京星辰科技有限公司", **extra}


def individual(**extra: Any) -> dict[str, Any]:
    return {"kind": "individual", "name": "张伟", **extra}


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- opening a file ---------------------------------------------------------------------------


def test_it_opens_an_organisation_file_with_normalised_numbers(personas: Personas) -> None:
    code = credit_code(7)
    customer = customer_create(
        actor=personas.account_manager,
        fields=organisation(
            credit_code=f" {code.lower()} ",
            phone="010-6512 3456",
            legal_representative="王伟",
            registered_capital=Decimal("5000000.00"),
        ),
    )
    customer.refresh_from_db()
    assert customer.credit_code == code
    assert customer.phone == "+861065123456"
    assert customer.phone_display == "010 6512 3456"
    assert customer.department == personas.sales
    assert customer.account_manager == personas.account_manager
    assert customer.version == 1
    assert customer.name_key == "北京星辰科技"


def test_it_numbers_files_in_order(personas: Personas) -> None:
    first = customer_create(actor=personas.account_manager, fields=organisation(name="甲公司"))
    second = customer_create(actor=personas.account_manager, fields=organisation(name="乙公司"))
    assert first.code == "C00000001"
    assert second.code == "C00000002"


def test_it_opens_an_individual_file_with_birth_date_and_gender_from_the_id(
    personas: Personas,
) -> None:
    number = resident_id(124, birth="19900215")
    customer = customer_create(
        actor=personas.account_manager, fields=individual(id_number=number, phone="13812345678")
    )
    customer.refresh_from_db()
    assert customer.id_number == number
    assert customer.birth_date == datetime.date(1990, 2, 15)
    assert customer.gender == "F"
    assert customer.phone == "+8613812345678"


def test_it_accepts_a_matching_birth_date_and_gender(personas: Personas) -> None:
    number = resident_id(123, birth="19900215")
    customer = customer_create(
        actor=personas.account_manager,
        fields=individual(id_number=number, birth_date=datetime.date(1990, 2, 15), gender="M"),
    )
    assert (customer.birth_date, customer.gender) == (datetime.date(1990, 2, 15), "M")


def test_it_refuses_a_birth_date_that_contradicts_the_id(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.account_manager,
            fields=individual(
                id_number=resident_id(123, birth="19900215"), birth_date=datetime.date(1990, 2, 16)
            ),
        )
    assert errors_of(exc) == {
        "birth_date": ["The birth date does not match the ID number (1990-02-15)."]
    }
    assert not Customer.objects.exists()


def test_it_refuses_a_gender_that_contradicts_the_id(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.account_manager,
            fields=individual(id_number=resident_id(123), gender="F"),
        )
    assert errors_of(exc) == {"gender": ["The gender does not match the ID number."]}


def test_it_refuses_an_id_number_with_a_wrong_check_digit(personas: Personas) -> None:
    number = resident_id(5)
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=personas.account_manager, fields=individual(id_number=wrong))
    assert errors_of(exc) == {"id_number": ["The check digit of this ID number is wrong."]}
    assert not Customer.objects.exists()


def test_it_refuses_a_credit_code_for_an_individual(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.account_manager, fields=individual(credit_code=credit_code(1))
        )
    assert errors_of(exc)["credit_code"] == [
        "Only an organisation has this field; leave it empty for an individual."
    ]


def test_it_refuses_an_id_number_for_an_organisation(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.account_manager, fields=organisation(id_number=resident_id(1))
        )
    assert errors_of(exc)["id_number"] == [
        "Only an individual has this field; leave it empty for an organisation."
    ]


def test_it_refuses_a_file_without_a_name(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=personas.account_manager, fields=organisation(name="   "))
    assert errors_of(exc)["name"] == ["Enter the customer's name."]


def test_it_refuses_a_field_that_cannot_be_set(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=personas.account_manager, fields=organisation(version=7))
    assert errors_of(exc) == {"version": ["This field cannot be set."]}


def test_it_refuses_negative_registered_capital(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.account_manager,
            fields=organisation(registered_capital=Decimal("-1.00")),
        )
    assert errors_of(exc)["registered_capital"] == ["The registered capital cannot be negative."]


def test_it_keeps_tags_once_each(personas: Personas) -> None:
    customer = customer_create(
        actor=personas.account_manager,
        fields=organisation(),
        tags=["出口", " 出口 ", "政府项目", ""],
    )
    assert sorted(customer.tags.values_list("name", flat=True)) == ["出口", "政府项目"]


# --- duplicates -------------------------------------------------------------------------------


def test_it_refuses_a_duplicate_id_number_and_names_the_existing_file(personas: Personas) -> None:
    number = resident_id(300)
    existing = IndividualFactory.create(
        id_number=number, department=personas.other, account_manager=personas.outsider
    )
    with pytest.raises(DuplicateRecord) as exc:
        customer_create(actor=personas.account_manager, fields=individual(id_number=number))
    assert exc.value.field == "id_number"
    assert exc.value.existing == existing
    assert exc.value.message_dict == {
        "id_number": [f"A credit file with this ID number already exists: {existing}."]
    }
    assert Customer.objects.count() == 1


def test_it_refuses_a_duplicate_credit_code_typed_in_lower_case(personas: Personas) -> None:
    code = credit_code(300)
    existing = CustomerFactory.create(credit_code=code)
    with pytest.raises(DuplicateRecord) as exc:
        customer_create(
            actor=personas.account_manager,
            fields=organisation(name="完全不同的名字有限公司", credit_code=code.lower()),
        )
    assert exc.value.field == "credit_code"
    assert exc.value.existing == existing
    assert str(existing.code) in exc.value.message_dict["credit_code"][0]
    assert Customer.objects.count() == 1


def test_it_refuses_to_change_an_id_number_to_one_on_another_file(personas: Personas) -> None:
    taken = IndividualFactory.create(department=personas.sales, account_manager=personas.colleague)
    mine = IndividualFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    with pytest.raises(DuplicateRecord) as exc:
        customer_update(
            actor=personas.account_manager,
            customer=mine,
            fields={"id_number": taken.id_number, "birth_date": None, "gender": ""},
        )
    assert exc.value.existing == taken


def test_keeping_ones_own_id_number_is_not_a_duplicate(personas: Personas) -> None:
    mine = customer_create(
        actor=personas.account_manager, fields=individual(id_number=resident_id(9))
    )
    updated = customer_update(
        actor=personas.account_manager, customer=mine, fields={"id_number": mine.id_number}
    )
    assert updated.id_number == mine.id_number


def test_it_asks_to_confirm_a_name_like_an_existing_one(personas: Personas) -> None:
    existing = CustomerFactory.create(name="北京星辰科技（集团）有限公司")
    with pytest.raises(ConfirmationRequired) as exc:
        customer_create(
            actor=personas.account_manager,
            fields=organisation(name="北京星辰科技(集团)有限责任公司"),
        )
    assert exc.value.matches == [existing]
    message = exc.value.message_dict["name"][0]
    assert message.startswith("A customer with a similar name already exists:")
    assert existing.code in message
    assert Customer.objects.count() == 1


def test_it_opens_a_file_with_a_similar_name_once_confirmed(personas: Personas) -> None:
    CustomerFactory.create(name="北京星辰科技有限公司")
    customer = customer_create(
        actor=personas.account_manager,
        fields=organisation(name="北京星辰科技股份有限公司"),
        confirm_similar_name=True,
    )
    assert customer.name_key == "北京星辰科技"
    assert Customer.objects.count() == 2


def test_it_does_not_ask_again_when_the_name_is_unchanged(personas: Personas) -> None:
    CustomerFactory.create(name="北京星辰科技有限公司")
    mine = customer_create(
        actor=personas.account_manager,
        fields=organisation(name="北京星辰科技股份有限公司"),
        confirm_similar_name=True,
    )
    updated = customer_update(
        actor=personas.account_manager, customer=mine, fields={"remarks": "年审通过"}
    )
    assert updated.remarks == "年审通过"


def test_it_asks_to_confirm_a_rename_to_a_similar_name(personas: Personas) -> None:
    CustomerFactory.create(name="上海海潮贸易有限公司")
    mine = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(ConfirmationRequired):
        customer_update(
            actor=personas.account_manager, customer=mine, fields={"name": "上海海潮贸易公司"}
        )
    mine.refresh_from_db()
    assert mine.name == "北京星辰科技有限公司"


# --- changing a file --------------------------------------------------------------------------


def test_a_change_moves_the_version_on_and_records_only_what_changed(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    updated = customer_update(
        actor=personas.account_manager,
        customer=customer,
        fields={"phone": "138 1234 5678", "city": "北京市"},
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.phone == "+8613812345678"
    event = AuditEvent.objects.get(action="update", object_id=str(customer.pk))
    assert event.actor == personas.account_manager
    assert event.customer_id == customer.pk
    assert event.before == {"phone": "", "city": "", "version": 1}
    # Sensitive values are masked in the audit trail.
    assert event.after == {"phone": "138****5678", "city": "北京市", "version": 2}


def test_it_refuses_a_change_to_a_version_that_is_no_longer_current(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    customer_update(
        actor=personas.department_head,
        customer=customer,
        fields={"city": "北京市"},
        expected_version=1,
    )
    with pytest.raises(StaleVersion) as exc:
        customer_update(
            actor=personas.account_manager,
            customer=customer,
            fields={"city": "天津市"},
            expected_version=1,
        )
    assert exc.value.current_version == 2
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("北京市", 2)
    assert AuditEvent.objects.filter(action="update").count() == 1


def test_an_account_manager_cannot_change_a_colleagues_file(personas: Personas) -> None:
    theirs = CustomerFactory.create(department=personas.sales, account_manager=personas.colleague)
    with pytest.raises(PermissionDenied, match=r"You may not change this credit file\."):
        customer_update(actor=personas.account_manager, customer=theirs, fields={"city": "天津市"})
    theirs.refresh_from_db()
    assert theirs.city == "北京市"


def test_the_department_head_can_change_a_colleagues_file(personas: Personas) -> None:
    theirs = CustomerFactory.create(department=personas.sales, account_manager=personas.colleague)
    updated = customer_update(
        actor=personas.department_head, customer=theirs, fields={"city": "天津市"}
    )
    assert updated.city == "天津市"


def test_the_department_head_can_hand_a_file_to_another_account_manager(
    personas: Personas,
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    updated = customer_update(
        actor=personas.department_head,
        customer=customer,
        fields={"account_manager": personas.colleague},
    )
    assert updated.account_manager == personas.colleague


def test_an_account_manager_cannot_hand_their_file_to_a_colleague(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(ValidationError) as exc:
        customer_update(
            actor=personas.account_manager,
            customer=customer,
            fields={"account_manager": personas.colleague},
        )
    assert errors_of(exc) == {
        "account_manager": ["You can only open files that you manage yourself."]
    }


def test_the_department_head_cannot_move_a_file_to_another_department(
    personas: Personas,
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(ValidationError) as exc:
        customer_update(
            actor=personas.department_head,
            customer=customer,
            fields={"department": personas.other, "account_manager": personas.outsider},
        )
    assert errors_of(exc) == {"department": ["You can only file customers in your department."]}


def test_the_account_manager_must_belong_to_the_owning_department(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=personas.department_head,
            fields=organisation(account_manager=personas.outsider),
        )
    assert errors_of(exc)["account_manager"] == [
        "The account manager must belong to the owning department."
    ]


@pytest.mark.parametrize("persona", ["credit_manager", "executive", "auditor", "admin"])
def test_roles_outside_the_departments_cannot_open_files(persona: str, personas: Personas) -> None:
    with pytest.raises(PermissionDenied, match=r"You may not open credit files\."):
        customer_create(actor=getattr(personas, persona), fields=organisation())
    assert not Customer.objects.exists()


@pytest.mark.parametrize("persona", ["credit_manager", "executive", "auditor", "outsider"])
def test_readers_and_other_departments_cannot_change_a_file(
    persona: str, personas: Personas
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(PermissionDenied):
        customer_update(actor=getattr(personas, persona), customer=customer, fields={"city": "x"})


# --- the audit trail is part of the same transaction ------------------------------------------


class AuditFailed(Exception):
    pass


def _audit_then_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the audit event as usual, then fail: as if the database went away mid-request."""
    real = services.audit_record

    def audit_record(**kwargs: Any) -> AuditEvent:
        real(**kwargs)
        raise AuditFailed

    monkeypatch.setattr(services, "audit_record", audit_record)


def test_a_failure_after_opening_leaves_neither_the_file_nor_its_event(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _audit_then_fail(monkeypatch)
    with pytest.raises(AuditFailed):
        customer_create(actor=personas.account_manager, fields=organisation(), tags=["出口"])
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_failure_after_a_change_leaves_the_file_and_trail_as_they_were(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    _audit_then_fail(monkeypatch)
    with pytest.raises(AuditFailed):
        customer_update(
            actor=personas.account_manager, customer=customer, fields={"city": "天津市"}
        )
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("", 1)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["create"]


def test_opening_a_file_records_who_opened_it(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    event = AuditEvent.objects.get()
    assert event.action == "create"
    assert event.actor == personas.account_manager
    assert event.actor_label == "li.na"
    assert event.object_type == "customers.customer"
    assert event.object_id == str(customer.pk)
    assert event.customer_id == customer.pk
    assert event.after is not None
    assert event.after["code"] == customer.code
    assert event.after["name"] == "北京星辰科技有限公司"


# --- deleting a file --------------------------------------------------------------------------


def test_an_account_manager_cannot_delete_a_file(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(PermissionDenied, match=r"You may not delete this credit file\."):
        customer_delete(actor=personas.account_manager, customer=customer)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_the_department_head_deletes_a_file_with_its_records_and_keeps_the_trail(
    personas: Personas,
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "number": "INV-1",
            "issue_date": datetime.date(2025, 1, 2),
            "amount": Decimal("100.00"),
        },
    )
    payment_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_on": datetime.date(2025, 1, 20), "amount": Decimal("40.00")},
    )
    customer_delete(actor=personas.department_head, customer=customer)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not Payment.objects.exists()
    deleted = AuditEvent.objects.get(action="delete", object_type="customers.customer")
    assert deleted.actor == personas.department_head
    assert deleted.before is not None and deleted.before["code"] == customer.code


# --- contacts and addresses -------------------------------------------------------------------


def test_it_adds_a_contact_with_a_normalised_mobile_and_moves_the_version_on(
    personas: Personas,
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    contact = contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "李财务", "role": "finance", "mobile": "139 0000 1111"},
    )
    assert contact.mobile == "+8613900001111"
    customer.refresh_from_db()
    assert customer.version == 2
    assert AuditEvent.objects.filter(
        object_type="customers.contact", customer_id=customer.pk, action="create"
    ).exists()


def test_a_new_primary_contact_replaces_the_old_one(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    first = contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "甲", "email": "a@example.com", "is_primary": True},
    )
    second = contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "乙", "email": "b@example.com", "is_primary": True},
    )
    primary = Contact.objects.filter(customer=customer, is_primary=True)
    assert list(primary) == [second]
    first.refresh_from_db()
    assert first.is_primary is False


def test_it_refuses_a_contact_without_any_way_to_reach_them(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(ValidationError) as exc:
        contact_create(actor=personas.account_manager, customer=customer, fields={"name": "甲"})
    assert errors_of(exc) == {
        "mobile": ["Give at least a mobile, a phone number or an e-mail address."]
    }
    assert not Contact.objects.exists()
    customer.refresh_from_db()
    assert customer.version == 1


def test_it_refuses_a_contact_with_a_wrong_mobile(personas: Personas) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"name": "甲", "mobile": "1390000"},
        )
    assert list(errors_of(exc)) == ["mobile"]


def test_an_account_manager_cannot_add_a_contact_to_a_colleagues_file(personas: Personas) -> None:
    theirs = CustomerFactory.create(department=personas.sales, account_manager=personas.colleague)
    with pytest.raises(PermissionDenied):
        contact_create(
            actor=personas.account_manager,
            customer=theirs,
            fields={"name": "甲", "email": "a@example.com"},
        )
    assert not Contact.objects.exists()


def test_it_adds_an_address_and_refuses_a_postcode_that_is_not_six_digits(
    personas: Personas,
) -> None:
    customer = customer_create(actor=personas.account_manager, fields=organisation())
    address = address_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "kind": "registered",
            "province": "11",
            "city": "北京市",
            "line": "朝阳区建国路 88 号",
            "postcode": "100022",
        },
    )
    assert str(address) == "Beijing 北京市 朝阳区建国路 88 号"
    with pytest.raises(ValidationError) as exc:
        address_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"line": "朝阳区建国路 89 号", "postcode": "10002"},
        )
    assert errors_of(exc) == {"postcode": ["A postcode has six digits."]}
    assert Address.objects.count() == 1
