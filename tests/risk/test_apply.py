"""Applying the risk rules to every file: conditions at their boundaries, the watch list
kept idempotent, entries cleared, the audit trail, blocked credit, reviews brought forward."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credfile.audit.models import AuditEvent
from credfile.reviews.models import ReviewSchedule
from credfile.reviews.services import review_submit, schedules_refresh
from credfile.risk.choices import WatchStatus
from credfile.risk.models import RiskRule, WatchEntry
from credfile.risk.selectors import blocked
from credfile.risk.services import rule_update, rules_apply
from tests.conftest import Personas
from tests.risk.conftest import TODAY, file_of, grade, overdue, paid_late, rule

pytestmark = pytest.mark.django_db


def watched(rule_: RiskRule) -> set[int]:
    return set(
        WatchEntry.objects.filter(rule=rule_, status=WatchStatus.ACTIVE).values_list(
            "customer_id", flat=True
        )
    )


def test_grade_at_or_below_includes_the_grade_and_every_worse_one(personas: Personas) -> None:
    ccc_or_below = rule(personas, grade_at_or_below="CCC")
    files = {g: file_of(personas) for g in ("B", "CCC", "CC", "C")}
    for value, customer in files.items():
        grade(customer, value)
    unrated = file_of(personas)

    rules_apply(as_of=TODAY)

    assert watched(ccc_or_below) == {files["CCC"].pk, files["CC"].pk, files["C"].pk}
    assert unrated.pk not in watched(ccc_or_below)
    entry = WatchEntry.objects.get(customer=files["CC"], rule=ccc_or_below)
    assert entry.reasons == [{"condition": "grade", "value": "CC", "threshold": "CCC"}]
    assert entry.since == TODAY


def test_overdue_90_counts_only_invoices_more_than_90_days_past_due_above_the_amount(
    personas: Personas,
) -> None:
    over = rule(personas, overdue_90_above=Decimal("1000.00"))
    at_90 = file_of(personas)
    overdue(at_90, "5000.00", days=90)  # 90 days is not more than 90
    at_91 = file_of(personas)
    overdue(at_91, "1000.01", days=91)
    exactly = file_of(personas)
    overdue(exactly, "1000.00", days=120)  # not above the amount

    rules_apply(as_of=TODAY)

    assert watched(over) == {at_91.pk}
    [reason] = WatchEntry.objects.get(customer=at_91).reasons
    assert reason == {
        "condition": "overdue_90",
        "value": "1000.01",
        "currency": "CNY",
        "threshold": "1000.00",
    }


def test_overdue_amounts_are_compared_per_currency(personas: Personas) -> None:
    any_currency = rule(personas, overdue_90_above=Decimal("800"))
    in_usd = rule(personas, overdue_90_above=Decimal("800"), overdue_currency="USD")
    split = file_of(personas)  # 1,200 in all, but 600 in each currency
    overdue(split, "600", days=100, currency="CNY")
    overdue(split, "600", days=100, currency="USD")
    yuan = file_of(personas)
    overdue(yuan, "900", days=100, currency="CNY")

    rules_apply(as_of=TODAY)

    assert watched(any_currency) == {yuan.pk}
    assert watched(in_usd) == set()


def test_days_beyond_terms_above_n(personas: Personas) -> None:
    slow = rule(personas, max_dbt_above=30)
    at_30 = file_of(personas)
    paid_late(personas, at_30, days=30)
    at_31 = file_of(personas)
    paid_late(personas, at_31, days=31)

    rules_apply(as_of=TODAY)

    assert watched(slow) == {at_31.pk}


def test_a_rating_cap_and_every_condition_of_a_rule_must_hold(personas: Personas) -> None:
    both = rule(personas, rating_cap="dishonest_debtor", grade_at_or_below="CCC")
    capped = file_of(personas)
    grade(capped, "CCC", caps=("dishonest_debtor",))
    capped_but_good = file_of(personas)
    grade(capped_but_good, "BB", caps=("dishonest_debtor",))
    other_cap = file_of(personas)
    grade(other_cap, "C", caps=("insolvent",))

    rules_apply(as_of=TODAY)

    assert watched(both) == {capped.pk}
    reasons = WatchEntry.objects.get(customer=capped).reasons
    assert {r["condition"] for r in reasons} == {"grade", "cap"}


def test_applying_again_changes_nothing_and_records_nothing(personas: Personas) -> None:
    rule(personas, grade_at_or_below="C", block_credit=True, review_within_months=1)
    customer = file_of(personas)
    grade(customer, "C")
    first = rules_apply(as_of=TODAY)
    events = AuditEvent.objects.count()
    review_on = ReviewSchedule.objects.get(customer_id=customer.pk).next_review_on

    second = rules_apply(as_of=TODAY + datetime.timedelta(days=1))

    assert (first.added, second.added, second.cleared, second.kept) == (1, 0, 0, 1)
    assert WatchEntry.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert ReviewSchedule.objects.get(customer_id=customer.pk).next_review_on == review_on


def test_an_entry_whose_condition_no_longer_holds_is_cleared_and_kept(personas: Personas) -> None:
    poor = rule(personas, grade_at_or_below="CCC", block_credit=True)
    customer = file_of(personas)
    grade(customer, "CC")
    rules_apply(as_of=TODAY)
    assert blocked([customer.pk]) == {customer.pk}

    grade(customer, "BB")  # re-rated better
    later = TODAY + datetime.timedelta(days=7)
    result = rules_apply(as_of=later)

    entry = WatchEntry.objects.get(customer=customer, rule=poor)
    assert (result.cleared, entry.status, entry.cleared_on) == (1, "cleared", later)
    assert entry.cleared_at is not None
    assert blocked([customer.pk]) == set()
    event = AuditEvent.objects.filter(object_type="risk.watchentry").order_by("-seq").first()
    assert event is not None and event.customer_id == customer.pk
    assert event.after["status"] == "cleared"
    # Meeting the rule again is a new entry; the old one stays in the history.
    grade(customer, "C")
    rules_apply(as_of=later + datetime.timedelta(days=1))
    assert WatchEntry.objects.filter(customer=customer).count() == 2
    assert watched(poor) == {customer.pk}


def test_a_deactivated_rule_clears_its_entries(personas: Personas) -> None:
    poor = rule(personas, grade_at_or_below="CCC")
    customer = file_of(personas)
    grade(customer, "C")
    rules_apply(as_of=TODAY)
    rule_update(actor=personas.credit_manager, rule=poor, fields={"is_active": False})

    rules_apply(as_of=TODAY)

    assert watched(poor) == set()


def test_each_new_entry_is_an_audit_event_of_its_file(personas: Personas) -> None:
    poor = rule(personas, grade_at_or_below="CCC")
    customers = [file_of(personas) for _ in range(3)]
    for customer in customers:
        grade(customer, "CCC")

    rules_apply(as_of=TODAY)

    events = AuditEvent.objects.filter(object_type="risk.watchentry", action="create")
    assert sorted(e.customer_id for e in events) == sorted(c.pk for c in customers)
    assert all(e.after["rule_name"] == poor.name for e in events)


def test_blocked_reads_only_rules_that_block(personas: Personas) -> None:
    rule(personas, grade_at_or_below="CCC", block_credit=True)
    rule(personas, overdue_90_above=Decimal("0"))
    poor = file_of(personas)
    grade(poor, "CCC")
    late = file_of(personas)
    overdue(late, "10", days=95)
    fine = file_of(personas)
    rules_apply(as_of=TODAY)

    assert blocked([poor.pk, late.pk, fine.pk]) == {poor.pk}
    assert blocked([]) == set()


def test_a_review_is_brought_forward_and_not_pushed_back(personas: Personas) -> None:
    rule(personas, grade_at_or_below="CCC", review_within_months=1)
    distant = file_of(personas, opened_on=datetime.date(2025, 5, 1))  # next review 2026-05-01
    grade(distant, "C")
    soon = file_of(personas, opened_on=datetime.date(2024, 7, 1))  # next review 2025-07-01
    grade(soon, "C")

    result = rules_apply(as_of=TODAY)

    assert result.reviews_brought_forward == 1
    moved = ReviewSchedule.objects.get(customer_id=distant.pk)
    assert moved.next_review_on == datetime.date(2025, 7, 16)
    assert ReviewSchedule.objects.get(customer_id=soon.pk).next_review_on == datetime.date(
        2025, 7, 1
    )
    event = AuditEvent.objects.get(object_type="reviews.reviewschedule", customer_id=distant.pk)
    assert event.after == {
        "next_review_on": "2025-07-16",
        "was": "2026-05-01",
        "reason": "risk rule",
    }
    # The daily recomputation keeps the earlier date; a completed review ends it.
    schedules_refresh(today=TODAY)
    assert ReviewSchedule.objects.get(customer_id=distant.pk).next_review_on == datetime.date(
        2025, 7, 16
    )
    review_submit(
        actor=personas.account_manager,
        customer=distant,
        findings="checked",
        conclusion="satisfactory",
        today=datetime.date(2025, 7, 10),
    )
    assert ReviewSchedule.objects.get(customer_id=distant.pk).next_review_on == datetime.date(
        2026, 7, 10
    )


def test_the_shipped_rules(personas: Personas) -> None:
    RiskRule.objects.update(is_active=True)
    poor = file_of(personas)
    grade(poor, "CCC")
    late = file_of(personas)
    overdue(late, "0.01", days=91)

    rules_apply(as_of=TODAY)

    assert blocked([poor.pk, late.pk]) == {poor.pk}
    assert WatchEntry.objects.filter(customer=late, status="active").count() == 1
    assert ReviewSchedule.objects.get(customer_id=late.pk).next_review_on == datetime.date(
        2025, 7, 16
    )


def test_only_credit_managers_change_rules_and_a_rule_needs_a_condition(
    personas: Personas,
) -> None:
    with pytest.raises(PermissionDenied):
        rule_create_as(personas.department_head)
    with pytest.raises(ValidationError) as error:
        rule(personas, block_credit=True)
    assert "Set at least one condition." in str(error.value)
    with pytest.raises(ValidationError):
        rule(personas, grade_at_or_below="X")
    with pytest.raises(ValidationError):
        rule(personas, max_dbt_above=10, review_within_months=25)


def rule_create_as(user: object) -> None:
    from credfile.risk.services import rule_create

    rule_create(actor=user, fields={"name": "x", "grade_at_or_below": "C"})  # type: ignore[arg-type]


def test_a_rule_edit_is_audited_with_before_and_after(personas: Personas) -> None:
    poor = rule(personas, grade_at_or_below="CCC")
    rule_update(actor=personas.credit_manager, rule=poor, fields={"grade_at_or_below": "B"})
    event = AuditEvent.objects.filter(object_type="risk.riskrule", action="update").get()
    assert event.before == {"grade_at_or_below": "CCC", "version": 1}
    assert event.after == {"grade_at_or_below": "B", "version": 2}


def test_applying_reads_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    rule(personas, grade_at_or_below="CCC", review_within_months=1, block_credit=True)
    rule(personas, overdue_90_above=Decimal("0"))
    rule(personas, max_dbt_above=10)
    rule(personas, rating_cap="dishonest_debtor")
    for n in range(12):
        customer = file_of(personas)
        grade(customer, "C", caps=("dishonest_debtor",) if n % 2 else ())
        overdue(customer, "100", days=100)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        result = rules_apply(as_of=TODAY)
    assert result.added == 12 + 12 + 6  # no file paid late, so the fourth rule holds for none
