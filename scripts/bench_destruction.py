"""Time the destruction of files approved on a destruction list, beside plain SQL deleting
the same kind of rows, on the scratch instance of scripts/bench_lifecycle.py.

    export CREDFILE_HOME=/tmp/lcbench DATABASE_URL=postgres://postgres@127.0.0.1:5432/cf_lcbench
    .venv/bin/python scripts/bench_lifecycle.py --runs 1      # makes the data and a due list
    .venv/bin/python scripts/bench_destruction.py --files 200

It destroys --files of the listed files for good (as their department's head would on the
due list: rows, versions, change requests, the content of their audit events, stored files,
a certificate each), so run it on a scratch instance only. Beside it, for another --files
listed files of the same department, plain SQL deletes their rows table by table (every
table with a customer_id, children first) in one transaction that is rolled back: the floor
of deleting that much, without certificates or the audit trail. Prints both, in seconds
and per file. A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50, help="files per approval")
    args = parser.parse_args()

    import django

    django.setup()
    from django.apps import apps
    from django.db import connection, transaction

    from credfile.accounts.models import User
    from credfile.retention.destruction import destruction_approve
    from credfile.retention.models import DestructionItem

    pending = DestructionItem.objects.filter(kind="file", status="pending").select_related(
        "customer"
    )
    first = pending.first()
    if first is None or first.customer is None:
        print("no file is listed: run scripts/bench_lifecycle.py first", file=sys.stderr)
        return 2
    department = first.customer.department_id
    head = User.objects.filter(role="department_head", department_id=department).first()
    if head is None:
        head = User.objects.create(
            username=f"bench.head.{department}", role="department_head", department_id=department
        )
    items = list(
        pending.filter(customer__department_id=department)
        .order_by("pk")
        .values_list("pk", "customer_id")[: 2 * args.files]
    )
    if len(items) < 2 * args.files:
        print(f"only {len(items)} files listed in the department; use --files {len(items) // 2}")
        return 2
    ours, theirs = items[: args.files], items[args.files :]

    batches = []
    destroyed = 0
    for start in range(0, len(ours), args.batch):
        ids = [pk for pk, _customer in ours[start : start + args.batch]]
        began = time.perf_counter()
        outcome = destruction_approve(actor=head, item_ids=ids)
        batches.append(time.perf_counter() - began)
        destroyed += len(outcome.certificates)

    # Every table with a customer_id, children (those pointing at others) first.
    tables = []
    for model in apps.get_models():
        fields = {f.column for f in model._meta.concrete_fields}
        if "customer_id" in fields and model._meta.db_table not in {
            "audit_auditevent",
            "retention_destructioncertificate",
            "retention_deletionrequest",
            "retention_destructionitem",
        }:
            tables.append(model._meta.db_table)
    customers = [customer for _pk, customer in theirs]
    quote = connection.ops.quote_name
    began = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(customers))
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cursor.execute("PRAGMA defer_foreign_keys = ON")
            cursor.execute(
                "DELETE FROM transactions_paymentallocation WHERE invoice_id IN "
                f"(SELECT id FROM transactions_invoice WHERE customer_id IN ({marks}))",
                customers,
            )
            for table in tables:
                cursor.execute(
                    f"DELETE FROM {quote(table)} WHERE customer_id IN ({marks})",
                    customers,
                )
            cursor.execute(
                f"DELETE FROM customers_customer WHERE id IN ({marks})",
                customers,
            )
        plain = time.perf_counter() - began
        transaction.set_rollback(True)

    total = sum(batches)
    print(
        f"database: {connection.vendor}; files destroyed: {destroyed} in {len(batches)} approvals"
    )
    print(f"credfile  {total:8.2f} s  {1000 * total / max(destroyed, 1):7.1f} ms per file")
    print(f"          median approval of {args.batch}: {statistics.median(batches):.2f} s")
    print(
        f"plain SQL {plain:8.2f} s  {1000 * plain / len(customers):7.1f} ms per file (rolled back)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
