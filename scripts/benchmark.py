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

from credfile.accounts.models import User  # noqa: E402
from credfile.core.pagination import keyset_paginate  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.customers.selectors import (  # noqa: E402
    DEFAULT_SORT,
    SORTS,
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
    return Targets(part, person.id_number, company.credit_code, company.pk)


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
    args = parser.parse_args(argv)
    if args.demo:
        time_demo(args.customers, args.seed)
        if args.no_pages:
            return 0
    total = Customer.objects.count()
    print(f"{connection.vendor}: {total:,} customers; {args.runs} runs per case\n")
    head, credit = demo_user("head"), demo_user("credit")
    t = targets(head)
    results: list[Result] = []
    for user in (head, credit):
        who = f"{user.username} ({user.role})"
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        results += web_cases(client, who, t, args.runs)
        results += selector_cases(user, who, t, args.runs)
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
    return 1 if any(r.note.startswith("HTTP") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
