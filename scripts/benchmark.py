"""Time credfile's customer pages against an existing, loaded database.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/benchmark.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark.py --runs 20
    CREDFILE_HOME=/tmp/x .venv/bin/python scripts/benchmark.py --demo --customers 100000

The database comes from the environment like the application's (CREDFILE_HOME or
DATABASE_URL) and must hold demo data (`credfile demo`): the script signs in, through Django's
test client, as the demo department head (`head`) and the credit manager (`credit`) and
times the customer list (first page, name part, exact ID number, exact credit code, a filter
with a sort, a page reached by following "next" 20 times), a credit file page and the API
search. The same searches are timed through the selectors (customer_search and
keyset_paginate), which shows how much of a page is query and how much is rendering; pages
whose URL does not resolve in this build are skipped. Each case runs --runs times after one
warm-up; the report gives the median, the 95th percentile and the SQL queries per request.

The list table then times the customer list for each filter, each sort, name parts (Chinese,
one to several characters, one that matches nothing) and filters with a sort, as the credit
manager and as the department head, each beside hand-written SQL giving the same page of
rows and the same count on the same database (the "plain SQL", written for that database's
name index): the page's server time (Django's test client: middleware, queries, template),
the SQL's, and their ratio. A page whose rows or count differ from the SQL's is flagged.
On PostgreSQL, tables never analysed since the load (autovacuum off) are first given the
VACUUM ANALYZE autovacuum would have run.

--demo first times the demo load itself (it adds --customers customers to the database).
This is a measuring tool, not a test: it exits non-zero only when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import html
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
# Django's test client calls itself "testserver".
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from credfile.access.selectors import active_grants  # noqa: E402
from credfile.accounts.models import Department, User  # noqa: E402
from credfile.core.normalize import name_key  # noqa: E402
from credfile.core.pagination import keyset_paginate  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.customers.selectors import (  # noqa: E402
    DEFAULT_SORT,
    NAME_FTS,
    SORTS,
    TRIGRAM,
    CustomerFilters,
    customer_search,
)

NEXT_LINK = re.compile(r'rel="next"\s+href="([^"]*)"')
DEEP_PAGES = 20
PAGE_SIZE = 25


@dataclass
class Result:
    case: str
    who: str
    times_ms: list[float]
    queries: int
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(
    case: str,
    who: str,
    runs: int,
    call: Callable[[], Any],
    check: Callable[[Any], str] | None = None,
) -> Result:
    outcome = call()  # warm-up: connection, caches, first-use imports
    note = check(outcome) if check else ""
    times: list[float] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return Result(case, who, times, queries, note)


def resolves(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def status_ok(response: Any) -> str:
    return "" if response.status_code == 200 else f"HTTP {response.status_code}"


def demo_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        sys.exit(f"No user {username!r}: load demo data first (credfile demo --customers N).")
    return user


@dataclass
class Targets:
    """Search terms that find something for the department head too."""

    name_part: str
    long_part: str
    surname: str
    id_number: str
    credit_code: str
    file_pk: int


def targets(head: User) -> Targets:
    mine = Customer.objects.filter(department=head.department).order_by("pk")
    # Read through the model: the ID number may be stored sealed.
    person = next((c for c in mine.filter(kind="individual")[:50] if c.id_number), None)
    companies = mine.filter(kind="organization").exclude(credit_code="")[:200]
    # A trade name (字号) to search for: 深圳市华泰电子科技有限公司 → 华泰.
    company, part = next(
        (
            (c, c.name[len(c.city) : len(c.city) + 2])
            for c in companies
            if c.city and c.name.startswith(c.city)
        ),
        (None, ""),
    )
    if person is None or company is None:
        sys.exit("The head's department has no individual or organisation to search for.")
    long_part = company.name_key[len(name_key(company.city)) :][:4]
    return Targets(
        part, long_part, person.name[0], person.id_number, company.credit_code, company.pk
    )


def web_cases(client: Client, who: str, t: Targets, runs: int) -> list[Result]:
    results: list[Result] = []
    if not resolves("/customers/"):
        print("  /customers/ does not resolve in this build: pages skipped")
        return results

    def page(path: str, params: dict[str, str] | None = None) -> Callable[[], Any]:
        return lambda: client.get(path, params or {})

    for case, params in (
        ("list, first page", {}),
        (f"list ?q={t.name_part} (name part)", {"q": t.name_part}),
        ("list ?q=<exact ID number>", {"q": t.id_number}),
        ("list ?q=<exact credit code>", {"q": t.credit_code}),
        (
            "list ?kind=organization&province=44&sort=name",
            {"kind": "organization", "province": "44", "sort": "name"},
        ),
    ):
        results.append(measure(case, who, runs, page("/customers/", params), status_ok))
    deep = deep_page_url(client)
    if deep is None:
        results.append(
            Result(
                f"list, page {DEEP_PAGES + 1} (via next)", who, [0.0], 0, "fewer pages than that"
            )
        )
    else:
        results.append(
            measure(f"list, page {DEEP_PAGES + 1} (via next)", who, runs, page(deep), status_ok)
        )
    file_path = f"/customers/{t.file_pk}/"
    if resolves(file_path):
        results.append(measure("credit file page", who, runs, page(file_path), status_ok))
    if resolves("/api/v1/customers/"):
        results.append(
            measure(
                f"API ?q={t.name_part}",
                who,
                runs,
                page("/api/v1/customers/", {"q": t.name_part}),
                status_ok,
            )
        )
        results.append(
            measure(
                "API ?q=<exact ID number>",
                who,
                runs,
                page("/api/v1/customers/", {"q": t.id_number}),
                status_ok,
            )
        )
    return results


def deep_page_url(client: Client) -> str | None:
    """Follow the list page's rel="next" link DEEP_PAGES times, as a user paging would."""
    url = "/customers/"
    for _ in range(DEEP_PAGES):
        response = client.get(url)
        match = NEXT_LINK.search(response.content.decode())
        if response.status_code != 200 or match is None:
            return None
        url = "/customers/" + html.unescape(match.group(1))
    return url


