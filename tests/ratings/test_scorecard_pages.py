"""Editing a card makes a new version, published by another credit manager; old ratings keep
theirs. The industry-risk table, dated."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from credfile.customers.models import Customer
from credfile.ratings.models import IndustryRisk, Rating, ScorecardVersion
from credfile.ratings.services import rating_propose
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.ratings.test_services import ASSESSED, DAY, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _company_v1() -> ScorecardVersion:
    return ScorecardVersion.objects.get(scorecard__key="company", number=1)


def _form_data(client: Any, version: ScorecardVersion) -> dict[str, str]:
    form = client.get(reverse("ratings:scorecard-new", args=[version.pk])).context["form"]
    return {name: str(form[name].value()) for name in form.fields if name != "note"}


def test_a_changed_card_is_a_new_version_published_by_another(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    old = rating_propose(
        actor=personas.credit_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    v1 = _company_v1()
    author = client_for(personas.credit_manager)
    data = _form_data(author, v1)
    # Unchanged: refused, nothing saved.
    same = author.post(reverse("ratings:scorecard-new", args=[v1.pk]), {**data, "note": "x"})
    assert same.status_code == 422
    assert "Nothing changed: this is the card as it is." in same.content.decode()
    # A gap between bins is named with the factor.
    gapped = {**data, "bins_current_ratio": "2.0 - 7\n1.5 1.9 6\n- 1.5 0", "note": "试"}
    answer = author.post(reverse("ratings:scorecard-new", args=[v1.pk]), gapped)
    assert answer.status_code == 422
    assert "Current ratio: no bin between 1.9 and 2." in answer.content.decode()
    bad_line = {**data, "bins_current_ratio": "2.0 seven", "note": "试"}
    answer = author.post(reverse("ratings:scorecard-new", args=[v1.pk]), bad_line)
    assert "Line 1: write “lower upper points”, with - for no bound." in answer.content.decode()
    assert ScorecardVersion.objects.count() == 2
    # Security worth 10 instead of 8, current ratio 5 instead of 7: still 100 in all.
    changed = {
        **data,
        "max_security": "10",
        "bins_security": "bank_guarantee 10\nmortgage 7\nthird_party 4\nnone 0",
        "max_current_ratio": "5",
        "bins_current_ratio": "2.0 - 5\n1.5 2.0 4\n1.2 1.5 3\n1.0 1.2 1\n- 1.0 0",
        "note": "担保权重上调",
    }
    saved = author.post(reverse("ratings:scorecard-new", args=[v1.pk]), changed, follow=True)
    assert "Version 2 saved; another credit manager publishes it." in saved.content.decode()
    v2 = ScorecardVersion.objects.get(number=2, scorecard__key="company")
    assert v2.status == "pending" and v2.card.max_score == 100
    # The author cannot publish; another credit manager can.
    assert author.post(reverse("ratings:scorecard-publish", args=[v2.pk])).status_code == 404
    checker = client_for(UserFactory(username="he.jun", role="credit_manager", department=None))
    checker.post(reverse("ratings:scorecard-publish", args=[v2.pk]))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "published")
    # New ratings use version 2; the old one keeps version 1.
    new = rating_propose(actor=personas.credit_manager, customer=company, as_of=DAY)
    assert new.version == v2 and Rating.objects.get(pk=old.pk).version == v1
    factors = {f["key"]: f for f in new.basis["factors"]}
    assert (
        factors["current_ratio"]["points"] == "5" and factors["current_ratio"]["max_points"] == "5"
    )


def test_others_read_the_cards_but_do_not_edit_them(personas: Personas, client_for: Any) -> None:
    v1 = _company_v1()
    manager = client_for(personas.account_manager)
    page = manager.get(reverse("ratings:scorecard-version", args=[v1.pk])).content.decode()
    assert '<tr data-factor="debt_ratio">' in page and 'id="new-version"' not in page
    assert manager.get(reverse("ratings:scorecard-new", args=[v1.pk])).status_code == 404
    listed = manager.get(reverse("ratings:scorecards")).content.decode()
    assert f'data-version="{v1.pk}"' in listed


def test_the_industry_risk_table_is_dated(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    client = client_for(personas.credit_manager)
    data = {"industry": "C", "level": "high", "valid_from": "2026-06-01", "basis": "产能过剩"}
    assert client.post(reverse("ratings:industry-risk"), data).status_code == 302
    again = client.post(reverse("ratings:industry-risk"), data)
    assert "This industry has a level from this date already." in again.content.decode()
    no_basis = client.post(
        reverse("ratings:industry-risk"), {**data, "valid_from": "2026-07-01", "basis": ""}
    )
    assert no_basis.status_code == 422
    # A rating before the date reads the old level, after it the new one.
    before = rating_propose(
        actor=personas.credit_manager, customer=company, as_of=datetime.date(2026, 5, 31)
    )
    after = rating_propose(actor=personas.credit_manager, customer=company, as_of=DAY)
    level = {
        r.pk: next(f for f in r.basis["factors"] if f["key"] == "industry_risk")
        for r in (before, after)
    }
    assert (level[before.pk]["value"], level[before.pk]["points"]) == ("medium", "2")
    assert (level[after.pk]["value"], level[after.pk]["points"]) == ("high", "0")
    assert level[after.pk]["as_of"] == "2026-06-01"
    assert (
        client_for(personas.department_head)
        .post(reverse("ratings:industry-risk"), data)
        .status_code
        == 404
    )
    assert IndustryRisk.objects.filter(industry="C").count() == 2
