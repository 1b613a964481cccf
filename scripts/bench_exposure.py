"""Time POST /api/v1/exposure-checks/ under concurrent callers, as an ERP would call it.

    CREDFILE_HOME=/tmp/demo .venv/bin/credfile runserver 127.0.0.1:8000 &
    CREDFILE_HOME=/tmp/demo .venv/bin/python scripts/bench_exposure.py \\
        --url http://127.0.0.1:8000 --requests 400 --threads 8 --seed-limits

The script signs in through POST /api/v1/auth/token/ (a credit manager by default, the
demo's `credit`), picks --files customers of the instance it shares CREDFILE_HOME or
DATABASE_URL with, and fires --requests checks from --threads threads, each for a random one
of those files and a random amount. With --seed-limits it first gives each picked file a
limit in CNY (and an open order) where it has none, so that checks run the whole rule set
rather than stopping at "no limit". It prints the median, the 95th percentile and the
slowest answer, and the answers per second. This is a measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.customers.models import Customer  # noqa: E402
from credfile.limits.models import CreditLimit, OpenOrder  # noqa: E402


def token(url: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/auth/token/", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        return str(json.load(response)["token"])


def seed(codes: list[str]) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        for customer in Customer.objects.filter(code__in=codes):
            if not CreditLimit.objects.filter(customer=customer, status="active").exists():
                CreditLimit.objects.create(
                    customer=customer,
                    currency="CNY",
                    amount=Decimal(random.randrange(1, 50) * 100_000),
                    valid_from=today,
                    valid_until=today + datetime.timedelta(days=365),
                )
            OpenOrder.objects.get_or_create(
                customer=customer,
                reference="BENCH-1",
                defaults={"amount": Decimal("50000"), "kind": "order"},
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="credit")
    parser.add_argument("--password", default="credfile-demo")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed-limits", action="store_true")
    args = parser.parse_args()
    codes = list(Customer.objects.order_by("?").values_list("code", flat=True)[: args.files])
    if not codes:
        raise SystemExit("no customers: load some with `credfile demo --customers 2000`")
    if args.seed_limits:
        seed(codes)
    auth = {"Authorization": f"Bearer {token(args.url, args.user, args.password)}"}
    local = threading.local()
    outcomes: dict[bool, int] = {True: 0, False: 0}
    lock = threading.Lock()

    def one(i: int) -> float:
        rng = getattr(local, "rng", None) or random.Random(i)
        local.rng = rng
        body = json.dumps(
            {
                "customer": rng.choice(codes),
                "amount": str(rng.randrange(1, 2000) * 1000),
                "currency": "CNY",
            }
        ).encode()
        request = urllib.request.Request(
            f"{args.url}/api/v1/exposure-checks/",
            body,
            {"Content-Type": "application/json", **auth},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            answer = json.load(response)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            outcomes[bool(answer["allowed"])] += 1
        return elapsed

    one(0)  # warm-up
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        times = sorted(pool.map(one, range(1, args.requests + 1)))
    wall = time.perf_counter() - started
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(
        f"{len(times)} checks, {args.threads} threads, {len(codes)} files: "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms, "
        f"{len(times) / wall:.0f} checks/s ({outcomes[True]} allowed, {outcomes[False]} refused)"
    )


if __name__ == "__main__":
    main()