def selector_cases(user: User, who: str, t: Targets, runs: int) -> list[Result]:
    order = SORTS[DEFAULT_SORT]

    def first_page(**filters: Any) -> Callable[[], int]:
        def run() -> int:
            qs = customer_search(user=user, filters=CustomerFilters(**filters))
            return len(keyset_paginate(qs, order=order, cursor=None, size=PAGE_SIZE).items)

        return run

    def deep() -> int:
        qs = customer_search(user=user, filters=CustomerFilters())
        cursor = None
        page = keyset_paginate(qs, order=order, cursor=cursor, size=PAGE_SIZE)
        for _ in range(DEEP_PAGES):
            page = keyset_paginate(qs, order=order, cursor=page.next_cursor, size=PAGE_SIZE)
        return len(page.items)

    def sorted_filter() -> int:
        qs = customer_search(user=user, filters=CustomerFilters(kind="organization", province="44"))
        return len(keyset_paginate(qs, order="name", cursor=None, size=PAGE_SIZE).items)

    def found(n: int) -> str:
        return "" if n else "nothing found"

    return [
        measure("selectors: first page", who, runs, first_page(), found),
        measure(f"selectors: q={t.name_part}", who, runs, first_page(q=t.name_part), found),
        measure("selectors: q=<exact ID number>", who, runs, first_page(q=t.id_number), found),
        measure("selectors: q=<exact credit code>", who, runs, first_page(q=t.credit_code), found),
        measure("selectors: organisations in 44 by name", who, runs, sorted_filter, found),
        measure(f"selectors: {DEEP_PAGES + 1} pages (walk)", who, runs, deep, found),
    ]


@dataclass
class ListResult:
    case: str
    who: str
    page: Result
    sql: Result
    total: int
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.page.median / self.sql.median if self.sql.median else math.inf


FILTERS = ("kind", "category", "province", "department", "status")


