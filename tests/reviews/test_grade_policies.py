"""Review policies keyed on the grade in force: "grade B or below → every 3 months"."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from credfile.reviews.rules import cycle_for
from credfile.reviews.services import policy_create, schedules_refresh
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file, schedule
from tests.risk.conftest import grade, overdue

pytestmark = pytest.mark.django_db


def test_a_grade_policy_reviews_the_grade_and_every_worse_one_more_often(
    personas: Personas,
) -> None:
    policy_create(actor=personas.credit_manager, basis="grade", value="B", cycle_months=3)
    policy_create(actor=personas.credit_manager, basis="grade", value="CCC", cycle_months=1)
    day = datetime.date(2025, 1, 10)
    files = {g: make_file(personas, opened_on=day) for g in ("BB", "B", "CCC", "C")}
    for value, customer in files.items():
        grade(customer, value)
    unrated = make_file(personas, opened_on=day)

    schedules_refresh(today=TODAY)

    cycles = {g: schedule(c).cycle_months for g, c in files.items()}
    # The worst threshold a file meets decides: C meets both "B or below" and "CCC or below".
    assert cycles == {"BB": 12, "B": 3, "CCC": 1, "C": 1}
    assert schedule(files["B"]).next_review_on == datetime.date(2025, 4, 10)
    assert schedule(unrated).cycle_months == 12


def test_risk_comes_before_grade(personas: Personas) -> None:
    policy_create(actor=personas.credit_manager, basis="grade", value="B", cycle_months=6)
    risky = make_file(personas, opened_on=datetime.date(2025, 1, 10))
    grade(risky, "C")
    overdue(risky, "100", days=120)

    schedules_refresh(today=TODAY)

    assert (schedule(risky).risk, schedule(risky).cycle_months) == ("high", 3)


def test_the_cycle_of_one_file_agrees_with_the_sql() -> None:
    policies = [("risk", "high", 3), ("grade", "B", 6), ("grade", "CC", 2), ("default", "", 12)]
    assert cycle_for(policies, risk="normal", category="regular", grade="BB") == 12
    assert cycle_for(policies, risk="normal", category="regular", grade="B") == 6
    assert cycle_for(policies, risk="normal", category="regular", grade="C") == 2
    assert cycle_for(policies, risk="high", category="regular", grade="C") == 3
    assert cycle_for(policies, risk="normal", category="regular") == 12


def test_a_grade_policy_names_a_grade_of_the_scale(personas: Personas) -> None:
    with pytest.raises(ValidationError, match="Choose a grade"):
        policy_create(actor=personas.credit_manager, basis="grade", value="D", cycle_months=3)
    policy = policy_create(actor=personas.credit_manager, basis="grade", value="B", cycle_months=3)
    assert policy.description == "Grade B or below: reviewed every 3 months."


def test_a_credit_manager_adds_a_grade_policy_on_the_page(
    personas: Personas, client_for: object
) -> None:
    from django.urls import reverse

    from credfile.reviews.models import ReviewPolicy

    client = client_for(personas.credit_manager)  # type: ignore[operator]
    form = client.get(reverse("reviews:policies")).content.decode()
    assert '<option value="BBB">BBB</option>' in form
    answer = client.post(
        reverse("reviews:policies"),
        {"basis": "grade", "value": "BBB", "cycle_months": "6"},
        follow=True,
    )
    assert "Grade BBB or below: reviewed every 6 months." in answer.content.decode()
    assert ReviewPolicy.objects.filter(basis="grade", value="BBB", cycle_months=6).exists()
