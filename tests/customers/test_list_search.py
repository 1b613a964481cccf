"""The customer list at scale: the name index finds exactly what a plain scan of the names
finds, in the same order, stays in step with every kind of write, and the list's queries
are answered from the indexes made for them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from credfile.core.normalize import name_key
from credfile.core.pagination import keyset_paginate
from credfile.core.permissions import Action, customer_scope
from credfile.customers.models import Customer
from credfile.customers.name_index import TRIGGERS, missing_triggers
from credfile.customers.selectors import (
    NAME_FTS,
    SORTS,
    CustomerFilters,
    customer_search,
)
from credfile.customers.services import customer_create, customer_delete, customer_update
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only"
)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only"
)

ORGANISATIONS = [
    "北京星辰科技有限公司",
    "星辰科技（上海）有限责任公司",
    "深圳市华泰电子科技有限公司",
    "ABC Trading Co., Ltd.",
    "abc贸易有限公司",
    "Mixed CaSe 咨询公司",
    "百分之100%服务公司",
    "下划线_联合公司",
    'Quote"引号公司',
    "O'Brien 咨询公司",
    "反斜杠\\科技公司",
    "日本語テスト株式会社",
    "한국어무역회사",
    "Ünïcödé GmbH",
    "ＡＢＣ全角公司",
    "华",
]
PEOPLE = ["张伟", "王", "李小华", "欧阳娜娜"]
QUERIES = [
    "星辰",
    "星",
    "星辰科技",
    "科技有限",
    "华泰电子",
    "华",
    "abc",
    "ABC",
    "aBc",
    "ＡＢＣ",
    "trading",
    "100%",
    "%",
    "_",
    "线_联",
    '"',
    'e"引',
    "'",
    "o'brien",
    "\\",
    "斜杠\\科",
    "テスト",
    "한국어",
    "ünï",
    "ÜNÏCÖ",
    "全角",
    "欧阳",
    "阳娜娜",
    "小华",
    "张",
    " 星 辰 ",
    "技(上",
    "不存在的名字",
    "xyz",
]


@pytest.fixture
def book(personas: Personas) -> list[Customer]:
    sales = {"department": personas.sales, "account_manager": personas.account_manager}
    other = {"department": personas.other, "account_manager": personas.outsider}
    made = [
        CustomerFactory.create(name=name, **(sales if i % 3 else other))
        for i, name in enumerate(ORGANISATIONS)
    ]
    made += [
        IndividualFactory.create(name=name, **(other if i % 2 else sales))
        for i, name in enumerate(PEOPLE)
    ]
    return made


def plain(user: Any, q: str) -> QuerySet[Customer]:
    """The name-and-code search as a plain scan: what the list found before any index."""
    term = q.strip()
    condition = Q(code=term.replace(" ", "").upper())
    key = name_key(term)
    if key:
        condition |= Q(name_key__contains=key)
    return Customer.objects.filter(customer_scope(user, Action.VIEW)).filter(condition)


def searched(user: Any, q: str, **filters: Any) -> QuerySet[Customer]:
    return customer_search(user=user, filters=CustomerFilters(q=q, **filters))


@pytest.mark.parametrize("q", QUERIES)
def test_a_name_search_finds_what_a_plain_scan_finds(
    personas: Personas, book: list[Customer], q: str
) -> None:
    for user in (personas.credit_manager, personas.account_manager):
        expected = list(plain(user, q).order_by("name", "pk").values_list("name", flat=True))
        found = list(searched(user, q).order_by("name", "pk").values_list("name", flat=True))
        assert found == expected
        assert searched(user, q).count() == len(expected)


def test_the_search_cases_find_something(personas: Personas, book: list[Customer]) -> None:
    """The equivalence above is not vacuous: most queries match, some several files."""
    hits = {q: plain(personas.credit_manager, q).count() for q in QUERIES}
    # The legal form (有限…) and "_" are not part of a name's key; the last two match nothing.
    assert {q for q, n in hits.items() if not n} == {"科技有限", "_", "不存在的名字", "xyz"}
    assert hits["星辰"] == 2 and hits["abc"] == 3 and hits["%"] == 1 and hits["华"] == 3


def test_a_name_part_of_three_characters_is_found_in_any_case(
    personas: Personas, book: list[Customer]
) -> None:
    names = set(searched(personas.credit_manager, "aBC").values_list("name", flat=True))
    assert names == {"ABC Trading Co., Ltd.", "abc贸易有限公司", "ＡＢＣ全角公司"}


def test_a_customer_code_is_found_beside_name_parts(
    personas: Personas, book: list[Customer]
) -> None:
    target = book[0]
    assert list(searched(personas.credit_manager, target.code.lower())) == [target]


@pytest.fixture
def fleet(personas: Personas, book: list[Customer]) -> list[Customer]:
    """Files sharing a name part, in a name order unlike their creation order."""
    return [
        CustomerFactory.create(
            name=f"{'乙甲丙'[i % 3]}云帆贸易{i}号",
            department=personas.sales if i % 2 else personas.other,
            account_manager=personas.account_manager if i % 2 else personas.outsider,
        )
        for i in range(10)
    ]


@pytest.mark.parametrize("q", ["云帆", "云帆贸"])
@pytest.mark.parametrize("sort", sorted(SORTS))
def test_every_page_of_a_search_comes_in_the_plain_order(
    personas: Personas, fleet: list[Customer], sort: str, q: str
) -> None:
    user = personas.credit_manager
    field = SORTS[sort]
    descending = field.startswith("-")
    expected = list(
        plain(user, q).order_by(field, "-pk" if descending else "pk").values_list("pk", flat=True)
    )
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_paginate(searched(user, q), order=field, cursor=cursor, size=3)
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(expected) == 10
    assert seen == expected


def test_filters_and_the_search_combine(personas: Personas, fleet: list[Customer]) -> None:
    found = searched(
        personas.credit_manager, "云帆贸", department=personas.sales.pk, kind="organization"
    )
    assert set(found) == {c for c in fleet if c.department == personas.sales}
    assert searched(personas.credit_manager, "云帆贸", kind="individual").count() == 0


# --- the FTS5 table keeps step with the customers (SQLite) ------------------------------------


def fts_ids(part: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {NAME_FTS} WHERE {NAME_FTS} MATCH %s",
            ['"' + name_key(part).replace('"', '""') + '"'],
        )
        return {row[0] for row in cursor.fetchall()}


def assert_in_step() -> None:
    """FTS5 compares its index with the customers table and fails on any difference."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {NAME_FTS}({NAME_FTS}, rank) VALUES ('integrity-check', 1)")


