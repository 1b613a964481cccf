"""Time the reads of one credit file — the file page, a section, the API detail and a nested
API list — as the department head and the credit manager, against a loaded database.

    CREDFILE_HOME=/tmp/demo100k .venv/bin/python scripts/bench_reads.py --runs 30
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_reads.py

Every read of a file is recorded in the audit trail (who, which file, which section, under
which grant, from where); this script shows what that costs a page. Each case runs --runs
times after a warm-up, rotating over --files different files of the head's department (so no
case is served from one warm row), and reports the median and the 95th percentile, with the
audit events each request wrote and, beside them, the plain SQL of one audit append
(`INSERT` of an event and the chain head's `UPDATE`) timed on the same database.
This is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402


def audit_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM audit_auditevent")
        row = cursor.fetchone()
    return int(row[0] or 0)


def timed(runs: int, call: Callable[[int], Any]) -> tuple[list[float], float]:
    call(0)  # warm-up
    before = audit_count()
    times = []
    for i in range(runs):
        started = time.perf_counter()
        response = call(i)
        times.append((time.perf_counter() - started) * 1000)
        if getattr(response, "status_code", 200) != 200:
            sys.exit(f"answered {response.status_code}")
    return times, (audit_count() - before) / runs


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def plain_append(runs: int) -> list[float]:
    """One audit append in plain SQL (the event row and the head), rolled back each time."""
    times = []
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT bench")
            started = time.perf_counter()
            cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
            seq, prev = cursor.fetchone()
            cursor.execute(
                "INSERT INTO audit_auditevent (seq, prev_hash, hash, occurred_at, actor_label,"
                " action, object_type, object_id, object_repr, customer_id, after, request_id)"
                " VALUES (%s, %s, %s, CURRENT_TIMESTAMP, 'bench', 'view', 'customers.customer',"
                " '1', 'x', 1, '{}', '')",
                [seq + 1, prev, "0" * 64],
            )
            cursor.execute("UPDATE audit_audithead SET seq = %s WHERE id = 1", [seq + 1])
            times.append((time.perf_counter() - started) * 1000)
            cursor.execute("ROLLBACK TO SAVEPOINT bench")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args(argv)
    head = User.objects.get(username="head")
    credit = User.objects.get(username="credit")
    files = list(
        Customer.objects.filter(department=head.department)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.files]
    )
    print(
        f"{Customer.objects.count():,} customers, {audit_count():,} audit events, "
        f"{connection.vendor}; {args.runs} runs over {len(files)} files"
    )
    print(f"{'case':<28} {'who':<8} {'median ms':>10} {'p95 ms':>8} {'events/req':>10}")
    for who, user in (("head", head), ("credit", credit)):
        client = Client()
        client.force_login(user)
        api = Client()
        api.force_login(user)
        cases: dict[str, Callable[[int], Any]] = {
            "file page": lambda i, c=client: c.get(f"/customers/{files[i % len(files)]}/"),
            "section: contacts": lambda i, c=client: c.get(
                f"/customers/{files[i % len(files)]}/contacts/"
            ),
            "API detail": lambda i, c=api: c.get(f"/api/v1/customers/{files[i % len(files)]}/"),
            "API invoices": lambda i, c=api: c.get(
                f"/api/v1/customers/{files[i % len(files)]}/invoices/"
            ),
        }
        for case, call in cases.items():
            times, events = timed(args.runs, call)
            print(
                f"{case:<28} {who:<8} {statistics.median(times):>10.1f} {p95(times):>8.1f}"
                f" {events:>10.1f}"
            )
    append = plain_append(args.runs)
    print(
        f"{'plain SQL audit append':<28} {'':<8} {statistics.median(append):>10.2f} "
        f"{p95(append):>8.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
