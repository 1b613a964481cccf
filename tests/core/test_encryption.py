"""Sealed fields: encrypted at rest, bound to their row, searchable, rotatable."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from credfile.core import crypto
from credfile.core.checks import encryption_key_check
from credfile.core.keys import key_status, keys_rotate
from credfile.customers.models import Contact, Customer
from credfile.customers.selectors import CustomerFilters, customer_search
from credfile.customers.services import contact_create, customer_create
from credfile.financials.models import IndividualFinancial
from credfile.financials.services import individual_financial_create
from tests.factories import IndividualFactory, resident_id

pytestmark = pytest.mark.django_db

PHONE = "+8613812345678"


@pytest.fixture
def own_key(tmp_path, settings):  # type: ignore[no-untyped-def]
    """A key file of this test's own, so rotating it leaves other tests alone."""
    settings.CREDFILE_KEY_FILE = tmp_path / "master.key"
    crypto.create_key_file()
    yield settings.CREDFILE_KEY_FILE
    crypto.reset_key_ring()


def _person(personas, n: int = 1):  # type: ignore[no-untyped-def]
    customer = customer_create(
        actor=personas.account_manager,
        fields={
            "kind": "individual",
            "name": f"张伟{n}",
            "id_number": resident_id(n),
            "phone": PHONE if n == 1 else f"+86139{n:08d}",
            "bank_account": "6222021234567890123",
        },
        confirm_similar_name=True,
    )
    contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "李娜", "mobile": "13700001111"},
    )
    individual_financial_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "as_of": datetime.date(2026, 1, 1),
            "annual_income": Decimal("360000.00"),
            "total_assets": Decimal("1200000.00"),
            "total_liabilities": Decimal("350000.00"),
        },
    )
    return customer


def _all_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return "\n".join(str(v) for row in cursor.fetchall() for v in row)


def test_no_sensitive_value_is_stored_in_clear(personas) -> None:
    customer = _person(personas)
    stored = "\n".join(
        _all_text(t)
        for t in (
            "customers_customer",
            "customers_contact",
            "financials_individualfinancial",
            "audit_auditevent",
        )
    )
    for secret in (
        customer.id_number,
        "13812345678",
        "13700001111",
        "6222021234567890123",
        "360000",
        "1200000",
        customer.birth_date.strftime("%Y%m%d"),
        customer.birth_date.isoformat(),
    ):
        assert secret not in stored, secret
    # …and yet the application reads them back.
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.phone, fresh.bank_account) == (PHONE, "6222021234567890123")
    assert IndividualFinancial.objects.get().annual_income == Decimal("360000.00")


def test_equal_values_give_different_ciphertexts(personas) -> None:
    a = IndividualFactory(
        phone=PHONE, department=personas.sales, account_manager=personas.account_manager
    )
    b = IndividualFactory(
        phone=PHONE, department=personas.sales, account_manager=personas.account_manager
    )
    assert a.phone_enc != b.phone_enc
    assert a.phone_bidx == b.phone_bidx  # the blind index is what makes them findable


def test_a_ciphertext_moved_to_another_row_or_field_does_not_open(personas) -> None:
    a, b = _person(personas, 1), _person(personas, 2)
    Customer.objects.filter(pk=b.pk).update(id_number_enc=a.id_number_enc)
    with pytest.raises(crypto.DecryptionFailed):
        _ = Customer.objects.get(pk=b.pk).id_number
    Customer.objects.filter(pk=a.pk).update(passport_number_enc=a.id_number_enc)
    with pytest.raises(crypto.DecryptionFailed):
        _ = Customer.objects.get(pk=a.pk).passport_number


def test_the_blind_index_finds_exactly_the_matching_rows(personas) -> None:
    people = [_person(personas, n) for n in range(1, 6)]
    for person in people:
        found = customer_search(
            user=personas.account_manager, filters=CustomerFilters(q=person.id_number)
        )
        assert list(found) == [person]
    by_contact = customer_search(
        user=personas.account_manager, filters=CustomerFilters(q="137 0000 1111")
    )
    assert sorted(c.pk for c in by_contact) == sorted(p.pk for p in people)


def test_rotation_interrupted_and_resumed_leaves_everything_under_the_new_key(
    personas, own_key
) -> None:
    people = [_person(personas, n) for n in range(1, 8)]
    counts = (
        Customer.objects.count(),
        Contact.objects.count(),
        IndividualFinancial.objects.count(),
    )
    old_key = crypto.key_ring().active

    partial = keys_rotate(batch_size=2, stop_after_batches=2)
    assert not partial.complete
    assert key_status()["rows_under_old_keys"] > 0

    finished = keys_rotate(batch_size=2)
    assert finished.complete and finished.retired == [old_key]
    assert key_status()["rows_under_old_keys"] == 0

    # The key file now holds the new key alone, and every value opens with it.
    crypto.reset_key_ring()
    ring = crypto.load_key_file(own_key)
    assert list(ring.keys) == [finished.new_key]
    for person in people:
        fresh = Customer.objects.get(pk=person.pk)
        assert fresh.id_number == person.id_number
        assert fresh.bank_account == "6222021234567890123"
        assert [c.mobile for c in fresh.contacts.all()] == ["+8613700001111"]
        assert list(
            customer_search(
                user=personas.account_manager, filters=CustomerFilters(q=person.id_number)
            )
        ) == [fresh]
    assert {f.annual_income for f in IndividualFinancial.objects.all()} == {Decimal("360000.00")}
    assert counts == (
        Customer.objects.count(),
        Contact.objects.count(),
        IndividualFinancial.objects.count(),
    )
    assert list(own_key.parent.glob("master.key.*.bak"))  # the old ring was kept as a backup


def test_it_refuses_to_start_without_its_key(tmp_path, settings) -> None:
    settings.CREDFILE_KEY_FILE = tmp_path / "missing.key"
    crypto.reset_key_ring()
    try:
        errors = encryption_key_check()
        assert [e.id for e in errors] == ["credfile.E001"]
        assert "credfile keys init" in errors[0].msg
    finally:
        crypto.reset_key_ring()


def test_keys_init_creates_a_private_key_file_once(tmp_path, settings) -> None:
    settings.CREDFILE_KEY_FILE = tmp_path / "new.key"
    try:
        call_command("keys", "init")
        assert (settings.CREDFILE_KEY_FILE.stat().st_mode & 0o777) == 0o600
        call_command("keys", "init", "--if-missing")
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("keys", "init")
    finally:
        crypto.reset_key_ring()
