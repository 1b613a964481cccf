"""Finding credit files: by name, number or phone, filtered, and only within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.http import Http404

from credfile.core.permissions import Action
from credfile.customers.models import Customer
from credfile.customers.selectors import CustomerFilters, customer_get, customer_search
from credfile.customers.services import contact_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory, credit_code, resident_id

pytestmark = pytest.mark.django_db


@dataclass
class Book:
    star: Customer  # organisation, sales, Beijing, key customer
    star_branch: Customer  # organisation, sales, Shanghai, dormant
    zhang: Customer  # individual, sales, Guangdong
    export: Customer  # organisation, export department


@pytest.fixture
def book(personas: Personas) -> Book:
    sales = {"department": personas.sales, "account_manager": personas.account_manager}
    star = CustomerFactory.create(
        name="北京星辰科技有限公司",
        credit_code=credit_code(501),
        phone="+861065123456",
        category="key",
        **sales,
    )
    star_branch = CustomerFactory.create(
        name="星辰科技（上海）有限责任公司",
        province="31",
        city="上海市",
        status="dormant",
        **sales,
    )
    zhang = IndividualFactory.create(
        name="张伟",
        id_number=resident_id(501, birth="19800101"),
        province="44",
        phone="+8613812345678",
        **sales,
    )
    export = CustomerFactory.create(
        name="星辰进出口有限公司", department=personas.other, account_manager=personas.outsider
    )
    contact_create(
        actor=personas.account_manager,
        customer=star,
        fields={"name": "李财务", "mobile": "139 0000 1111"},
    )
    return Book(star=star, star_branch=star_branch, zhang=zhang, export=export)


def found(user: object, **filters: Any) -> set[str]:
    names = customer_search(user=user, filters=CustomerFilters(**filters))
    return set(names.values_list("name", flat=True))


def test_it_finds_files_by_part_of_the_name(personas: Personas, book: Book) -> None:
    assert found(personas.credit_manager, q="星辰") == {
        "北京星辰科技有限公司",
        "星辰科技（上海）有限责任公司",
        "星辰进出口有限公司",
    }


def test_it_finds_a_name_typed_with_other_brackets_and_legal_form(
    personas: Personas, book: Book
) -> None:
    assert found(personas.account_manager, q="星辰科技(上海)") == {"星辰科技（上海）有限责任公司"}
    assert found(personas.account_manager, q="北京星辰科技股份有限公司") == {"北京星辰科技有限公司"}


def test_it_finds_an_individual_by_exact_id_number(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q=book.zhang.id_number) == {"张伟"}
    assert found(personas.account_manager, q=f" {book.zhang.id_number.lower()} ") == {"张伟"}


def test_part_of_an_id_number_finds_nothing(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q=book.zhang.id_number[:10]) == set()


def test_it_finds_an_organisation_by_exact_credit_code(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q=book.star.credit_code.lower()) == {
        "北京星辰科技有限公司"
    }


def test_it_finds_a_file_by_its_code(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q=book.zhang.code) == {"张伟"}


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_it_finds_a_customer_by_phone_however_it_is_typed(
    personas: Personas, book: Book, typed: str
) -> None:
    assert found(personas.account_manager, q=typed) == {"张伟"}


def test_it_finds_a_customer_by_a_landline(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q="010-65123456") == {"北京星辰科技有限公司"}


def test_it_finds_a_customer_by_a_contacts_mobile(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q="139 0000 1111") == {"北京星辰科技有限公司"}


def test_a_search_never_reaches_outside_the_users_scope(personas: Personas, book: Book) -> None:
    assert found(personas.account_manager, q="星辰进出口") == set()
    assert found(personas.outsider, q="星辰") == {"星辰进出口有限公司"}
    assert found(personas.outsider, q=book.zhang.id_number) == set()
    assert found(personas.outsider, q="138 1234 5678") == set()
    assert found(personas.admin, q="星辰") == set()


def test_without_a_search_it_lists_everything_in_scope(personas: Personas, book: Book) -> None:
    assert found(personas.department_head) == {
        "北京星辰科技有限公司",
        "星辰科技（上海）有限责任公司",
        "张伟",
    }
    assert len(found(personas.auditor)) == 4


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "individual"}, {"张伟"}),
        ({"kind": "organization"}, {"北京星辰科技有限公司", "星辰科技（上海）有限责任公司"}),
        ({"category": "key"}, {"北京星辰科技有限公司"}),
        ({"province": "31"}, {"星辰科技（上海）有限责任公司"}),
        ({"status": "dormant"}, {"星辰科技（上海）有限责任公司"}),
        ({"q": "星辰", "status": "active"}, {"北京星辰科技有限公司"}),
        ({"q": "星辰", "kind": "individual"}, set()),
    ],
)
def test_filters_narrow_the_list(
    personas: Personas, book: Book, filters: dict[str, str], expected: set[str]
) -> None:
    assert found(personas.account_manager, **filters) == expected


def test_the_department_filter_stays_within_scope(personas: Personas, book: Book) -> None:
    assert found(personas.executive, department=personas.other.pk) == {"星辰进出口有限公司"}
    assert found(personas.account_manager, department=personas.other.pk) == set()


def test_a_file_in_scope_is_returned_with_its_department(personas: Personas, book: Book) -> None:
    customer = customer_get(user=personas.colleague, pk=book.star.pk)
    assert customer == book.star
    assert customer.department.code == "SALES"


def test_a_file_outside_scope_is_not_found_rather_than_forbidden(
    personas: Personas, book: Book
) -> None:
    with pytest.raises(Http404):
        customer_get(user=personas.outsider, pk=book.star.pk)
    with pytest.raises(Http404):
        customer_get(user=personas.colleague, pk=book.star.pk, action=Action.CHANGE)
    with pytest.raises(Http404):
        customer_get(user=personas.account_manager, pk=999_999)
