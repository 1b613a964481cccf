"""Time a file's history — the file as of a date, its versions, a difference — at scale.

    CREDFILE_HOME=/tmp/hist100k .venv/bin/credfile keys init
    CREDFILE_HOME=/tmp/hist100k .venv/bin/python scripts/bench_history.py --load 100000
    CREDFILE_HOME=/tmp/hist100k .venv/bin/python scripts/bench_history.py --runs 30
    rm -rf /tmp/hist100k

(or with DATABASE_URL=postgres://… for PostgreSQL). Use a scratch instance: --load migrates
and loads demo files (`credfile demo`) until the database holds that many, and the script
changes a few sample files (a direct edit, an approved identity change, an invoice
correction, a new contact) so that their history has versions and lazily recorded
baselines, dated over the past weeks.

It times, for those sample files: rebuilding the file as of a date (selectors.file_state
and file_as_of), the as-of page, the history page and a diff between two versions (signed
in through Django's test client as the demo department head `head`), and the API's as-of.
Each case runs --runs times after one warm-up, cycling through the sample files; the report
gives the median and 95th percentile and the SQL queries of one request. A measuring tool,
not a test: it exits non-zero only when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
# Django's test client calls itself "testserver".
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)
os.environ.setdefault("CREDFILE_LANGUAGE", "en")
os.environ["CREDFILE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.changes.services import change_request_approve, customer_edit  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.customers.services import contact_create  # noqa: E402
from credfile.demo.loader import load_demo  # noqa: E402
from credfile.history import selectors  # noqa: E402
from credfile.history.models import FileVersion  # noqa: E402
from credfile.history.services import RECORD_MODELS, record_model  # noqa: E402
from credfile.transactions.models import Invoice  # noqa: E402
from credfile.transactions.services import _invoice_update as invoice_update  # noqa: E402

SAMPLES = 20


def load(customers: int) -> None:
    call_command("migrate", verbosity=0)
    have = Customer.objects.count()
    if have >= customers:
        print(f"{have:,} files on record; nothing to load")
        return
    started = time.perf_counter()
    load_demo(customers=customers - have, seed=1, progress=True)
    print(f"loaded {customers - have:,} files in {time.perf_counter() - started:.0f} s")


def sample_files(manager: User) -> list[Customer]:
    """Files of the demo account manager spread over the table, each with an invoice."""
    ids = list(
        Customer.objects.filter(account_manager=manager, kind="individual", invoices__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    step = max(len(ids) // SAMPLES, 1)
    return list(Customer.objects.filter(pk__in=ids[::step][:SAMPLES]).order_by("pk"))


def give_history(files: list[Customer], manager: User, head: User) -> None:
    """A few changes per file, dated a week apart, unless done by an earlier run."""
    now = timezone.now()
    for customer in files:
        if FileVersion.objects.filter(customer_id=customer.pk).exclude(operation="baseline"):
            continue
        # Loaded with the demo today: pretend it was all on file two months ago.
        opened = now - datetime.timedelta(days=60)
        Customer.objects.filter(pk=customer.pk).update(created_at=opened)
        FileVersion.objects.filter(customer_id=customer.pk).update(changed_at=opened)
        for label, (_app, _model, path, created) in RECORD_MODELS.items():
            if created == "created_at":
                record_model(label)._default_manager.filter(**{path: customer.pk}).update(
                    created_at=opened
                )
        customer_edit(actor=manager, customer=customer, fields={"remarks": "基准测试回访"})
        outcome = customer_edit(
            actor=manager,
            customer=customer,
            fields={"name": f"{customer.name}（更名）"},
            confirm_similar_name=True,
        )
        for request in outcome.requests:
            change_request_approve(actor=head, request=request)
        invoice = Invoice.objects.filter(customer=customer).order_by("pk").first()
        if invoice is not None:
            invoice_update(
                actor=manager,
                invoice=invoice,
                fields={"description": "更正", "amount": invoice.amount + Decimal("1.00")},
            )
        contact_create(
            actor=manager, customer=customer, fields={"name": "基准联系人", "email": "b@x.cn"}
        )
        customer.refresh_from_db()
        for back, version in enumerate(range(customer.version, 1, -1)):
            FileVersion.objects.filter(customer_id=customer.pk, version=version).exclude(
                operation="baseline"
            ).update(changed_at=now - datetime.timedelta(days=7 * back))


def measure(name: str, fn: Callable[[int], Any], runs: int) -> tuple[str, list[float], int]:
    fn(0)  # warm-up
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn(0)
    return name, times, len(queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=0, help="load demo files up to this many")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    if args.load:
        load(args.load)
    setup_test_environment()
    manager = User.objects.get(username="manager")
    head = User.objects.get(username="head")
    files = sample_files(manager)
    if not files:
        print("no demo files of the account manager `manager`: load demo data first")
        return 1
    started = time.perf_counter()
    give_history(files, manager, head)
    print(
        f"sample files: {len(files)} (histories prepared in {time.perf_counter() - started:.1f} s)"
    )
    client = Client()
    client.force_login(head)
    today = timezone.localdate()
    dates = [today - datetime.timedelta(days=d) for d in (0, 10, 20, 30)]
    failures: list[str] = []

    def get(path: str, params: dict[str, Any]) -> Any:
        response = client.get(path, params)
        if response.status_code != 200:
            failures.append(f"{path} {params} → {response.status_code}")
        return response

    def pick(i: int) -> tuple[Customer, datetime.date]:
        return files[i % len(files)], dates[i % len(dates)]

    def rebuild(i: int) -> Any:
        customer, day = pick(i)
        return selectors.file_as_of(selectors.file_state(customer.pk, selectors.end_of_day(day)))

    def as_of_page(i: int) -> Any:
        customer, day = pick(i)
        return get(reverse("history:as_of", args=[customer.pk]), {"date": day.isoformat()})

    def history_page(i: int) -> Any:
        customer, _day = pick(i)
        return get(reverse("history:list", args=[customer.pk]), {})

    def diff_page(i: int) -> Any:
        customer, _day = pick(i)
        return get(reverse("history:diff", args=[customer.pk]), {"from": 1, "to": customer.version})

    def api_as_of(i: int) -> Any:
        customer, day = pick(i)
        return get(f"/api/v1/customers/{customer.pk}/as-of/", {"date": day.isoformat()})

    for customer in files:
        customer.refresh_from_db()
    results = [
        measure("as-of: file_state + rebuild (selectors)", rebuild, args.runs),
        measure("as-of page  /customers/<id>/as-of/", as_of_page, args.runs),
        measure("history page  /customers/<id>/history/", history_page, args.runs),
        measure("diff page  first → current version", diff_page, args.runs),
        measure("API  /api/v1/customers/<id>/as-of/", api_as_of, args.runs),
    ]
    print(
        f"\n{connection.vendor}: {Customer.objects.count():,} files, "
        f"{FileVersion.objects.count():,} versions, {args.runs} runs per case\n"
    )
    print(f"{'case':<44} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, times, queries in results:
        print(f"{name:<44} {statistics.median(times):>10.1f} {p95(times):>8.1f} {queries:>8}")
    if failures:
        print("\nnot 200:", *sorted(set(failures)), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
