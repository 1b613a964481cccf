"""Review cycles, next-review dates, risk and data quality, as the daily job computes them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from credfile.customers.models import Address, Contact, Customer
from credfile.customers.services import customer_update
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.reviews.choices import PolicyBasis, RiskLevel
from credfile.reviews.models import Notification, ReviewPolicy, ReviewSchedule
from credfile.reviews.rules import add_months
from credfile.reviews.services import policy_create, policy_update, schedules_refresh
from credfile.transactions.models import Invoice
from tests.conftest import Personas
from tests.factories import IndividualFactory
from tests.reviews.conftest import TODAY, make_file, opened, schedule

pytestmark = pytest.mark.django_db


def overdue_invoice(customer: Customer, *, days_past_due: int, paid: bool = False) -> Invoice:
    due = TODAY - datetime.timedelta(days=days_past_due)
    return Invoice.objects.create(
        customer=customer,
        number=f"INV-{customer.pk}-{days_past_due}",
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
        payment_terms_days=30,
        amount=Decimal("1000.00"),
        amount_paid=Decimal("1000.00") if paid else Decimal("0"),
        fully_paid_on=due if paid else None,
    )


def test_default_policies_review_high_risk_files_every_3_months_and_others_every_12(
    personas: Personas,
) -> None:
    risky = make_file(personas, opened_on=datetime.date(2025, 1, 10))
    overdue_invoice(risky, days_past_due=91)
    calm = make_file(personas, opened_on=datetime.date(2025, 1, 10))
    overdue_invoice(calm, days_past_due=60)  # late, but not 90 days
    paid_late = make_file(personas, opened_on=datetime.date(2025, 1, 10))
    overdue_invoice(paid_late, days_past_due=200, paid=True)

    schedules_refresh(today=TODAY)

    assert (schedule(risky).risk, schedule(risky).cycle_months) == (RiskLevel.HIGH, 3)
    assert schedule(risky).next_review_on == datetime.date(2025, 4, 10)
    for customer in (calm, paid_late):
        assert (schedule(customer).risk, schedule(customer).cycle_months) == ("normal", 12)
        assert schedule(customer).next_review_on == datetime.date(2026, 1, 10)


def test_every_file_gets_a_next_review_date_when_it_is_opened(personas: Personas) -> None:
    customer = make_file(personas, opened_on=TODAY)
    assert schedule(customer).next_review_on == datetime.date(2026, 6, 16)


def test_policies_apply_by_risk_then_category_then_default(personas: Personas) -> None:
    policy_create(
        actor=personas.credit_manager, basis="category", value="strategic", cycle_months=6
    )
    default = ReviewPolicy.objects.get(basis=PolicyBasis.DEFAULT, is_active=True)
    policy_update(actor=personas.credit_manager, policy=default, fields={"cycle_months": 24})
    day = datetime.date(2024, 1, 15)
    strategic = make_file(personas, opened_on=day, category="strategic")
    strategic_risky = make_file(personas, opened_on=day, category="strategic")
    overdue_invoice(strategic_risky, days_past_due=120)
    regular = make_file(personas, opened_on=day, category="regular")

    schedules_refresh(today=TODAY)

    assert schedule(strategic).cycle_months == 6
    assert schedule(strategic_risky).cycle_months == 3  # risk comes before category
    assert schedule(regular).cycle_months == 24
    assert schedule(regular).next_review_on == datetime.date(2026, 1, 15)


def test_an_inactive_policy_no_longer_applies(personas: Personas) -> None:
    rule = policy_create(
        actor=personas.credit_manager, basis="category", value="key", cycle_months=6
    )
    customer = make_file(personas, opened_on=datetime.date(2025, 1, 1), category="key")
    assert schedule(customer).cycle_months == 6
    policy_update(actor=personas.credit_manager, policy=rule, fields={"is_active": False})
    schedules_refresh(today=TODAY)
    assert schedule(customer).cycle_months == 12


def test_without_any_policy_files_are_reviewed_every_12_months(personas: Personas) -> None:
    ReviewPolicy.objects.update(is_active=False)
    customer = make_file(personas, opened_on=datetime.date(2025, 1, 1))
    overdue_invoice(customer, days_past_due=100)
    schedules_refresh(today=TODAY)
    assert schedule(customer).cycle_months == 12


def test_only_credit_managers_and_administrators_change_policies(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        policy_create(actor=personas.department_head, basis="category", value="key", cycle_months=6)
    policy = policy_create(actor=personas.admin, basis="category", value="key", cycle_months=6)
    assert policy.version == 1
    policy = policy_update(actor=personas.credit_manager, policy=policy, fields={"cycle_months": 9})
    assert policy.version == 2


def test_a_second_active_rule_for_the_same_value_is_refused(personas: Personas) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        policy_create(actor=personas.credit_manager, basis="risk", value="high", cycle_months=1)
    assert "value" in error.value.message_dict


def test_the_next_review_date_keeps_to_the_end_of_a_shorter_month(personas: Personas) -> None:
    ReviewPolicy.objects.filter(basis=PolicyBasis.DEFAULT).update(cycle_months=1)
    customer = make_file(personas, opened_on=datetime.date(2024, 1, 31))
    assert schedule(customer).next_review_on == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 11, 30), 3) == datetime.date(2025, 2, 28)


def test_a_file_given_to_another_account_manager_follows_in_the_queue_copy(
    personas: Personas,
) -> None:
    customer = make_file(personas, opened_on=TODAY)
    customer_update(
        actor=personas.department_head,
        customer=customer,
        fields={"account_manager": personas.colleague},
    )
    assert schedule(customer).department_id == personas.sales.pk
    assert schedule(customer).account_manager_id == personas.colleague.pk


# --- data quality -----------------------------------------------------------------------------


def complete_organisation(personas: Personas, **fields: Any) -> Customer:
    customer = make_file(personas, opened_on=TODAY, phone="+8613812345678", **fields)
    Address.objects.create(customer=customer, line="朝阳路 1 号", city="北京市")
    Contact.objects.create(
        customer=customer,
        name="王经理",
        mobile="13700001111",
        verified_on=TODAY - datetime.timedelta(days=100),
    )
    FinancialStatement.objects.create(
        customer=customer,
        period_end=TODAY - datetime.timedelta(days=200),
        total_assets=Decimal("10"),
        total_liabilities=Decimal("5"),
        equity=Decimal("5"),
        revenue=Decimal("10"),
        net_profit=Decimal("1"),
    )
    schedules_refresh(today=TODAY)
    return customer


def test_a_complete_and_current_file_scores_100(personas: Personas) -> None:
    customer = complete_organisation(personas)
    state = schedule(customer)
    assert state.quality_score == 100
    assert all(
        [
            state.q_identity,
            state.q_contact_details,
            state.q_contact_verified,
            state.q_financials,
            state.q_classification,
        ]
    )


def test_stale_contacts_and_old_statements_lower_the_score(personas: Personas) -> None:
    customer = complete_organisation(personas)
    Contact.objects.filter(customer=customer).update(
        verified_on=TODAY - datetime.timedelta(days=400)
    )
    FinancialStatement.objects.filter(customer=customer).update(
        period_end=TODAY - datetime.timedelta(days=400)
    )
    schedules_refresh(today=TODAY)
    state = schedule(customer)
    assert (state.q_contact_verified, state.q_financials) == (False, False)
    assert state.quality_score == 100 - 20 - 30


def test_missing_identity_and_contact_fields_lower_the_score(personas: Personas) -> None:
    customer = make_file(personas, opened_on=TODAY, legal_representative="", industry="")
    state = schedule(customer)
    assert not state.q_identity
    assert not state.q_contact_details  # no phone, e-mail, address or contact person
    assert not state.q_classification
    assert state.quality_score == 0


def test_a_cleared_establishment_date_counts_as_missing_identity(personas: Personas) -> None:
    customer = complete_organisation(personas)
    assert schedule(customer).quality_score == 100
    customer_update(
        actor=personas.department_head, customer=customer, fields={"established_on": None}
    )
    schedules_refresh(today=TODAY)
    state = schedule(customer)
    assert not state.q_identity
    assert state.quality_score == 75


def test_an_individual_without_a_birth_date_has_incomplete_identity(personas: Personas) -> None:
    person = make_file(
        personas,
        opened_on=TODAY,
        factory=IndividualFactory,
        id_number="",
        gender="",
        passport_number="E12345678",
        birth_date=datetime.date(1985, 3, 12),
    )
    assert schedule(person).q_identity
    customer_update(actor=personas.department_head, customer=person, fields={"birth_date": None})
    schedules_refresh(today=TODAY)
    assert not schedule(person).q_identity


def test_an_individual_needs_some_financial_information(personas: Personas) -> None:
    person = make_file(personas, opened_on=TODAY, factory=IndividualFactory)
    assert schedule(person).q_identity  # ID number and birth date
    assert not schedule(person).q_financials
    IndividualFinancial.objects.create(customer=person, as_of=datetime.date(2019, 1, 1))
    schedules_refresh(today=TODAY)
    assert schedule(person).q_financials


def test_the_daily_job_over_many_files_costs_a_bounded_number_of_queries(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    files = [
        Customer(
            code=f"B{i:08d}",
            kind="organization",
            name=f"批量{i}",
            name_key=f"批量{i}",
            department=personas.sales if i % 2 else personas.other,
            account_manager=personas.account_manager if i % 2 else personas.outsider,
        )
        for i in range(500)
    ]
    Customer.objects.bulk_create(files)  # no signals: the job creates the review states
    # Opened long ago, so every file is overdue: reminders and escalations are sent too.
    Customer.objects.filter(code__startswith="B").update(
        created_at=opened(datetime.date(2023, 1, 1))
    )
    Invoice.objects.bulk_create(
        Invoice(
            customer=c,
            number="X",
            issue_date=TODAY - datetime.timedelta(days=200),
            due_date=TODAY - datetime.timedelta(days=150),
            payment_terms_days=30,
            amount=Decimal("10"),
        )
        for c in Customer.objects.filter(code__startswith="B")[:50]
    )
    from credfile.reviews.jobs import run_due

    # About fifteen statements per review job (with savepoints and the JobRun row), about
    # twenty-five for the risk rules (the 50 overdue files go on the watch list and their
    # reviews are brought forward), a few for the re-rating (no file has changed since a
    # rating), the scorecards' stability report (a few per card), the archive inspection
    # (about twenty: documents, storage and audit chain in batches), the retention due list
    # (one query per rule), the audit digest and the backup (its record and audit event),
    # whatever the number of files; the two complaint jobs (reminders, escalations) about
    # nine each.
    with django_assert_max_num_queries(195):  # 189 measured
        outcomes = run_due(today=TODAY)
    assert [o.status for o in outcomes] == ["done"] * len(outcomes) and len(outcomes) == 12
    assert ReviewSchedule.objects.filter(customer__code__startswith="B").count() == 500
    assert ReviewSchedule.objects.filter(risk="high").count() == 50
    assert {(o.name, o.summary and o.summary.get("escalated_files")) for o in outcomes} >= {
        ("reviews.escalate", 500)
    }
    # Two account managers reminded, one department head (sales) escalated to.
    assert Notification.objects.count() == 3


def test_a_second_computation_writes_only_the_files_that_changed(personas: Personas) -> None:
    quiet = make_file(personas, opened_on=datetime.date(2025, 1, 10))
    make_file(personas, opened_on=datetime.date(2025, 1, 10))
    schedules_refresh(today=TODAY)
    assert schedules_refresh(today=TODAY) == 0
    overdue_invoice(quiet, days_past_due=120)
    assert schedules_refresh(today=TODAY) == 1
    assert schedule(quiet).next_review_on == datetime.date(2025, 4, 10)
