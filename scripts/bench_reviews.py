"""Time the daily review job and the review queue over a large database.

    CREDFILE_HOME=/tmp/rev100k .venv/bin/credfile keys init
    CREDFILE_HOME=/tmp/rev100k .venv/bin/credfile migrate
    CREDFILE_HOME=/tmp/rev100k .venv/bin/credfile demo --customers 100000 --seed 1
    CREDFILE_HOME=/tmp/rev100k .venv/bin/python scripts/bench_reviews.py

(or with DATABASE_URL=postgres://… for PostgreSQL). Use a scratch instance: the script
removes and rebuilds the review state of every file, and sends the reminders of the demo
data (to the console e-mail backend by default; it switches to the in-memory one).

It times: the first run of the daily job (every review-state row created), the daily run
with the rows in place (recomputing every file), reminders and escalations; then, signed
in through Django's test client, the queue page as a department head, an account manager
and a credit manager (first page, the overdue filter, 20 pages on) and the API queue.
Each page runs --runs times after one warm-up; the report gives the median and the 95th
percentile, and the number of SQL queries of one request. A measuring tool, not a test: it
exits non-zero only when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import datetime
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
os.environ.setdefault("CREDFILE_LANGUAGE", "en")
os.environ["CREDFILE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.reviews import services  # noqa: E402
from credfile.reviews.models import Notification, ReviewSchedule  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def report(label: str, seconds: list[float], queries: int | None = None) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    extra = f"  {queries} queries" if queries is not None else ""
    print(f"  {label:<52} median {statistics.median(ms):9.1f} ms  p95 {p95:9.1f} ms{extra}")


def bench_job(runs: int) -> None:
    print(f"Daily job over {Customer.objects.count():,} files ({connection.vendor})")
    ReviewSchedule.objects.all().delete()
    Notification.objects.all().delete()
    seconds, _changed = timed(services.schedules_refresh)
    rows = ReviewSchedule.objects.count()
    report(f"first computation (creates {rows:,} review states)", [seconds])
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk insert: fresh statistics, visibility map set.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reviews_reviewschedule")
    times = [timed(services.schedules_refresh)[0] for _ in range(runs)]
    report("daily computation (recomputes every file, none changed)", times)
    # A day later: every file's data quality is recomputed against a later date.
    later = timezone.localdate() + datetime.timedelta(days=200)
    seconds, changed = timed(lambda: services.schedules_refresh(today=later))
    report(f"computation 200 days on ({changed:,} files changed)", [seconds])
    services.schedules_refresh()
    seconds, sent = timed(services.reminders_send)
    report(f"reminders ({sent['due_files']:,} due, {sent['due_soon_files']:,} soon)", [seconds])
    seconds, sent = timed(services.escalations_send)
    report(f"escalations ({sent['escalated_files']:,} files)", [seconds])
    times = [timed(services.reminders_send)[0] for _ in range(runs)]
    report("reminders again (nothing new to send)", times)


def page(client: Client, url: str, params: dict[str, str], runs: int) -> tuple[list[float], int]:
    response = client.get(url, params)  # warm-up
    if response.status_code != 200:
        print(f"{url} {params} answered {response.status_code}", file=sys.stderr)
        sys.exit(1)
    # Each request starts with an empty query log (request_started resets it).
    connection.force_debug_cursor = True
    client.get(url, params)
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    times = [timed(lambda: client.get(url, params))[0] for _ in range(runs)]
    return times, queries


def deep_cursor(client: Client, url: str, pages: int) -> str:
    cursor = ""
    for _ in range(pages):
        response = client.get(url, {"state": "all", **({"cursor": cursor} if cursor else {})})
        next_cursor = response.context["page"].next_cursor
        if not next_cursor:
            break
        cursor = next_cursor
    return cursor


def bench_queue(runs: int) -> None:
    print(f"Review queue (page size {settings.CREDFILE_PAGE_SIZE})")
    url = reverse("reviews:queue")
    for username in ("head", "manager", "credit"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        if username == "credit":  # a second factor is not what is measured here
            from credfile.accounts.otp import otp_required

            if otp_required(user):
                print("  (credit manager needs a second factor; skipped)")
                continue
        who = f"{username} ({user.get_role_display()})"
        for label, params in (
            ("due or overdue, first page", {}),
            ("overdue only", {"state": "overdue"}),
            ("all files, high risk", {"state": "all", "risk": "high"}),
        ):
            times, queries = page(client, url, params, runs)
            report(f"{who}: {label}", times, queries)
        cursor = deep_cursor(client, url, 20)
        times, queries = page(client, url, {"state": "all", "cursor": cursor}, runs)
        report(f"{who}: 21st page of all files", times, queries)
    api = Client()
    api.force_login(User.objects.get(username="head"))
    times, queries = page(api, "/api/v1/reviews/", {}, runs)
    report("API /api/v1/reviews/ as head", times, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per case")
    parser.add_argument("--skip-job", action="store_true", help="only time the pages")
    args = parser.parse_args()
    setup_test_environment()  # the test client then keeps each page's template context
    if not Customer.objects.exists():
        sys.exit("The database has no customers: load them with `credfile demo` first.")
    print(f"today {timezone.localdate()}")
    if not args.skip_job:
        bench_job(max(args.runs // 3, 2))
    bench_queue(args.runs)


if __name__ == "__main__":
    main()
