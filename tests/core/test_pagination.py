"""Keyset pages: every row exactly once, in order, forwards and backwards, ties included."""

from __future__ import annotations

import pytest

from credfile.core.pagination import decode_cursor, encode_cursor, keyset_paginate
from credfile.customers.models import Customer
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Nine names with ties, so that pages break inside a run of equal names.
NAMES = ["甲", "乙", "乙", "乙", "乙", "丙", "丙", "丁", "戊"]


@pytest.fixture
def customers(personas: Personas) -> list[Customer]:
    return [
        CustomerFactory.create(
            name=name, department=personas.sales, account_manager=personas.colleague
        )
        for name in NAMES
    ]


def _walk_forward(order: str, size: int) -> tuple[list[list[int]], list[str | None]]:
    """All pages from the first by following next cursors; also each page's prev cursor."""
    qs = Customer.objects.all()
    pages, prevs = [], []
    cursor: str | None = None
    while True:
        page = keyset_paginate(qs, order=order, cursor=cursor, size=size)
        pages.append([c.pk for c in page.items])
        prevs.append(page.prev_cursor)
        if page.next_cursor is None:
            return pages, prevs
        cursor = page.next_cursor
        assert len(pages) < 20, "the pages never end"


def _expected(order: str) -> list[int]:
    """The whole list in one query, ties broken by id (the database decides how text sorts)."""
    tiebreak = "-pk" if order.startswith("-") else "pk"
    return list(Customer.objects.order_by(order, tiebreak).values_list("pk", flat=True))


@pytest.mark.parametrize("order", ["name", "-name", "pk", "-pk", "created_at", "-updated_at"])
@pytest.mark.parametrize("size", [1, 2, 4, 9, 25])
def test_walking_forward_shows_every_row_once_in_order(
    customers: list[Customer], order: str, size: int
) -> None:
    pages, prevs = _walk_forward(order, size)
    assert [pk for page in pages for pk in page] == _expected(order)
    assert all(0 < len(page) <= size for page in pages)
    # The first page has nowhere to go back to; every later page does.
    assert prevs[0] is None
    assert all(prev is not None for prev in prevs[1:])


@pytest.mark.parametrize("order", ["name", "-name", "created_at"])
@pytest.mark.parametrize("size", [2, 3, 4])
def test_walking_backward_shows_the_same_pages(
    customers: list[Customer], order: str, size: int
) -> None:
    forward, _prevs = _walk_forward(order, size)
    qs = Customer.objects.all()
    # Start from the last page and follow prev cursors back to the first.
    last = keyset_paginate(qs, order=order, cursor=None, size=size)
    while last.next_cursor:
        last = keyset_paginate(qs, order=order, cursor=last.next_cursor, size=size)
    backward = [[c.pk for c in last.items]]
    cursor = last.prev_cursor
    while cursor:
        page = keyset_paginate(qs, order=order, cursor=cursor, size=size)
        backward.append([c.pk for c in page.items])
        # Going back always leaves a way forward again.
        assert page.next_cursor is not None
        cursor = page.prev_cursor
    backward.reverse()
    assert backward == forward


def test_the_next_page_follows_a_run_of_ties_exactly(customers: list[Customer]) -> None:
    qs = Customer.objects.all()
    first = keyset_paginate(qs, order="name", cursor=None, size=3)
    second = keyset_paginate(qs, order="name", cursor=first.next_cursor, size=3)
    expected = _expected("name")
    assert [c.pk for c in first.items] == expected[:3]
    assert [c.pk for c in second.items] == expected[3:6]


def test_the_last_page_has_no_next_page(customers: list[Customer]) -> None:
    page = keyset_paginate(Customer.objects.all(), order="pk", cursor=None, size=len(NAMES))
    assert len(page.items) == len(NAMES)
    assert page.next_cursor is None
    assert page.prev_cursor is None


def test_an_empty_list_has_no_pages(db: None) -> None:
    page = keyset_paginate(Customer.objects.all(), order="name", cursor=None, size=5)
    assert page.items == []
    assert page.next_cursor is None and page.prev_cursor is None


@pytest.mark.parametrize("cursor", ["garbage", "e30", encode_cursor(["甲"], "next"), ""])
def test_a_broken_or_foreign_cursor_shows_the_first_page(
    customers: list[Customer], cursor: str
) -> None:
    page = keyset_paginate(Customer.objects.all(), order="name", cursor=cursor, size=3)
    assert [c.pk for c in page.items] == _expected("name")[:3]
    assert page.prev_cursor is None


def test_a_cursor_round_trips_chinese_text_and_direction() -> None:
    assert decode_cursor(encode_cursor(["乙", 7], "prev")) == (["乙", 7], "prev")
    assert decode_cursor(encode_cursor(["乙", 7], "sideways")) is None


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(
    customers: list[Customer], personas: Personas
) -> None:
    qs = Customer.objects.all()
    first = keyset_paginate(qs, order="name", cursor=None, size=4)
    expected_next = _expected("name")[4:8]
    # A new row sorting before the cursor would shift an offset page by one.
    CustomerFactory.create(name="甲", department=personas.sales, account_manager=personas.colleague)
    second = keyset_paginate(qs, order="name", cursor=first.next_cursor, size=4)
    assert [c.pk for c in second.items] == expected_next
