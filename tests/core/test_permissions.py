"""The policy matrix of docs/permissions.md, role by role, as customer_scope applies it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from credfile.accounts.models import User
from credfile.core.permissions import Action, can_create_customer, customer_scope
from credfile.customers.models import Contact, Customer
from tests.conftest import Personas
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Files:
    own: Customer  # sales, managed by the account manager
    colleagues: Customer  # sales, managed by a colleague
    other_department: Customer  # export, managed by the outsider


@pytest.fixture
def files(personas: Personas) -> Files:
    return Files(
        own=CustomerFactory.create(
            department=personas.sales, account_manager=personas.account_manager
        ),
        colleagues=CustomerFactory.create(
            department=personas.sales, account_manager=personas.colleague
        ),
        other_department=CustomerFactory.create(
            department=personas.other, account_manager=personas.outsider
        ),
    )


def _visible(user: object, action: Action, files: Files) -> set[str]:
    pks = set(Customer.objects.filter(customer_scope(user, action)).values_list("pk", flat=True))
    return {name for name, customer in vars(files).items() if customer.pk in pks}


ALL = {"own", "colleagues", "other_department"}
DEPARTMENT = {"own", "colleagues"}

# role → action → which files; written out in full so that a change is a visible diff.
MATRIX: dict[str, dict[Action, set[str]]] = {
    "account_manager": {
        Action.VIEW: DEPARTMENT,
        Action.CREATE: {"own"},
        Action.CHANGE: {"own"},
        Action.DELETE: set(),
        Action.EXPORT: DEPARTMENT,
        Action.REVEAL: DEPARTMENT,
        Action.REPORT: DEPARTMENT,
    },
    "department_head": {
        Action.VIEW: DEPARTMENT,
        Action.CREATE: DEPARTMENT,
        Action.CHANGE: DEPARTMENT,
        Action.DELETE: DEPARTMENT,
        Action.EXPORT: DEPARTMENT,
        Action.REVEAL: DEPARTMENT,
        Action.REPORT: DEPARTMENT,
    },
    "credit_manager": {
        Action.VIEW: ALL,
        Action.CREATE: set(),
        Action.CHANGE: set(),
        Action.DELETE: set(),
        Action.EXPORT: set(),
        Action.REVEAL: set(),
        Action.REPORT: ALL,
    },
    "executive": {
        Action.VIEW: ALL,
        Action.CREATE: set(),
        Action.CHANGE: set(),
        Action.DELETE: set(),
        Action.EXPORT: set(),
        Action.REVEAL: set(),
        Action.REPORT: ALL,
    },
    "auditor": {
        Action.VIEW: ALL,
        Action.CREATE: set(),
        Action.CHANGE: set(),
        Action.DELETE: set(),
        Action.EXPORT: set(),
        Action.REVEAL: set(),
        Action.REPORT: ALL,
    },
    # Administrators manage users and departments, not credit files.
    "admin": {
        Action.VIEW: set(),
        Action.CREATE: set(),
        Action.CHANGE: set(),
        Action.DELETE: set(),
        Action.EXPORT: set(),
        Action.REVEAL: set(),
        Action.REPORT: set(),
    },
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("persona", list(MATRIX))
def test_each_role_reaches_exactly_the_files_of_the_policy(
    personas: Personas, files: Files, persona: str, action: Action
) -> None:
    user = getattr(personas, persona)
    assert _visible(user, action, files) == MATRIX[persona][action]


def test_an_account_manager_of_another_department_sees_only_that_department(
    personas: Personas, files: Files
) -> None:
    assert _visible(personas.outsider, Action.VIEW, files) == {"other_department"}
    assert _visible(personas.outsider, Action.CHANGE, files) == {"other_department"}


def test_a_colleague_may_change_only_the_files_they_manage(
    personas: Personas, files: Files
) -> None:
    assert _visible(personas.colleague, Action.CHANGE, files) == {"colleagues"}


def test_a_signed_out_visitor_reaches_nothing(files: Files) -> None:
    for action in Action:
        assert _visible(AnonymousUser(), action, files) == set()
        assert _visible(None, action, files) == set()


def test_a_deactivated_user_reaches_nothing(personas: Personas, files: Files) -> None:
    head = personas.department_head
    head.is_active = False
    head.save()
    for action in Action:
        assert _visible(head, action, files) == set()


@pytest.mark.parametrize("role", ["account_manager", "department_head"])
def test_a_department_role_without_a_department_reaches_nothing(files: Files, role: str) -> None:
    user = UserFactory.create(role=role, department=None)
    for action in Action:
        assert _visible(user, action, files) == set()


def test_a_superuser_flag_grants_no_credit_files(files: Files) -> None:
    # Scope follows the credfile role, not Django's superuser flag.
    user = UserFactory.create(role="account_manager", department=None, is_superuser=True)
    assert _visible(user, Action.VIEW, files) == set()


def test_the_scope_applies_through_a_relation(personas: Personas, files: Files) -> None:
    for customer in (files.own, files.colleagues, files.other_department):
        Contact.objects.create(customer=customer, name="联系人", email="a@example.com")
    visible = set(
        Contact.objects.filter(
            customer_scope(personas.account_manager, Action.CHANGE, prefix="customer__")
        ).values_list("customer_id", flat=True)
    )
    assert visible == {files.own.pk}


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("account_manager", True),
        ("department_head", True),
        ("outsider", True),
        ("credit_manager", False),
        ("executive", False),
        ("auditor", False),
        ("admin", False),
    ],
)
def test_only_department_staff_may_open_files(
    personas: Personas, persona: str, allowed: bool
) -> None:
    user: User = getattr(personas, persona)
    assert can_create_customer(user) is allowed


def test_signed_out_visitors_may_not_open_files() -> None:
    assert can_create_customer(AnonymousUser()) is False
