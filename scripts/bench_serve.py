"""Requests per second and latency of `credfile serve`, beside the plain SQL of each page.

    CREDFILE_HOME=/tmp/bench DATABASE_URL=postgres://…/cf_serve_bench CREDFILE_OTP_REQUIRED_ROLES= \
        .venv/bin/python scripts/bench_serve.py [--seconds 10] [--concurrency 1,8,32]

The instance must hold demo data (`credfile demo --customers 100000 --seed 1`). The script
runs `credfile collectstatic`, starts `credfile serve` on a free port (workers and threads as
CREDFILE_SERVE_* say), signs the demo user in over HTTP and takes an API token, then loads
each case with wrk (`apt-get install wrk`; scripts/bench_serve.lua sends the cookie or the
token and reports p50/p95/p99) for --seconds at each concurrency:

- a static file (the hashed app.css): the server's own cost, the trivial baseline;
- the customer list page `/customers/` (first page, no filter);
- the file API `GET /api/v1/customers/<id>/` (one file, always the same);
- beside each of the last two, the SELECT statements that request ran, captured once through
  Django's test client and replayed by psycopg (one connection per client) with no Django
  around them: the plain SQL of the page. The API read's audit record (an INSERT into the
  hash-chained trail) is not replayed, so that difference is the audit write and Django.

wrk and the server share the machine; the figures are for comparing, not for sizing.
Prints a Markdown table. A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver", "127.0.0.1"])
)
os.environ.setdefault("CREDFILE_LANGUAGE", "en")

import django

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "credfile-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def credfile(*args: str) -> list[str]:
    return [sys.executable, "-m", "credfile", *args]


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        credfile("serve", "--bind", f"127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("credfile serve did not answer")


def sign_in(base: str, username: str) -> str:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    answer = session.post(
        f"{base}/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
    )
    assert answer.status_code == 200 and "sessionid" in session.cookies, answer.status_code
    return str(session.cookies["sessionid"])


def wrk(url: str, concurrency: int, seconds: int, header: tuple[str, str] | None) -> dict[str, Any]:
    env = {**os.environ, "BENCH_HEADER_NAME": "", "BENCH_HEADER_VALUE": ""}
    if header:
        env["BENCH_HEADER_NAME"], env["BENCH_HEADER_VALUE"] = header
    threads = min(concurrency, 2)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "bench_serve.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def captured_selects(user: User, path: str) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get(path)  # warm: the first request loads what later ones find ready
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    statements = []
    for query in queries.captured_queries:
        sql = query["sql"].strip()
        # A queryset read with .iterator() arrives as a server-side cursor's DECLARE.
        if sql.upper().startswith("DECLARE"):
            sql = sql[sql.upper().index(" FOR ") + 5 :]
        if sql.upper().startswith(("SELECT", "WITH")):
            statements.append(sql)
    return statements


def replay(statements: list[str], concurrency: int, seconds: int) -> dict[str, Any]:
    """Each client runs the statements in turn, as one request, for `seconds`."""
    import psycopg

    db = settings.DATABASES["default"]
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
            options="-c jit=off",
            autocommit=True,
        ) as conn:
            while time.monotonic() < stop:
                started = time.perf_counter()
                for sql in statements:
                    conn.execute(sql.encode()).fetchall()
                mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return {
        "rps": len(ordered) / elapsed,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "errors": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--user", default="credit")
    parser.add_argument(
        "--cases", default="static,page,page-sql,api,api-sql", help="which cases, in this order"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    levels = [int(v) for v in args.concurrency.split(",")]
    postgres = connection.vendor == "postgresql"

    subprocess.run(credfile("collectstatic", "--no-input", "-v0"), check=True)
    user = User.objects.get(username=args.user)
    middle = Customer.objects.count() // 2
    customer = Customer.objects.order_by("pk").values_list("pk", flat=True)[middle]
    detail = f"/api/v1/customers/{customer}/"
    list_sql = captured_selects(user, "/customers/")
    detail_sql = captured_selects(user, detail)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        page = requests.get(f"{base}/accounts/login/").text
        css = re.search(r'href="(/static/credfile/app\.[0-9a-f]+\.css)"', page)
        assert css, "run credfile collectstatic first"
        cookie = f"sessionid={sign_in(base, args.user)}"
        signed_in = requests.get(f"{base}/customers/", headers={"Cookie": cookie})
        assert signed_in.status_code == 200 and signed_in.url.endswith("/customers/"), signed_in.url
        token = requests.post(
            f"{base}/api/v1/auth/token/", json={"username": args.user, "password": PASSWORD}
        ).json()["token"]
        available: dict[str, tuple[str, Any]] = {
            "static": (
                "static file (hashed app.css)",
                lambda c: wrk(base + css.group(1), c, args.seconds, None),
            ),
            "page": (
                "`/customers/`, first page",
                lambda c: wrk(f"{base}/customers/", c, args.seconds, ("Cookie", cookie)),
            ),
            "page-sql": (
                f"plain SQL of the page ({len(list_sql)} SELECTs)",
                lambda c: replay(list_sql, c, args.seconds),
            ),
            "api": (
                "`GET /api/v1/customers/<id>/`",
                lambda c: wrk(base + detail, c, args.seconds, ("Authorization", f"Bearer {token}")),
            ),
            "api-sql": (
                f"plain SQL of the API read ({len(detail_sql)} SELECTs)",
                lambda c: replay(detail_sql, c, args.seconds),
            ),
        }
        # The statements are replayed with psycopg, so on PostgreSQL only.
        chosen = [c for c in args.cases.split(",") if postgres or not c.endswith("-sql")]
        cases = [available[c] for c in chosen]
        rows = []
        for name, run in cases:
            for level in levels:
                figures = run(level)
                rows.append((name, level, figures))
                print(
                    f"{name} c={level}: {figures['rps']:.1f}/s p50 {figures['p50']:.1f} ms "
                    f"p95 {figures['p95']:.1f} ms p99 {figures['p99']:.1f} ms "
                    f"errors {figures['errors']}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    print(
        f"\n{Customer.objects.count():,} customers; {settings.CREDFILE_SERVE_WORKERS} workers × "
        f"{settings.CREDFILE_SERVE_THREADS} threads; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| case | clients | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for name, level, f in rows:
        print(
            f"| {name} | {level} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p95']:.1f} | "
            f"{f['p99']:.1f} | {f['errors']} |"
        )


if __name__ == "__main__":
    main()
