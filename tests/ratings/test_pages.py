"""The ratings section of the file page: rate, see the basis factor by factor, approve."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from credfile.customers.models import Customer
from credfile.ratings.models import Rating
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.ratings.test_services import ASSESSED, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_rate_then_approve_from_the_file_page(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    section = reverse("customers:section", args=[company.pk, "ratings"])
    manager = client_for(personas.account_manager)
    html = manager.get(section).content.decode()
    assert 'id="rating-none"' in html and 'id="rating-propose"' in html
    answer = manager.post(
        reverse("customer-ratings:propose", args=[company.pk]), ASSESSED, follow=True
    )
    html = answer.content.decode()
    rating = Rating.objects.get()
    assert "the grade waits for another credit manager&#x27;s approval" in html
    assert 'id="rating-proposal"' in html and 'id="rating-decision"' not in html
    assert '<tr data-factor="debt_ratio">' in html
    assert "<td>Debt ratio</td>" in html and "50.0 %" in html and "(40 %, 55 %]" in html
    # The proposer cannot approve; another credit manager can, from the list or the file.
    proposer = client_for(personas.credit_manager)
    listed = proposer.get(reverse("ratings:waiting")).content.decode()
    assert f'data-rating="{rating.pk}"' in listed and "ratings:decide" not in listed
    checker = client_for(UserFactory(username="he.jun", role="credit_manager", department=None))
    assert 'id="rating-decision"' in checker.get(section).content.decode()
    done = checker.post(
        reverse("ratings:decide", args=[rating.pk]), {"decision": "approve"}, follow=True
    )
    html = done.content.decode()
    assert "Grade AA approved and in force." in html
    assert 'id="grade-in-force"' in html and 'id="header-grade"' in html
    # No second decision: the proposal is no longer waiting.
    again = checker.post(reverse("ratings:decide", args=[rating.pk]), {"decision": "reject"})
    assert again.status_code == 404


def test_the_section_in_chinese(personas: Personas, company: Customer, client_for: Any) -> None:  # noqa: F811
    client = client_for(personas.account_manager, "zh-hans")
    client.post(reverse("customer-ratings:propose", args=[company.pk]), ASSESSED)
    html = client.get(reverse("customers:section", args=[company.pk, "ratings"])).content.decode()
    assert "资产负债率" in html and "评级依据" in html


def test_outside_the_scope_the_rating_routes_are_not_found(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    outsider = client_for(personas.outsider)
    url = reverse("customer-ratings:propose", args=[company.pk])
    assert outsider.post(url, ASSESSED).status_code == 404
    # The executive sees the file and its rating, and may not rate.
    executive = client_for(personas.executive)
    assert executive.post(url, ASSESSED).status_code == 404
    html = executive.get(reverse("customers:section", args=[company.pk, "ratings"])).content
    assert b'id="rating-propose"' not in html
    assert not Rating.objects.exists()


def test_the_value_matrix_counts_the_ratings_in_force(
    personas: Personas,
    company: Customer,  # noqa: F811
    client_for: Any,
) -> None:
    proposal = Rating.objects.none()
    from credfile.ratings.services import rating_decide, rating_propose
    from tests.ratings.test_services import DAY

    proposal = rating_propose(
        actor=personas.credit_manager, customer=company, assessed=ASSESSED, as_of=DAY
    )
    checker = UserFactory(username="he.jun", role="credit_manager", department=None)
    rating_decide(actor=checker, rating=proposal, approve=True)
    page = client_for(personas.credit_manager).get(reverse("ratings:matrix")).content.decode()
    cell = f'data-cell="AA-{proposal.value_grade}"'
    assert cell in page and "1 file with a rating in force" in page
    section = client_for(personas.account_manager).get(
        reverse("customers:section", args=[company.pk, "ratings"])
    )
    assert 'id="value-strategy"' in section.content.decode()
    assert client_for(personas.auditor).get(reverse("ratings:matrix")).status_code == 404