def list_params(t: Targets, head: User) -> list[tuple[str, dict[str, str]]]:
    """The list's cases: each filter, each sort, name parts, filters with a sort."""
    dept = str(head.department_id)
    other = str(
        Department.objects.exclude(pk=head.department_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or dept
    )
    cases: list[tuple[str, dict[str, str]]] = [("first page", {})]
    cases += [
        (f"{k}={v}", {k: v})
        for k, v in (
            ("kind", "organization"),
            ("kind", "individual"),
            ("category", "key"),
            ("category", "distributor"),
            ("province", "44"),
            ("province", "65"),
            ("department", dept),
            ("department", other),
            ("status", "dormant"),
            ("status", "archived"),
        )
    ]
    cases += [(f"sort={s}", {"sort": s}) for s in SORTS]
    cases += [
        (f"q={q} ({why})", {"q": q})
        for q, why in (
            (t.name_part, "trade name, 2 chars"),
            (t.long_part, "name part, 4 chars"),
            (t.long_part[:3], "name part, 3 chars"),
            (t.surname, "surname, 1 char"),
            ("科技", "common, 2 chars"),
            ("电子科技", "common, 4 chars"),
            ("不存在的名字", "matches nothing"),
            ('Ab%_"', 'mixed case, % _ "'),
        )
    ]
    cases += [
        ("organisations in 44 by name", {"kind": "organization", "province": "44", "sort": "name"}),
        ("key customers, newest first", {"category": "key", "sort": "-created"}),
        ("dormant in 31 by code", {"status": "dormant", "province": "31", "sort": "code"}),
        ("individuals by -name", {"kind": "individual", "sort": "-name"}),
        (f"q={t.name_part} in 44 by name", {"q": t.name_part, "province": "44", "sort": "name"}),
        (
            "q=科技 organisations by -updated",
            {"q": "科技", "kind": "organization", "sort": "-updated"},
        ),
    ]
    return cases


def plain_sql(user: User, params: dict[str, str]) -> tuple[str, list[Any], str, list[Any]]:
    """The list page's rows and count, as one would write them by hand for this database."""
    table = Customer._meta.db_table
    where: list[str] = []
    args: list[Any] = []
    if user.role not in {"credit_manager", "executive", "auditor"}:
        granted = list(active_grants(user=user).values_list("customer_id", flat=True))
        scope = "c.department_id = %s"
        args.append(user.department_id)
        if granted:
            scope += f" OR c.id IN ({', '.join(['%s'] * len(granted))})"
            args += granted
        where.append(f"({scope})")
    for field in FILTERS:
        if params.get(field):
            where.append(f"c.{'department_id' if field == 'department' else field} = %s")
            args.append(int(params[field]) if field == "department" else params[field])
    q = params.get("q", "").strip()
    if q:
        key = name_key(q)
        like = "%" + connection.ops.prep_for_like_query(key) + "%"
        name = "c.name_key LIKE %s ESCAPE '\\'"
        name_args: list[Any] = [like]
        # Written as one would for this database's name index (customers migration 0004).
        if len(key) < TRIGRAM and connection.vendor == "postgresql":
            name, name_args = "credfile_customer_name_grams(c.name_key) @> ARRAY[%s]::text[]", [key]
        elif len(key) >= TRIGRAM and NAME_FTS in connection.introspection.table_names():
            name += f" AND c.id IN (SELECT rowid FROM {NAME_FTS} WHERE {NAME_FTS} MATCH %s)"
            name_args.append('"' + key.replace('"', '""') + '"')
        where.append(f"(c.code = %s OR ({name}))")
        args += [q.replace(" ", "").upper(), *name_args]
    condition = " AND ".join(where) or "1 = 1"
    order = SORTS[params.get("sort") or DEFAULT_SORT]
    column = order.lstrip("-")
    direction = "DESC" if order.startswith("-") else "ASC"
    rows = (
        f"SELECT c.id, c.code, c.name, c.kind, c.category, c.province, c.city, c.status, "
        f"c.updated_at, d.name, u.username FROM {table} c "
        f"JOIN {Department._meta.db_table} d ON d.id = c.department_id "
        f"JOIN {User._meta.db_table} u ON u.id = c.account_manager_id "
        f"WHERE {condition} ORDER BY c.{column} {direction}, c.id {direction} LIMIT {PAGE_SIZE + 1}"
    )
    count = f"SELECT COUNT(*) FROM {table} c WHERE {condition}"
    return rows, args, count, args


def run_plain(
    rows_sql: str, rows_args: list[Any], count_sql: str, count_args: list[Any]
) -> tuple[list[int], int]:
    with connection.cursor() as cursor:
        cursor.execute(rows_sql, rows_args)
        ids = [row[0] for row in cursor.fetchall()][:PAGE_SIZE]
        cursor.execute(count_sql, count_args)
        (total,) = cursor.fetchone()
        return ids, int(total)


def list_cases(
    client: Client, user: User, who: str, t: Targets, head: User, runs: int
) -> list[ListResult]:
    results: list[ListResult] = []
    for case, params in list_params(t, head):
        page = measure(case, who, runs, lambda p=params: client.get("/customers/", p), status_ok)
        statements = plain_sql(user, params)
        sql = measure(case, who, runs, lambda st=statements: run_plain(*st))
        ids, total = run_plain(*statements)
        filters = CustomerFilters(
            q=params.get("q", ""),
            **{
                k: (int(params[k]) if k == "department" else params[k])
                for k in FILTERS
                if params.get(k)
            },
        )
        qs = customer_search(user=user, filters=filters)
        order = SORTS[params.get("sort") or DEFAULT_SORT]
        mine = [c.pk for c in keyset_paginate(qs, order=order, cursor=None, size=PAGE_SIZE).items]
        note = page.note
        if mine != ids:
            note += " ROWS DIFFER from the SQL"
        if qs.count() != total:
            note += f" COUNT DIFFERS ({qs.count()} ≠ {total})"
        results.append(ListResult(case, who, page, sql, total, note.strip()))
    return results


def print_list(results: list[ListResult]) -> None:
    width = max(len(r.case) for r in results)
    who_width = max(len(r.who) for r in results)
    print(
        f"\n{'list case':<{width}}  {'user':<{who_width}}  {'rows':>7}  "
        f"{'page med':>8}  {'page p95':>8}  {'SQL med':>7}  {'SQL p95':>7}  {'ratio':>5}  "
        f"{'queries':>7}"
    )
    for r in results:
        print(
            f"{r.case:<{width}}  {r.who:<{who_width}}  {r.total:>7}  {r.page.median:>8.1f}  "
            f"{r.page.p95:>8.1f}  {r.sql.median:>7.1f}  {r.sql.p95:>7.1f}  {r.ratio:>5.1f}  "
            f"{r.page.queries:>7}  {r.note}"
        )
    worst = max(results, key=lambda r: r.page.p95)
    print(f"\nslowest list page (p95): {worst.case} as {worst.who}: {worst.page.p95:.1f} ms")


def ensure_statistics() -> None:
    """PostgreSQL plans from statistics and counts from the visibility map, which autovacuum
    keeps; where it has not run since the load (autovacuum off), do what it would."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(last_analyze, last_autoanalyze) IS NULL FROM pg_stat_user_tables "
            "WHERE relname = %s",
            [Customer._meta.db_table],
        )
        row = cursor.fetchone()
        if row is None or not row[0]:
            return
        print("the tables were never analysed (autovacuum off?): VACUUM ANALYZE first")
        cursor.execute("VACUUM ANALYZE")


def time_demo(customers: int, seed: int) -> None:
    before = Customer.objects.count()
    started = time.perf_counter()
    call_command("demo", customers=customers, seed=seed, no_progress=True)
    elapsed = time.perf_counter() - started
    print(
        f"\ndemo load: {customers:,} customers in {elapsed:.1f} s "
        f"({customers / elapsed:,.0f} customers/s); {before:,} → "
        f"{Customer.objects.count():,} customers on {connection.vendor}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per case (default 15)")
    parser.add_argument("--demo", action="store_true", help="time a demo load first")
    parser.add_argument(
        "--customers", type=int, default=100_000, help="customers for --demo (default 100000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for --demo")
    parser.add_argument(
        "--no-pages", action="store_true", dest="no_pages", help="with --demo: time only the load"
    )
    parser.add_argument(
        "--lists-only", action="store_true", dest="lists_only", help="time only the list table"
    )
    args = parser.parse_args(argv)
    if args.demo:
        time_demo(args.customers, args.seed)
        if args.no_pages:
            return 0
    ensure_statistics()
    total = Customer.objects.count()
    print(f"{connection.vendor}: {total:,} customers; {args.runs} runs per case\n")
    head, credit = demo_user("head"), demo_user("credit")
    t = targets(head)
    results: list[Result] = []
    lists: list[ListResult] = []
    for user in (head, credit):
        who = f"{user.username} ({user.role})"
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        if not args.lists_only:
            results += web_cases(client, who, t, args.runs)
            results += selector_cases(user, who, t, args.runs)
        if resolves("/customers/"):
            lists += list_cases(client, user, who, t, head, args.runs)
    if lists:
        print_list(lists)
    if not results:
        return 1 if any(r.note for r in lists) else 0
    width = max(len(r.case) for r in results)
    who_width = max(len(r.who) for r in results)
    print(
        f"{'case':<{width}}  {'user':<{who_width}}  {'median ms':>9}  {'p95 ms':>8}  {'queries':>7}"
    )
    for r in results:
        print(
            f"{r.case:<{width}}  {r.who:<{who_width}}  {r.median:>9.1f}  {r.p95:>8.1f}  "
            f"{r.queries:>7}  {r.note}"
        )
    failed = any(r.note.startswith("HTTP") for r in results) or any(r.note for r in lists)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
