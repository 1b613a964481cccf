"""Rating a file: its inputs from the file, the proposal, maker ≠ checker, consent, and the
batch."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.consent.models import Consent
from credfile.customers.models import Customer
from credfile.financials.services import financial_statement_create
from credfile.ratings.choices import RatingStatus
from credfile.ratings.models import Rating
from credfile.ratings.services import RatingRefused, rate_all, rating_decide, rating_propose
from credfile.transactions.services import invoice_create, payment_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 30)
D = Decimal


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _statement(personas: Personas, company: Customer, year: int, **lines: str) -> None:
    fields = {
        "period_type": "annual",
        "period_end": datetime.date(year, 12, 31),
        "currency": "CNY",
        "current_assets": D("600"),
        "inventory": D("100"),
        "accounts_receivable": D("150"),
        "total_assets": D("1000"),
        "current_liabilities": D("300"),
        "total_liabilities": D("500"),
        "equity": D("500"),
        "revenue": D("2000"),
        "cost_of_sales": D("1500"),
        "interest_expense": D("10"),
        "profit_before_tax": D("130"),
        "net_profit": D("100"),
        "cash_from_sales": D("2100"),
    }
    fields.update({k: D(v) for k, v in lines.items()})
    financial_statement_create(actor=personas.account_manager, customer=company, fields=fields)


@pytest.fixture
def company(personas: Personas) -> Customer:
    company = CustomerFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        established_on=datetime.date(2012, 5, 1),
    )
    _statement(personas, company, 2024, revenue="1800")
    _statement(personas, company, 2025)
    # Paid 10 days late: days beyond terms 10, payment index 80 − 10 × 10/15 = 73.3.
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=company,
        fields={
            "number": "FP-1",
            "issue_date": datetime.date(2026, 8, 1),
            "due_date": datetime.date(2026, 9, 1),
            "amount": D("1000"),
            "currency": "CNY",
        },
    )
    payment_create(
        actor=personas.account_manager,
        customer=company,
        fields={"received_on": datetime.date(2026, 9, 11), "amount": D("1000"), "currency": "CNY"},
        allocations=[(invoice.pk, D("1000"))],
    )
    return company


ASSESSED = {
    "management_quality": "good",
    "security": "none",
    "negative_records": "none",
    "dishonest_debtor": "no",
}


def test_a_company_is_rated_factor_by_factor_from_its_file(
    personas: Personas, company: Customer
) -> None:
    rating = rating_propose(
        actor=personas.account_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    factors = {f["key"]: f for f in rating.basis["factors"]}
    # Debt ratio 500 / 1000 = 50 %: (40, 55] → 8 points, from the 2025 statement.
    assert (factors["debt_ratio"]["value"], factors["debt_ratio"]["points"]) == ("0.5000", "8")
    assert factors["debt_ratio"]["as_of"] == "2025-12-31"
    # Current ratio 600 / 300 = 2.0 → 7; quick (600 − 100) / 300 = 1.67 → 5.
    assert factors["current_ratio"]["points"] == "7"
    assert factors["quick_ratio"]["points"] == "5"
    # Interest cover (130 + 10) / 10 = 14 → 6; net margin 100 / 2000 = 5 % → 5.
    assert (factors["interest_cover"]["points"], factors["net_margin"]["points"]) == ("6", "5")
    # ROE 100 / 500 = 20 % → 6; revenue growth 2000 / 1800 − 1 = 11.1 % → 3.
    assert (factors["roe"]["points"], factors["revenue_growth"]["points"]) == ("6", "3")
    # Receivable turnover 2000 / 150 = 13.3 → 4; inventory 1500 / 100 = 15 → 4;
    # cash content 2100 / 2000 = 105 % → 4.
    assert factors["receivable_turnover"]["points"] == "4"
    assert factors["inventory_turnover"]["points"] == "4"
    assert factors["cash_content_of_sales"]["points"] == "4"
    # Paid 10 days late: payment index 73.3 → 9; most days beyond terms 10 → 4.
    assert (factors["payment_index"]["value"], factors["payment_index"]["points"]) == ("73.3", "9")
    assert factors["max_days_beyond_terms"]["points"] == "4"
    # 14.58 years in business → 4; industry C at the table's medium → 2.
    assert (factors["years_in_business"]["points"], factors["industry_risk"]["points"]) == (
        "4",
        "2",
    )
    assert factors["management_quality"]["points"] == "3"
    assert factors["security"]["points"] == "0"
    assert factors["negative_records"]["points"] == "6"
    total = 8 + 7 + 5 + 6 + 5 + 6 + 4 + 4 + 4 + 9 + 4 + 6 + 4 + 3 + 2 + 3 + 0
    assert rating.score == total == 80
    assert (rating.grade, rating.status, rating.is_current) == ("AA", RatingStatus.PROPOSED, False)
    assert rating.missing == 0 and rating.basis["caps"] == []
    assert rating.basis["assessed"] == ASSESSED
    event = AuditEvent.objects.get(object_type="ratings.rating")
    assert event.customer_id == company.pk and event.after["grade"] == "AA"


def test_a_first_or_changed_grade_waits_for_another_credit_manager(
    personas: Personas, company: Customer
) -> None:
    proposal = rating_propose(
        actor=personas.credit_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    with pytest.raises(PermissionDenied, match="approved by another credit manager"):
        rating_decide(actor=personas.credit_manager, rating=proposal, approve=True)
    for other in (personas.department_head, personas.executive, personas.account_manager):
        with pytest.raises(PermissionDenied):
            rating_decide(actor=other, rating=proposal, approve=True)
    from tests.factories import UserFactory

    checker = UserFactory(username="he.jun", role="credit_manager", department=None)
    with pytest.raises(ValidationError):
        rating_decide(actor=checker, rating=proposal, approve=False, note=" ")
    approved = rating_decide(actor=checker, rating=proposal, approve=True)
    assert (approved.status, approved.is_current, approved.decided_by) == (
        RatingStatus.APPROVED,
        True,
        checker,
    )
    # The same grade again: in force at once, the assessment carried over.
    again = rating_propose(actor=personas.account_manager, customer=company, as_of=DAY)
    assert (again.grade, again.status, again.is_current) == ("AA", RatingStatus.APPROVED, True)
    assert again.basis["assessed"] == ASSESSED
    assert Rating.objects.filter(customer=company, is_current=True).get() == again
    # A changed grade waits; the one in force stays until it is approved.
    worse = rating_propose(
        actor=personas.account_manager,
        customer=company,
        assessed={"dishonest_debtor": "yes"},
        as_of=DAY,
    )
    assert (worse.grade, worse.status, worse.previous_grade) == ("CCC", "proposed", "AA")
    assert [c["key"] for c in worse.basis["caps"]] == ["dishonest_debtor"]
    assert Rating.objects.get(customer=company, is_current=True) == again


def test_only_whoever_may_change_the_file_or_a_credit_manager_rates(
    personas: Personas, company: Customer
) -> None:
    for outsider in (personas.outsider, personas.executive, personas.auditor, personas.colleague):
        with pytest.raises(PermissionDenied):
            rating_propose(actor=outsider, customer=company, as_of=DAY)
    assert not Rating.objects.exists()


def test_an_individual_is_rated_only_with_consent(personas: Personas) -> None:
    person = IndividualFactory(department=personas.sales, account_manager=personas.account_manager)
    with pytest.raises(RatingRefused, match="no valid consent to “Credit assessment”"):
        rating_propose(actor=personas.account_manager, customer=person, as_of=DAY)
    Consent.objects.create(
        customer=person,
        purpose="credit_assessment",
        scope="信用评估",
        channel="paper",
        given_on=datetime.date(2026, 1, 1),
        evidence="box 1",
        recorded_by=personas.account_manager,
    )
    rating = rating_propose(actor=personas.account_manager, customer=person, as_of=DAY)
    assert rating.basis["version"]["card"] == "individual"
    # No income, no payments on file: each flagged missing at its lowest bin.
    missing = {f["key"] for f in rating.basis["factors"] if f["missing"]}
    assert {"annual_income", "debt_to_income", "payment_index"} <= missing


def test_an_unknown_assessed_value_is_named(personas: Personas, company: Customer) -> None:
    with pytest.raises(ValidationError) as caught:
        rating_propose(
            actor=personas.account_manager,
            customer=company,
            assessed={"security": "gold"},
            as_of=DAY,
        )
    assert caught.value.message_dict == {
        "security": ["Choose one of: bank_guarantee, mortgage, third_party, none."]
    }


def test_rate_all_rates_every_file_in_batches(
    personas: Personas, company: Customer, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _n in range(5):
        CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    person = IndividualFactory(department=personas.sales, account_manager=personas.account_manager)
    with pytest.raises(PermissionDenied):
        rate_all(actor=personas.department_head, as_of=DAY)
    seen = []
    with django_assert_max_num_queries(40):
        result = rate_all(
            actor=personas.credit_manager, as_of=DAY, progress=lambda d, t: seen.append((d, t))
        )
    assert (result.rated, result.proposed, result.unchanged, result.no_consent) == (6, 6, 0, 1)
    assert seen == [(7, 7)]
    assert not Rating.objects.filter(customer=person).exists()
    assert AuditEvent.objects.filter(object_type="ratings.rating").count() == 6
    # The company's batch rating equals its rating on request.
    batch = Rating.objects.get(customer=company)
    single = rating_propose(actor=personas.credit_manager, customer=company, as_of=DAY)
    assert (batch.score, batch.grade) == (single.score, single.grade)
    assert Rating.objects.get(pk=batch.pk).status == RatingStatus.REJECTED  # replaced


def test_batch_ratings_go_in_as_values_not_one_text_array_per_column(
    personas: Personas, company: Customer
) -> None:
    """The bases are large: sent as one array literal, psycopg escapes them in Python."""
    CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    with CaptureQueriesContext(connection) as queries:
        result = rate_all(actor=personas.credit_manager, as_of=DAY)
    assert result.rated == 2
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "ratings_rating"')]
    assert len(inserts) == 1
    assert "UNNEST" not in inserts[0]
    assert Rating.objects.get(customer=company).basis["card"]


def test_the_daily_job_rerates_files_whose_data_changed(
    personas: Personas, company: Customer
) -> None:
    from tests.factories import UserFactory

    proposal = rating_propose(
        actor=personas.credit_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    checker = UserFactory(username="he.jun", role="credit_manager", department=None)
    rating_decide(actor=checker, rating=proposal, approve=True)
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    from credfile.ratings.services import files_to_rerate, rerate_changed
    from credfile.reviews.jobs import run_due

    assert files_to_rerate() == {}
    # A new statement with a loss: the file is re-rated on it; the loss caps the grade at A
    # and costs the margin, ROE and interest cover points (BBB by score).
    _statement(personas, company, 2026, net_profit="-10", profit_before_tax="-10")
    assert files_to_rerate() == {company.pk: "statements"}
    [outcome] = run_due(only=["ratings.refresh"], today=datetime.date(2027, 1, 31))
    assert outcome.summary == {"rated": 1, "unchanged": 0, "proposed": 1}
    new = Rating.objects.get(customer=company, status="proposed")
    assert (new.trigger, new.proposed_by, new.grade) == ("statements", None, "BBB")
    assert [c["key"] for c in new.basis["caps"]] == ["loss_this_year"]
    assert new.basis["assessed"] == ASSESSED
    # The unrated file is left to a credit manager; nothing is due again.
    assert not Rating.objects.filter(customer=other).exists()
    assert files_to_rerate() == {}
    assert rerate_changed()["rated"] == 0


def test_the_customer_value_is_rated_with_the_credit_grade(
    personas: Personas, company: Customer
) -> None:
    from credfile.ratings.display import strategy

    Customer.objects.filter(pk=company.pk).update(profit_class="B")
    company.refresh_from_db()
    rating = rating_propose(
        actor=personas.account_manager,
        customer=company,
        assessed={**ASSESSED, "share_of_wallet": "main"},
        as_of=DAY,
    )
    value = {f["key"]: f for f in rating.basis["value"]["factors"]}
    # Profit class B 28; the last invoice 2026-08-01 is 121 days before → 5; one year of
    # sales only (no growth figure) → lowest bin 0, flagged; main supplier 10; the file
    # opened today → 1.
    assert value["profit_contribution"]["points"] == "28"
    assert (value["purchase_recency"]["value"], value["purchase_recency"]["points"]) == ("121", "5")
    assert value["sales_growth"]["missing"] is True
    assert value["share_of_wallet"]["points"] == "10"
    assert value["relationship_years"]["points"] == "1"
    assert (rating.value_score, rating.value_grade) == (44, "C")
    assert strategy("C", "AA") == "Maintain: standard terms."
    assert strategy("A", "B") == "Keep secured: guarantees, insurance or shorter terms."
