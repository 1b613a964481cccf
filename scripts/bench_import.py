"""Time the import of customers and invoices against a plain bulk insert of the same rows.

    CREDFILE_HOME=/tmp/importbench .venv/bin/python scripts/bench_import.py
    DATABASE_URL=postgres://.../scratch .venv/bin/python scripts/bench_import.py --customers 10000

Uses the database from the environment, migrated first; use a scratch one. It writes a CSV
of --customers customers (half individuals with valid ID numbers, half organisations with
valid credit codes) and one of --invoices invoices on them, then times, for each:

- plain: `bulk_create` of the same rows in one transaction, no checks, no encryption (the
  identity numbers go in as they are), no history and no audit; rolled back afterwards;
- import: `imports.services.import_file`, with every row's checks, sealing, blind indexes,
  a history version and an audit event per record, committed.

It prints rows per second of each. A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ.setdefault("CREDFILE_LANGUAGE", "en")

import django

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from stdnum.cn import ric, uscc  # noqa: E402

from credfile.accounts.models import Department, User  # noqa: E402
from credfile.accounts.services import department_create, user_create  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.imports.services import import_file  # noqa: E402
from credfile.transactions.models import Invoice  # noqa: E402


class _Rollback(Exception):
    pass


def _resident_id(n: int) -> str:
    born = datetime.date(1980, 1, 1) + datetime.timedelta(days=n // 900)
    body = f"110105{born:%Y%m%d}{n % 900 + 100:03d}"
    return body + ric.calc_check_digit(body + "0")


def _credit_code(n: int) -> str:
    body = f"91330100{n:09d}"
    return body + uscc.calc_check_digit(body)


def customer_rows(count: int, run: int) -> list[list[str]]:
    rows = []
    for n in range(count):
        code = f"B{run}-{n:07d}"
        if n % 2:
            rows.append(
                [
                    code,
                    "单位",
                    f"杭州{n}号制造有限公司",
                    "",
                    _credit_code(run * 10**7 + n),
                    "",
                    "浙江省杭州市西湖区",
                    "制造业",
                ]
            )
        else:
            rows.append(
                [
                    code,
                    "个人",
                    f"客户{n}",
                    _resident_id(run * 10**6 + n),
                    "",
                    "13800138000",
                    "北京市朝阳区",
                    "",
                ]
            )
    return rows


def invoice_rows(count: int, codes: list[str]) -> list[list[str]]:
    start = datetime.date(2025, 1, 1)
    rows = []
    for n in range(count):
        issued = start + datetime.timedelta(days=n % 300)
        rows.append(
            [
                f"INV{n:08d}",
                codes[n % len(codes)],
                issued.isoformat(),
                (issued + datetime.timedelta(days=30)).isoformat(),
                f"{1000 + n % 5000}.50",
                "CNY",
            ]
        )
    return rows


def to_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def plain_customers(rows: list[list[str]], manager: User) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            objs = []
            for n, (code, kind, name, id_number, credit, phone, _region, _industry) in enumerate(
                rows
            ):
                obj = Customer(
                    code=f"X{n:09d}",
                    external_code=code,
                    kind="individual" if kind == "个人" else "organization",
                    name=name,
                    name_key=name,
                    credit_code=credit,
                    department_id=manager.department_id,
                    account_manager=manager,
                    province="33",
                    city="杭州市",
                )
                # Plain: the values as they come, past the sealing property.
                obj.id_number_enc, obj.phone_enc = id_number, phone
                objs.append(obj)
            Customer.objects.bulk_create(objs, batch_size=1000)
            raise _Rollback
    except _Rollback:
        pass
    return time.perf_counter() - started


def plain_invoices(rows: list[list[str]], by_code: dict[str, int]) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            objs = [
                Invoice(
                    customer_id=by_code[customer],
                    number=number,
                    issue_date=datetime.date.fromisoformat(issued),
                    due_date=datetime.date.fromisoformat(due),
                    payment_terms_days=30,
                    amount=Decimal(amount),
                    currency=currency,
                )
                for number, customer, issued, due, amount, currency in rows
            ]
            Invoice.objects.bulk_create(objs, batch_size=1000)
            raise _Rollback
    except _Rollback:
        pass
    return time.perf_counter() - started


def report(kind: str, n: int, plain: float, imported: float) -> None:
    print(
        f"{kind:<10} {n:>7} rows  plain bulk insert {n / plain:>9,.0f} rows/s ({plain:.2f} s)"
        f"   import {n / imported:>8,.0f} rows/s ({imported:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    department = Department.objects.filter(code="BENCH").first() or department_create(
        code="BENCH", name="基准测试部"
    )
    manager = User.objects.filter(username="bench.manager").first() or user_create(
        username="bench.manager",
        password="bench-password-1234",
        role="account_manager",
        department_code=department.code,
        display_name="基准",
        check_password=False,
    )
    run = (
        Customer.objects.filter(external_code__startswith="B").count() // max(args.customers, 1) + 1
    )
    customers = customer_rows(args.customers, run)
    headers = [
        "external_code",
        "kind",
        "name",
        "id_number",
        "credit_code",
        "phone",
        "region",
        "industry",
    ]
    plain = plain_customers(customers, manager)
    started = time.perf_counter()
    result = import_file(actor=manager, kind="customers", data=to_csv(headers, customers))
    imported = time.perf_counter() - started
    assert result.imported and result.created == args.customers, result.errors[:5]
    n = args.customers
    report("customers", n, plain, imported)

    codes = [row[0] for row in customers]
    invoices = invoice_rows(args.invoices, codes)
    by_code = dict(
        Customer.objects.filter(external_code__in=codes).values_list("external_code", "pk")
    )
    plain = plain_invoices(invoices, by_code)
    started = time.perf_counter()
    result = import_file(
        actor=manager,
        kind="invoices",
        data=to_csv(
            ["invoice_no", "customer", "invoice_date", "due_date", "amount", "currency"], invoices
        ),
    )
    imported = time.perf_counter() - started
    assert result.imported and result.created == args.invoices, result.errors[:5]
    n = args.invoices
    report("invoices", n, plain, imported)


if __name__ == "__main__":
    main()
