"""Limits fixtures: a company in the sales department, its grade, and API clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from credfile.customers.models import Customer
from credfile.ratings.models import Rating, ScorecardVersion
from tests.api.conftest import api_for  # noqa: F401  (the bearer-token client fixture)
from tests.conftest import Personas
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def company(personas: Personas) -> Customer:
    return CustomerFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        external_code="ERP-4711",
        credit_code="91110000100000001X",
    )


def grade(customer: Customer, value: str, personas: Personas) -> Rating:
    """Put `value` in force as the customer's grade (as an approved rating would)."""
    version = ScorecardVersion.objects.filter(status="published").first()
    assert version is not None
    return Rating.objects.create(
        customer=customer,
        version=version,
        as_of="2026-11-30",
        score="50",
        score_grade=value,
        grade=value,
        basis={},
        status="approved",
        is_current=True,
        proposed_by=personas.credit_manager,
    )
