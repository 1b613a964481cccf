"""Cost of field encryption: customers created per second through customer_create, with the
real sealing (AES-256-GCM + HMAC blind indexes) and with sealing replaced by a pass-through.

    CREDFILE_HOME=/tmp/encbench python scripts/bench_encryption.py [--customers 1000]

Uses a scratch instance (created if empty); each run adds customers with fresh ID numbers.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from stdnum.cn import ric

    from credfile.accounts.models import Department, User
    from credfile.accounts.services import department_create, user_create
    from credfile.core import crypto, sealed
    from credfile.customers.services import customer_create

    call_command("keys", "init", "--if-missing")
    call_command("migrate", verbosity=0)
    department = Department.objects.filter(code="BENCH").first() or department_create(
        code="BENCH", name="基准测试部"
    )
    user = User.objects.filter(username="bench").first() or user_create(
        username="bench",
        password="x",
        role="account_manager",
        department_code="BENCH",
        check_password=False,
    )
    rng = random.Random()

    def person() -> dict[str, str]:
        body = f"110105{rng.randrange(1950, 2000)}0{rng.randrange(1, 10)}1{rng.randrange(1, 10)}"
        body += f"{rng.randrange(1, 999):03d}"
        return {
            "kind": "individual",
            "name": f"测试{rng.randrange(10**9)}",
            "id_number": body + ric.calc_check_digit(body + "0"),
            "phone": f"+86138{rng.randrange(10**8):08d}",
            "bank_account": f"6222{rng.randrange(10**15):015d}",
        }

    @contextmanager
    def plaintext() -> Iterator[None]:
        saved = sealed.seal, sealed.unseal, sealed.blind_index
        sealed.seal = lambda text, aad: "cf1$plain$" + text  # type: ignore[assignment]
        sealed.unseal = lambda token, aad: token.split("$", 2)[2]  # type: ignore[assignment]
        sealed.blind_index = lambda purpose, text: text[:40]  # type: ignore[assignment]
        try:
            yield
        finally:
            sealed.seal, sealed.unseal, sealed.blind_index = saved

    def run(label: str) -> float:
        rows = [person() for _ in range(args.customers)]
        started = time.perf_counter()
        for fields in rows:
            customer_create(actor=user, fields=fields, confirm_similar_name=True)
        rate = args.customers / (time.perf_counter() - started)
        print(f"{label:<32} {rate:8.1f} customers/s")
        return rate

    ring = crypto.key_ring()
    token = crypto.seal("110105194912310021", b"x", ring=ring)
    started = time.perf_counter()
    for _ in range(20000):
        crypto.unseal(token, b"x", ring=ring)
    print(f"{'unseal one value':<32} {(time.perf_counter() - started) / 20000 * 1e6:8.1f} µs")
    encrypted = run("with encryption")
    with plaintext():
        baseline = run("sealing replaced (baseline)")
    print(
        f"cost of encryption: {100 * (baseline - encrypted) / baseline:.1f} % of create rate"
        f" ({department.code})"
    )


if __name__ == "__main__":
    main()
