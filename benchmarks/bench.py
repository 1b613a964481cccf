"""Time the everyday reads of credfile over a large demo database: `make bench`.

The database lives in its own instance directory (CREDFILE_HOME, `var/bench` by default) and
is filled once with `credfile demo`; later runs reuse it and only top it up when
BENCH_CUSTOMERS grows. Each case runs BENCH_REPEAT times through Django's test client or the
selectors and reports the median and the slowest time and the number of SQL queries, so a
list page that turns into one query per row, or a deep page that slows down, stands out.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ.setdefault("CREDFILE_HOME", "var/bench")
# Django's test client calls itself "testserver".
os.environ["CREDFILE_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.core.pagination import keyset_paginate  # noqa: E402
from credfile.customers.models import Contact, Customer  # noqa: E402
from credfile.customers.selectors import CustomerFilters, customer_search  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
SEED = int(os.environ.get("BENCH_SEED", "1"))


@dataclass
class Result:
    name: str
    median_ms: float
    max_ms: float
    queries: int
    note: str = ""


def prepare() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    have = Customer.objects.count()
    if have < CUSTOMERS:
        print(f"Loading {CUSTOMERS - have:,} demo customers into {os.environ['CREDFILE_HOME']}")
        call_command("demo", customers=CUSTOMERS - have, seed=SEED + have, no_progress=True)
    print(
        f"{connection.vendor}, {Customer.objects.count():,} customers, "
        f"{Contact.objects.count():,} contacts\n"
    )


def measure(name: str, run: Callable[[], Any], check: Callable[[Any], str] | None = None) -> Result:
    run()  # warm caches and connections
    times: list[float] = []
    queries = 0
    outcome: Any = None
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            outcome = run()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    note = check(outcome) if check else ""
    return Result(name, statistics.median(times), max(times), queries, note)


def ok(response: Any) -> str:
    return "" if response.status_code == 200 else f"HTTP {response.status_code}!"


def user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        home = os.environ["CREDFILE_HOME"]
        sys.exit(f"The bench database has no user {username!r}; remove {home} and run again.")


def main() -> None:
    prepare()
    manager, credit = user("manager"), user("credit")
    clients: dict[str, Client] = {}
    for account in (manager, credit):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(account)
        clients[account.username] = client

    sample = Customer.objects.filter(department=manager.department).exclude(phone="").first()
    person = Customer.objects.filter(kind="individual").exclude(id_number="").first()
    company = Customer.objects.filter(kind="organization").exclude(credit_code="").first()
    assert sample and person and company, "the demo data has no customers to search for"
    part = sample.name[2:4] if len(sample.name) > 4 else sample.name[:2]

    def search(who: User, q: str) -> Callable[[], int]:
        return lambda: len(customer_search(user=who, filters=CustomerFilters(q=q))[:25])

    def deep_page(pages: int) -> Callable[[], int]:
        def run() -> int:
            qs = customer_search(user=credit, filters=CustomerFilters())
            cursor = None
            for _ in range(pages):
                page = keyset_paginate(qs, order="-updated_at", cursor=cursor, size=25)
                cursor = page.next_cursor
            return len(page.items)

        return run

    cases = [
        measure(f"search name part {part!r} (account manager)", search(manager, part)),
        measure(f"search name part {part!r} (credit manager)", search(credit, part)),
        measure("search exact ID number", search(credit, person.id_number)),
        measure("search exact credit code", search(credit, company.credit_code)),
        measure("search phone number", search(credit, sample.phone)),
        measure("keyset page 1", deep_page(1)),
        measure("keyset page 40 (following cursors)", deep_page(40)),
        measure(
            "page /customers/ (credit manager)", lambda: clients["credit"].get("/customers/"), ok
        ),
        measure(
            f"page /customers/?q={part}",
            lambda: clients["manager"].get("/customers/", {"q": part}),
            ok,
        ),
        measure(
            "page /customers/<id>/", lambda: clients["manager"].get(f"/customers/{sample.pk}/"), ok
        ),
        measure("API /api/v1/customers/", lambda: clients["credit"].get("/api/v1/customers/"), ok),
        measure(
            f"API /api/v1/customers/?q={part}",
            lambda: clients["manager"].get("/api/v1/customers/", {"q": part}),
            ok,
        ),
    ]
    width = max(len(r.name) for r in cases)
    print(f"{'case':<{width}}  {'median ms':>10}  {'max ms':>8}  {'queries':>7}")
    for r in cases:
        timing = f"{r.median_ms:>10.1f}  {r.max_ms:>8.1f}  {r.queries:>7}"
        print(f"{r.name:<{width}}  {timing}  {r.note}")
    if any(r.note for r in cases):
        sys.exit(1)


if __name__ == "__main__":
    main()
