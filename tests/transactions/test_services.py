"""Contracts, invoices and payments: what is owed, when, and what settles it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.transactions.choices import InvoiceState
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from credfile.transactions.services import (
    contract_create,
    invoice_create,
    invoice_totals,
    payment_create,
)
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

D = Decimal


def day(month: int, dom: int) -> datetime.date:
    return datetime.date(2025, month, dom)


@pytest.fixture
def customer(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


@pytest.fixture
def invoice(personas: Personas, customer: Customer) -> Any:
    """invoice(number, amount, issued, **fields) → a recorded invoice."""

    def make(number: str, amount: str, issued: datetime.date, **fields: Any) -> Invoice:
        return invoice_create(
            actor=personas.account_manager,
            customer=customer,
            fields={"number": number, "amount": D(amount), "issue_date": issued, **fields},
        )

    return make


def pay(
    personas: Personas,
    customer: Customer,
    amount: str,
    received: datetime.date,
    allocations: list[tuple[int, Decimal]] | None = None,
    **fields: Any,
) -> Payment:
    return payment_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_on": received, "amount": D(amount), **fields},
        allocations=allocations,
    )


def fresh(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db()
    return invoice


# --- contracts --------------------------------------------------------------------------------


def contract_fields(**extra: Any) -> dict[str, Any]:
    return {
        "number": "HT-2025-001",
        "title": "年度供货合同",
        "signed_on": day(1, 10),
        "ends_on": day(12, 31),
        "amount": D("1200000.00"),
        "payment_terms_days": 60,
        **extra,
    }


def test_it_records_a_contract(personas: Personas, customer: Customer) -> None:
    contract = contract_create(
        actor=personas.account_manager, customer=customer, fields=contract_fields()
    )
    assert fresh_contract(contract).status == "active"
    customer.refresh_from_db()
    assert customer.version == 2


def fresh_contract(contract: Contract) -> Contract:
    contract.refresh_from_db()
    return contract


def test_it_refuses_a_contract_that_ends_before_it_is_signed(
    personas: Personas, customer: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        contract_create(
            actor=personas.account_manager,
            customer=customer,
            fields=contract_fields(ends_on=day(1, 9)),
        )
    assert exc.value.message_dict == {
        "ends_on": ["The end date cannot be before the signing date."]
    }


def test_it_refuses_a_negative_contract_amount(personas: Personas, customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        contract_create(
            actor=personas.account_manager,
            customer=customer,
            fields=contract_fields(amount=D("-1")),
        )
    assert exc.value.message_dict["amount"] == ["The amount cannot be negative."]


def test_it_refuses_a_contract_number_used_twice_for_one_customer(
    personas: Personas, customer: Customer
) -> None:
    contract_create(actor=personas.account_manager, customer=customer, fields=contract_fields())
    with pytest.raises(ValidationError) as exc:
        contract_create(actor=personas.account_manager, customer=customer, fields=contract_fields())
    assert exc.value.message_dict["number"] == [
        "This customer already has a contract with this number."
    ]


# --- invoices ---------------------------------------------------------------------------------


def test_an_invoice_falls_due_after_thirty_days_by_default(invoice: Any) -> None:
    recorded = fresh(invoice("INV-1", "1000.00", day(1, 15)))
    assert recorded.payment_terms_days == 30
    assert recorded.due_date == day(2, 14)
    assert recorded.state(today=day(2, 14)) == InvoiceState.OPEN
    assert recorded.state(today=day(2, 15)) == InvoiceState.OVERDUE


def test_an_invoice_falls_due_after_its_own_payment_terms(invoice: Any) -> None:
    recorded = fresh(invoice("INV-1", "1000.00", day(1, 15), payment_terms_days=45))
    assert recorded.due_date == day(3, 1)


def test_an_invoice_under_a_contract_takes_the_contracts_terms(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    contract = contract_create(
        actor=personas.account_manager, customer=customer, fields=contract_fields()
    )
    recorded = fresh(invoice("INV-1", "1000.00", day(1, 15), contract=contract))
    assert recorded.contract == contract
    assert recorded.payment_terms_days == 60
    assert recorded.due_date == day(3, 16)


def test_an_explicit_due_date_is_kept(invoice: Any) -> None:
    recorded = fresh(invoice("INV-1", "1000.00", day(1, 15), due_date=day(1, 20)))
    assert recorded.due_date == day(1, 20)


def test_it_refuses_a_due_date_before_the_invoice_date(invoice: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        invoice("INV-1", "1000.00", day(1, 15), due_date=day(1, 14))
    assert exc.value.message_dict == {
        "due_date": ["The due date cannot be before the invoice date."]
    }
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-100.00", "The amount cannot be negative."), ("0", "The amount must be above zero.")],
)
def test_it_refuses_an_invoice_amount_that_is_not_positive(
    invoice: Any, amount: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        invoice("INV-1", amount, day(1, 15))
    assert exc.value.message_dict["amount"] == [message]
    assert not Invoice.objects.exists()


def test_it_refuses_an_invoice_number_used_twice_for_one_customer(invoice: Any) -> None:
    invoice("INV-1", "1000.00", day(1, 15))
    with pytest.raises(ValidationError) as exc:
        invoice("INV-1", "500.00", day(1, 16))
    assert exc.value.message_dict["number"] == [
        "This customer already has an invoice with this number."
    ]


def test_it_refuses_a_contract_of_another_customer(personas: Personas, invoice: Any) -> None:
    other = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    theirs = contract_create(
        actor=personas.account_manager, customer=other, fields=contract_fields()
    )
    with pytest.raises(ValidationError) as exc:
        invoice("INV-1", "1000.00", day(1, 15), contract=theirs.pk)
    assert exc.value.message_dict["contract"] == ["This contract does not belong to this customer."]


def test_an_account_manager_cannot_invoice_a_colleagues_customer(personas: Personas) -> None:
    theirs = CustomerFactory.create(department=personas.sales, account_manager=personas.colleague)
    with pytest.raises(PermissionDenied):
        invoice_create(
            actor=personas.account_manager,
            customer=theirs,
            fields={"number": "INV-1", "amount": D("1"), "issue_date": day(1, 1)},
        )


# --- payments ---------------------------------------------------------------------------------


def test_a_payment_settles_the_oldest_invoices_first(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    # Recorded out of order: allocation follows the due date, not the order of entry.
    later = invoice("INV-2", "500.00", day(2, 1))
    oldest = invoice("INV-1", "300.00", day(1, 1))
    newest = invoice("INV-3", "700.00", day(3, 1))
    payment = pay(personas, customer, "600.00", day(3, 10))
    allocations = {
        a.invoice.number: a.amount for a in payment.allocations.select_related("invoice")
    }
    assert allocations == {"INV-1": D("300.00"), "INV-2": D("300.00")}
    assert (fresh(oldest).amount_paid, fresh(oldest).fully_paid_on) == (D("300.00"), day(3, 10))
    assert (fresh(later).amount_paid, fresh(later).fully_paid_on) == (D("300.00"), None)
    assert fresh(later).open_amount == D("200.00")
    assert fresh(later).state(today=day(3, 10)) == InvoiceState.OVERDUE
    assert fresh(newest).amount_paid == D("0.00")
    assert invoice_totals(customer) == {"CNY": D("900.00")}


def test_a_payment_is_allocated_where_the_user_says(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    oldest = invoice("INV-1", "300.00", day(1, 1))
    newest = invoice("INV-2", "500.00", day(2, 1))
    pay(personas, customer, "500.00", day(2, 20), allocations=[(newest.pk, D("500.00"))])
    assert fresh(newest).amount_paid == D("500.00")
    assert fresh(newest).fully_paid_on == day(2, 20)
    assert fresh(newest).state() == InvoiceState.PAID
    assert fresh(oldest).amount_paid == D("0.00")


def test_part_payments_add_up_and_the_last_one_dates_full_payment(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    bill = invoice("INV-1", "1000.00", day(1, 1))
    pay(personas, customer, "400.00", day(1, 20))
    assert fresh(bill).state(today=day(1, 21)) == InvoiceState.PARTLY_PAID
    pay(personas, customer, "600.00", day(2, 5))
    assert fresh(bill).amount_paid == D("1000.00")
    assert fresh(bill).fully_paid_on == day(2, 5)
    assert fresh(bill).days_past_due() == 5  # due 31 January


def _nothing_written(*invoices: Invoice) -> None:
    assert not Payment.objects.exists()
    assert not PaymentAllocation.objects.exists()
    for bill in invoices:
        assert (fresh(bill).amount_paid, fresh(bill).fully_paid_on) == (D("0.00"), None)


def test_it_refuses_an_allocation_above_the_open_amount_and_writes_nothing(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    first = invoice("INV-1", "300.00", day(1, 1))
    second = invoice("INV-2", "500.00", day(2, 1))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        pay(
            personas,
            customer,
            "800.00",
            day(2, 20),
            allocations=[(first.pk, D("300.00")), (second.pk, D("500.01"))],
        )
    assert exc.value.message_dict == {
        "allocations": ["500.01 is more than the open amount 500.00 of invoice INV-2."]
    }
    _nothing_written(first, second)
    assert AuditEvent.objects.count() == events


def test_it_refuses_an_automatic_payment_above_everything_open(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    bill = invoice("INV-1", "300.00", day(1, 1))
    with pytest.raises(ValidationError) as exc:
        pay(personas, customer, "300.01", day(1, 20))
    assert exc.value.message_dict == {
        "amount": ["The payment is above the open amount of this customer's invoices (300.00)."]
    }
    _nothing_written(bill)


def test_it_refuses_allocations_that_add_up_to_more_than_the_payment(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    first = invoice("INV-1", "300.00", day(1, 1))
    second = invoice("INV-2", "500.00", day(2, 1))
    with pytest.raises(ValidationError) as exc:
        pay(
            personas,
            customer,
            "700.00",
            day(2, 20),
            allocations=[(first.pk, D("300.00")), (second.pk, D("500.00"))],
        )
    assert exc.value.message_dict == {
        "amount": ["The allocations add up to more than the payment."]
    }
    _nothing_written(first, second)


def test_it_refuses_to_allocate_to_a_paid_invoice_or_another_customers(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    paid = invoice("INV-1", "100.00", day(1, 1))
    pay(personas, customer, "100.00", day(1, 5))
    other = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    theirs = invoice_create(
        actor=personas.account_manager,
        customer=other,
        fields={"number": "X-1", "amount": D("100.00"), "issue_date": day(1, 1)},
    )
    with pytest.raises(ValidationError) as exc:
        pay(personas, customer, "50.00", day(1, 6), allocations=[(paid.pk, D("50.00"))])
    assert exc.value.message_dict["allocations"] == [
        f"Invoice {paid.pk} is not an open invoice of this customer."
    ]
    with pytest.raises(ValidationError):
        pay(personas, customer, "50.00", day(1, 6), allocations=[(theirs.pk, D("50.00"))])
    assert fresh(theirs).amount_paid == D("0.00")
    assert Payment.objects.count() == 1


def test_it_refuses_to_settle_an_invoice_in_another_currency(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    dollars = invoice("INV-1", "100.00", day(1, 1), currency="USD")
    with pytest.raises(ValidationError) as exc:
        pay(personas, customer, "100.00", day(1, 6), allocations=[(dollars.pk, D("100.00"))])
    assert exc.value.message_dict["allocations"] == ["Invoice INV-1 is in USD."]
    # Automatic allocation only looks at invoices in the payment's currency.
    with pytest.raises(ValidationError):
        pay(personas, customer, "100.00", day(1, 6))
    pay(personas, customer, "100.00", day(1, 6), currency="USD")
    assert fresh(dollars).fully_paid_on == day(1, 6)


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_it_refuses_a_payment_that_is_not_positive(
    personas: Personas, customer: Customer, invoice: Any, amount: str
) -> None:
    bill = invoice("INV-1", "100.00", day(1, 1))
    with pytest.raises(ValidationError) as exc:
        pay(personas, customer, amount, day(1, 6))
    assert list(exc.value.message_dict) == ["amount"]
    _nothing_written(bill)


def test_a_payment_records_who_took_it_and_where_it_went(
    personas: Personas, customer: Customer, invoice: Any
) -> None:
    invoice("INV-1", "100.00", day(1, 1))
    payment = pay(personas, customer, "100.00", day(1, 6), reference="招商银行 0042")
    assert payment.recorded_by == personas.account_manager
    event = AuditEvent.objects.get(object_type="transactions.payment", action="update")
    assert event.after == {"allocations": [{"invoice": "INV-1", "amount": "100.00"}]}
    assert event.customer_id == customer.pk


@pytest.mark.parametrize("persona", ["colleague", "outsider", "credit_manager", "executive"])
def test_only_those_who_may_change_the_file_record_payments(
    personas: Personas, customer: Customer, invoice: Any, persona: str
) -> None:
    bill = invoice("INV-1", "100.00", day(1, 1))
    with pytest.raises(PermissionDenied):
        payment_create(
            actor=getattr(personas, persona),
            customer=customer,
            fields={"received_on": day(1, 6), "amount": D("100.00")},
        )
    _nothing_written(bill)
