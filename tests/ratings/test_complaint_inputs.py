"""The file's complaints as rating inputs: their values at the rating date, the value card
that counts them where configured, the basis that records them, and the batch's queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from credfile.complaints.services import complaint_create, complaint_transition
from credfile.customers.models import Customer
from credfile.ratings.cards import card_problems, score
from credfile.ratings.defaults import value_card, value_card_with_complaints
from credfile.ratings.display import source_text, value_text
from credfile.ratings.facts import rating_inputs
from credfile.ratings.inputs import INPUTS
from credfile.ratings.models import Rating
from credfile.ratings.services import rate_all, rating_propose
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 30)
D = Decimal


def _at(*parts: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))  # type: ignore[misc]


def _file(personas: Personas) -> Customer:
    return CustomerFactory(department=personas.sales, account_manager=personas.account_manager)


def _complaints(personas: Personas, customer: Customer) -> None:
    """Three complaints in the year to DAY: one resolved after 6 hours, one open past its
    deadline, one received after DAY (not counted); one from 2025-06, resolved."""
    actor = personas.account_manager

    def record(when: datetime.datetime, severity: str) -> object:
        return complaint_create(
            actor=actor,
            customer=customer,
            fields={"received_at": when, "severity": severity, "summary": "服务态度"},
        )

    resolved = record(_at(2026, 10, 1, 9), "high")
    complaint_transition(
        actor=actor, complaint=resolved, to="acknowledged", now=_at(2026, 10, 1, 10)
    )
    complaint_transition(
        actor=actor, complaint=resolved, to="resolved", resolution="致歉", now=_at(2026, 10, 1, 15)
    )
    record(_at(2026, 11, 20, 9), "critical")  # due 13:00 the same day, still open
    record(_at(2026, 12, 2, 9), "low")  # after DAY
    old = record(_at(2025, 6, 1, 9), "low")
    complaint_transition(actor=actor, complaint=old, to="acknowledged", now=_at(2025, 6, 1, 10))
    complaint_transition(
        actor=actor, complaint=old, to="resolved", resolution="致歉", now=_at(2025, 6, 2, 9)
    )


def test_the_complaint_inputs_are_the_files_figures_at_the_rating_date(
    personas: Personas,
) -> None:
    customer = _file(personas)
    _complaints(personas, customer)
    quiet = _file(personas)
    found = rating_inputs([customer, quiet], as_of=DAY)
    keys = ("complaints_12m", "open_complaints", "overdue_complaints", "median_resolution_hours")
    got = {k: found[customer.pk][k] for k in keys}
    assert {k: i.value for k, i in got.items()} == {
        "complaints_12m": 2,
        "open_complaints": 1,
        "overdue_complaints": 1,
        "median_resolution_hours": D("6.0"),
    }
    assert {(i.as_of, i.source) for i in got.values()} == {(DAY, "complaints")}
    # No complaints: counts of 0 (data, not missing), and no median.
    assert found[quiet.pk]["complaints_12m"].value == 0
    assert found[quiet.pk]["open_complaints"].value == 0
    assert "median_resolution_hours" not in found[quiet.pk]


def test_the_shipped_value_card_does_not_count_complaints(personas: Personas) -> None:
    customer = _file(personas)
    _complaints(personas, customer)
    rating = rating_propose(actor=personas.credit_manager, customer=customer, as_of=DAY)
    value = rating.basis["value"]
    assert value["card"] == "value"
    assert "complaints_12m" not in {f["key"] for f in value["factors"]}


def test_where_configured_the_value_rating_counts_complaints_in_its_basis(
    personas: Personas, settings
) -> None:
    settings.CREDFILE_VALUE_CARD_COMPLAINTS = True
    customer = _file(personas)
    _complaints(personas, customer)
    rating = rating_propose(actor=personas.credit_manager, customer=customer, as_of=DAY)
    value = rating.basis["value"]
    assert value["card"] == "value_complaints"
    factors = {f["key"]: f for f in value["factors"]}
    # Two complaints in the 12 months: (0, 2] → 3 of 5 points.
    assert factors["complaints_12m"] == {
        "key": "complaints_12m",
        "label": "",
        "value": "2",
        "as_of": "2026-11-30",
        "source": "complaints",
        "bin": "(0, 2]",
        "points": "3",
        "max_points": "5",
        "missing": False,
    }
    assert factors["purchase_recency"]["max_points"] == "10"
    assert value["max_score"] == "100"
    # The batch records the same basis.
    rate_all(actor=personas.credit_manager, as_of=DAY, scope=None)
    batch = Rating.objects.filter(customer=customer).order_by("-pk").first()
    assert batch is not None
    assert {f["key"]: f for f in batch.basis["value"]["factors"]}["complaints_12m"]["value"] == "2"


def test_the_value_card_with_complaints_keeps_the_shipped_weights_but_recency() -> None:
    shipped, counted = value_card(), value_card_with_complaints()
    assert not card_problems(counted, known_inputs=list(INPUTS))
    assert shipped.max_score == counted.max_score == 100
    weights = {f.key: f.max_points for f in counted.factors}
    assert weights == {
        "profit_contribution": 40,
        "relationship_years": 10,
        "purchase_recency": 10,
        "complaints_12m": 5,
        "sales_growth": 20,
        "share_of_wallet": 15,
    }
    from credfile.ratings.cards import Input

    points = {
        n: score(counted, {"complaints_12m": Input(n)}).factors[3].points
        for n in (0, 1, 2, 3, 5, 6)
    }
    assert points == {0: 5, 1: 3, 2: 3, 3: 1, 5: 1, 6: 0}


def test_a_credit_card_may_read_the_complaint_inputs() -> None:
    from dataclasses import replace

    from credfile.ratings.defaults import _numeric, company_card

    card = company_card()
    extra = _numeric("open_complaints", 4, "right", (None, "0", 4), ("0", None, 0))
    edited = replace(card, factors=(*card.factors, extra))
    assert card_problems(edited, known_inputs=list(INPUTS)) == []


def test_the_inputs_read_in_the_readers_language() -> None:
    with translation.override("zh-hans"):
        assert value_text("median_resolution_hours", "6.0") == "6.0 小时"
        assert value_text("open_complaints", "3") == "3"
        assert source_text("complaints", "2026-11-30") == "截至 2026-11-30 的投诉记录"
        assert str(INPUTS["complaints_12m"].label) == "收到的投诉（近 12 个月）"


def test_the_batch_reads_complaints_with_a_fixed_number_of_queries(
    personas: Personas, settings
) -> None:
    settings.CREDFILE_VALUE_CARD_COMPLAINTS = True

    def queries(files: int) -> int:
        customers = []
        for _n in range(files):
            customer = _file(personas)
            _complaints(personas, customer)
            customers.append(customer)
        with CaptureQueriesContext(connection) as captured:
            rating_inputs(customers, as_of=DAY)
        complaint_reads = [q for q in captured if "complaints_complaint" in q["sql"]]
        assert len(complaint_reads) == 1
        return len(captured)

    assert queries(1) == queries(6)


def test_where_ratings_read_complaints_a_new_complaint_is_an_occasion_to_rerate(
    personas: Personas, settings
) -> None:
    from credfile.ratings.services import files_to_rerate, rating_decide, rerate_changed
    from tests.factories import UserFactory

    customer = _file(personas)
    proposal = rating_propose(actor=personas.credit_manager, customer=customer, as_of=DAY)
    checker = UserFactory(username="he.jun", role="credit_manager", department=None)
    rating_decide(actor=checker, rating=proposal, approve=True)
    complaint_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"received_at": timezone.now(), "severity": "low", "summary": "服务态度"},
    )
    # The shipped cards do not read complaints: nothing to re-rate.
    assert files_to_rerate() == {}
    settings.CREDFILE_VALUE_CARD_COMPLAINTS = True
    assert files_to_rerate() == {customer.pk: "complaints"}
    assert rerate_changed()["rated"] == 1
    latest = Rating.objects.filter(customer=customer).order_by("-pk").first()
    assert latest is not None and latest.trigger == "complaints"
    factors = {f["key"]: f for f in latest.basis["value"]["factors"]}
    assert factors["complaints_12m"]["value"] == "1"
    assert files_to_rerate() == {}
