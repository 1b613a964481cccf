"""Shared fixtures: fixed personas in two departments, as every test suite here expects."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from credfile.accounts.models import Department, User
from tests.factories import DepartmentFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class Personas:
    sales: Department
    other: Department
    account_manager: User
    colleague: User
    department_head: User
    credit_manager: User
    executive: User
    auditor: User
    admin: User
    outsider: User


@pytest.fixture
def personas(db: None) -> Personas:
    sales = DepartmentFactory(code="SALES", name="销售一部")
    other = DepartmentFactory(code="EXPORT", name="外贸部")
    return Personas(
        sales=sales,
        other=other,
        account_manager=UserFactory(username="li.na", role="account_manager", department=sales),
        colleague=UserFactory(username="zhao.lei", role="account_manager", department=sales),
        department_head=UserFactory(username="wang.fang", role="department_head", department=sales),
        credit_manager=UserFactory(username="chen.jie", role="credit_manager", department=None),
        executive=UserFactory(username="liu.yang", role="executive", department=None),
        auditor=UserFactory(username="sun.li", role="auditor", department=None),
        admin=UserFactory(username="admin", role="admin", department=None, is_staff=True,
                          is_superuser=True),
        outsider=UserFactory(username="zhou.min", role="account_manager", department=other),
    )


@pytest.fixture
def client_for(db: None):  # type: ignore[no-untyped-def]
    """client_for(user, language="en") → a logged-in Django test client."""

    def make(user: User, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make
