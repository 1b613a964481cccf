"""Change request fixtures: files opened through the services, a second department head."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.customers.services import customer_create
from tests.api.conftest import api_for  # noqa: F401 — the API tests' fixture, used here too
from tests.conftest import Personas
from tests.factories import UserFactory, resident_id


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever translations are compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def second_head(personas: Personas) -> User:
    """Another department head of the sales department."""
    user = UserFactory(username="zhang.min", role="department_head", department=personas.sales)
    assert isinstance(user, User)
    return user


@pytest.fixture
def person(personas: Personas) -> Customer:
    """An individual in sales, managed by the account manager, opened through the service."""
    return customer_create(
        actor=personas.account_manager,
        fields={"kind": "individual", "name": "张伟", "id_number": resident_id(11)},
    )


@pytest.fixture
def org(personas: Personas) -> Customer:
    return customer_create(
        actor=personas.account_manager,
        fields={"kind": "organization", "name": "北京星辰科技有限公司", "remarks": "老客户"},
    )
