"""Collection actions: each kind, its validation, the audit record, broken promises."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.followup.choices import ActionKind
from credfile.followup.models import CollectionAction
from credfile.followup.selectors import with_followup
from credfile.followup.services import collection_action_create
from credfile.transactions.models import Invoice
from credfile.transactions.services import payment_create
from tests.conftest import Personas
from tests.followup.conftest import TODAY, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)


def record(customer: Customer, invoice: Invoice, actor: Any = None, **fields: Any) -> Any:
    return collection_action_create(
        actor=actor or customer.account_manager,
        customer=customer,
        fields={"invoice": invoice, **fields},
    )


def errors_of(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def followup_of(invoice: Invoice, today: datetime.date) -> Invoice:
    return with_followup(Invoice.objects.filter(pk=invoice.pk), today=today).get()


@pytest.mark.parametrize("kind", ["reminder", "call", "visit", "letter"])
def test_each_plain_kind_is_recorded_with_its_next_action(
    customer: Customer, today: datetime.date, kind: str
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    action = record(customer, invoice, kind=kind, note="催款", next_action_on=TODAY + 3 * DAY)
    stored = CollectionAction.objects.get(pk=action.pk)
    assert (stored.kind, stored.action_date, stored.next_action_on) == (
        kind,
        TODAY,
        TODAY + 3 * DAY,
    )
    assert stored.recorded_by == customer.account_manager
    assert stored.customer_id == customer.pk


def test_recording_writes_its_audit_event_in_the_same_transaction(
    customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    action = record(customer, invoice, kind="call", note="客户答应本周回复")
    event = AuditEvent.objects.filter(
        object_type="followup.collectionaction", object_id=str(action.pk)
    ).get()
    assert event.action == "create"
    assert event.actor == customer.account_manager
    assert event.customer_id == customer.pk
    assert event.after is not None and event.after["kind"] == "call"


def test_a_promise_keeps_its_date_amount_and_the_open_amount(
    customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    action = record(
        customer, invoice, kind="promise", promised_on=TODAY, promised_amount=D("400.00")
    )
    stored = CollectionAction.objects.get(pk=action.pk)
    assert (stored.promised_on, stored.promised_amount, stored.open_at_promise) == (
        TODAY,
        D("400.00"),
        D("1000.00"),
    )


def test_a_promise_needs_a_date_today_or_later_and_an_amount(
    customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    missing = errors_of(lambda: record(customer, invoice, kind="promise"))
    assert missing == {
        "promised_on": ["A promise to pay needs the promised payment date."],
        "promised_amount": ["A promise to pay needs the promised amount."],
    }
    past = errors_of(
        lambda: record(
            customer, invoice, kind="promise", promised_on=TODAY - DAY, promised_amount=D("1")
        )
    )
    assert past == {"promised_on": ["The promised payment date cannot be before today."]}
    too_much = errors_of(
        lambda: record(
            customer, invoice, kind="promise", promised_on=TODAY, promised_amount=D("1000.01")
        )
    )
    assert too_much == {
        "promised_amount": ["The promised amount is above the invoice's open amount (1000.00 CNY)."]
    }
    zero = errors_of(
        lambda: record(customer, invoice, kind="promise", promised_on=TODAY, promised_amount=0)
    )
    assert zero == {"promised_amount": ["The amount must be above zero."]}
    assert not CollectionAction.objects.exists()


def test_other_kinds_refuse_promise_fields_and_future_dates(
    customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    assert errors_of(lambda: record(customer, invoice, kind="call", promised_on=TODAY + DAY)) == {
        "promised_on": ["Only a promise to pay has a promised date and amount."]
    }
    assert errors_of(lambda: record(customer, invoice, kind="call", action_date=TODAY + DAY)) == {
        "action_date": ["An action is recorded once it has happened: not after today."]
    }
    assert errors_of(
        lambda: record(customer, invoice, kind="call", next_action_on=TODAY - DAY)
    ) == {"next_action_on": ["The next action cannot be planned before today."]}
    assert errors_of(lambda: record(customer, invoice, kind="dispute")) == {
        "note": ["Say what the customer disputes."]
    }
    assert errors_of(lambda: record(customer, invoice, kind="nonsense")) == {
        "kind": ["Value 'nonsense' is not a valid choice."]
    }


def test_a_paid_invoice_or_another_files_invoice_is_refused(
    personas: Personas, customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    payment_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_on": TODAY, "amount": D("1000.00"), "currency": "CNY"},
    )
    assert errors_of(lambda: record(customer, invoice, kind="call")) == {
        "invoice": ["This invoice is paid; it needs no follow-up."]
    }
    other = make_invoice(
        Customer.objects.create(
            code="X1",
            kind="organization",
            name="别家",
            name_key="别家",
            department=personas.sales,
            account_manager=personas.account_manager,
        ),
        "INV-9",
        due=TODAY - DAY,
    )
    assert errors_of(lambda: record(customer, other, kind="call")) == {
        "invoice": ["Choose an invoice of this customer."]
    }


def test_only_whoever_may_change_the_file_records(
    personas: Personas, customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    for user in (personas.colleague, personas.credit_manager, personas.outsider):
        with pytest.raises(PermissionDenied):
            record(customer, invoice, actor=user, kind="call")
    record(customer, invoice, actor=personas.department_head, kind="visit")
    assert CollectionAction.objects.count() == 1


def test_a_promise_is_broken_once_its_date_passes_without_the_payment(
    personas: Personas, customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    record(customer, invoice, kind="promise", promised_on=TODAY + 2 * DAY, promised_amount=D("600"))
    # On the promised day it is not broken yet; the day after it is.
    assert followup_of(invoice, TODAY + 2 * DAY).promise_broken is False
    assert followup_of(invoice, TODAY + 3 * DAY).promise_broken is True
    # Paid all but the tolerance (1.00) of the promise: kept.
    payment_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_on": TODAY + DAY, "amount": D("599.00"), "currency": "CNY"},
    )
    assert followup_of(invoice, TODAY + 3 * DAY).promise_broken is False


def test_a_short_payment_beyond_the_tolerance_still_breaks_the_promise(
    personas: Personas, customer: Customer, today: datetime.date, settings: Any
) -> None:
    settings.CREDFILE_PROMISE_TOLERANCE = "0.00"
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    record(customer, invoice, kind="promise", promised_on=TODAY, promised_amount=D("600"))
    payment_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_on": TODAY, "amount": D("599.99"), "currency": "CNY"},
    )
    assert followup_of(invoice, TODAY + DAY).promise_broken is True


def test_the_latest_promise_counts_and_the_latest_action_plans_the_next(
    customer: Customer, today: datetime.date
) -> None:
    invoice = make_invoice(customer, "INV-1", due=TODAY - 10 * DAY)
    record(customer, invoice, kind="promise", promised_on=TODAY, promised_amount=D("100"))
    record(
        customer,
        invoice,
        kind="promise",
        promised_on=TODAY + 10 * DAY,
        promised_amount=D("100"),
        next_action_on=TODAY + 11 * DAY,
    )
    record(customer, invoice, kind=ActionKind.CALL, next_action_on=TODAY + 5 * DAY)
    row = followup_of(invoice, TODAY + 5 * DAY)
    assert row.promise_broken is False  # the first promise was replaced by the second
    assert (row.last_action_kind, row.next_action_on, row.promised_on) == (
        "call",
        TODAY + 5 * DAY,
        TODAY + 10 * DAY,
    )


@pytest.mark.parametrize("value", ["abc", "-1", "NaN"])
def test_a_tolerance_that_is_not_an_amount_stops_credfile_at_start(
    settings: Any, value: str
) -> None:
    from credfile.followup.checks import promise_tolerance_check

    settings.CREDFILE_PROMISE_TOLERANCE = value
    [error] = promise_tolerance_check()
    assert error.id == "credfile.E101" and repr(value) in error.msg
    settings.CREDFILE_PROMISE_TOLERANCE = "0.50"
    assert promise_tolerance_check() == []