@pytest.fixture
def fts_checked() -> Iterator[None]:
    yield
    assert_in_step()


@sqlite_only
def test_a_new_file_is_in_the_name_index(personas: Personas, fts_checked: None) -> None:
    customer = customer_create(
        actor=personas.account_manager,
        fields={"kind": "organization", "name": "杭州云帆网络有限公司"},
    )
    assert fts_ids("云帆网") == {customer.pk}
    assert list(searched(personas.account_manager, "云帆网络")) == [customer]


@sqlite_only
def test_a_renamed_file_is_found_by_its_new_name_only(
    personas: Personas, fts_checked: None
) -> None:
    customer = customer_create(
        actor=personas.account_manager,
        fields={"kind": "organization", "name": "杭州云帆网络有限公司"},
    )
    customer_update(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "宁波海风贸易有限公司"},
        confirm_similar_name=True,
    )
    assert fts_ids("云帆网") == set()
    assert fts_ids("海风贸") == {customer.pk}
    assert list(searched(personas.account_manager, "海风贸易")) == [customer]
    assert not searched(personas.account_manager, "云帆网络").exists()


@sqlite_only
def test_a_deleted_file_leaves_the_name_index(personas: Personas, fts_checked: None) -> None:
    customer = customer_create(
        actor=personas.account_manager,
        fields={"kind": "organization", "name": "杭州云帆网络有限公司"},
    )
    customer_delete(actor=personas.department_head, customer=customer)
    assert fts_ids("云帆网") == set()


@sqlite_only
def test_bulk_writes_keep_the_name_index_in_step(personas: Personas, fts_checked: None) -> None:
    made = Customer.objects.bulk_create(
        CustomerFactory.build(
            name=f"批量{i}号电子有限公司",
            name_key=name_key(f"批量{i}号电子有限公司"),
            department=personas.sales,
            account_manager=personas.account_manager,
        )
        for i in range(30)
    )
    assert fts_ids("号电子") == {c.pk for c in made}
    Customer.objects.filter(pk__in=[c.pk for c in made[:10]]).update(name_key="改名后的键")
    assert fts_ids("号电子") == {c.pk for c in made[10:]}
    assert fts_ids("改名后") == {c.pk for c in made[:10]}
    Customer.objects.filter(pk__in=[c.pk for c in made[10:20]]).delete()
    assert fts_ids("号电子") == {c.pk for c in made[20:]}


@sqlite_only
def test_the_demo_load_keeps_the_name_index_in_step(fts_checked: None) -> None:
    call_command("demo", customers=60, seed=3, no_progress=True, stdout=io.StringIO())
    customer = Customer.objects.filter(kind="organization").order_by("pk").first()
    assert customer is not None and len(customer.name_key) >= 3
    assert customer.pk in fts_ids(customer.name_key[:3])


@sqlite_only
def test_the_integrity_check_notices_an_index_out_of_step(personas: Personas) -> None:
    """The check the tests above rely on does fail when the index and the table differ."""
    customer = CustomerFactory.create(name="杭州云帆网络有限公司")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {NAME_FTS}_update")
        cursor.execute(
            "UPDATE customers_customer SET name_key = %s WHERE id = %s", ["别的名字啊", customer.pk]
        )
        with pytest.raises(Exception, match="malformed"):
            cursor.execute(
                f"INSERT INTO {NAME_FTS}({NAME_FTS}, rank) VALUES ('integrity-check', 1)"
            )
        # Put the index back in step for whatever runs after this test in the transaction.
        cursor.execute(f"INSERT INTO {NAME_FTS}({NAME_FTS}) VALUES ('rebuild')")


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_name_index_survives_a_migration_that_rebuilds_the_table() -> None:
    """SQLite alters a column by rebuilding the table, which drops its triggers; after the
    migration run they are back, and the index holds what was written meanwhile."""
    before = CustomerFactory.create(name="杭州云帆网络有限公司")
    old = Customer._meta.get_field("remarks")
    new = models.TextField(blank=True, db_comment="rebuilt")
    new.set_attributes_from_name("remarks")
    new.model = Customer
    with connection.schema_editor() as editor:
        editor.alter_field(Customer, old, new)
    assert missing_triggers(connection) == list(TRIGGERS)
    Customer.objects.filter(pk=before.pk).update(name_key="宁波海风贸易")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert missing_triggers(connection) == []
    assert_in_step()
    assert fts_ids("海风贸") == {before.pk}
    after = CustomerFactory.create(name="苏州星河电子有限公司")
    assert fts_ids("星河电") == {after.pk}
    assert_in_step()


# --- the list's queries use their indexes -----------------------------------------------------


def explained(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[3]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def page_and_count_plans(queryset: QuerySet[Customer], order: str) -> tuple[str, str]:
    """The plans of the two queries the list page runs: its page of rows and its count."""
    with CaptureQueriesContext(connection) as captured:
        keyset_paginate(queryset, order=order, cursor=None, size=25)
        queryset.count()
    page_sql, count_sql = (q["sql"] for q in captured.captured_queries[-2:])
    return explained(page_sql), explained(count_sql)


@sqlite_only
def test_a_name_part_is_looked_up_in_the_fts_table(
    personas: Personas, book: list[Customer]
) -> None:
    for user in (personas.credit_manager, personas.department_head):
        page, count = page_and_count_plans(searched(user, "星辰科"), "-updated_at")
        assert f"SCAN {NAME_FTS} VIRTUAL TABLE INDEX" in page
        assert f"SCAN {NAME_FTS} VIRTUAL TABLE INDEX" in count


@sqlite_only
@pytest.mark.parametrize("sort", sorted(SORTS))
def test_a_filtered_searched_page_walks_its_sort_index_and_counts_in_one_index(
    personas: Personas, book: list[Customer], sort: str
) -> None:
    field = SORTS[sort].lstrip("-")
    name = {"created_at": "created", "updated_at": "updated"}.get(field, field)
    for user, index in (
        (personas.credit_manager, f"customer_list_{name}_idx"),
        (personas.department_head, f"customer_dept_list_{name}_idx"),
    ):
        qs = searched(user, "科", kind="organization", province="44", status="active")
        page, count = page_and_count_plans(qs, SORTS[sort])
        assert f"USING INDEX {index}" in page
        assert "TEMP B-TREE" not in page
        assert "USING COVERING INDEX customer_list_count_idx" in count


def only_bitmaps() -> None:
    """A handful of rows: the planner would scan the table or walk a sort index, so leave it
    only index lookups, which must then be the name search's own."""
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")


@postgres_only
def test_postgres_finds_a_name_part_through_the_trigram_index(
    personas: Personas, book: list[Customer]
) -> None:
    only_bitmaps()
    page, count = page_and_count_plans(searched(personas.credit_manager, "星辰科"), "name")
    assert "customer_name_key_trgm" in page and "customer_name_key_trgm" in count


@postgres_only
@pytest.mark.parametrize("q", ["星", "星辰"])
def test_postgres_finds_a_short_name_part_through_the_index_of_pieces(
    personas: Personas, book: list[Customer], q: str
) -> None:
    only_bitmaps()
    page, count = page_and_count_plans(searched(personas.credit_manager, q), "name")
    assert "customer_name_key_grams" in page and "customer_name_key_grams" in count
