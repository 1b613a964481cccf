"""Fill a scratch database with N audit events, then time `credfile audit verify` and the
auditor's page.

    CREDFILE_HOME=/tmp/auditbench .venv/bin/python scripts/bench_audit.py --events 1000000
    DATABASE_URL=postgres://.../scratch .venv/bin/python scripts/bench_audit.py --events 100000

The database comes from the environment like the application's and is migrated first. Use a
scratch one: the events are made up. They are inserted in bulk (bulk_create, not
audit_record per row) with the chain computed here in Python, so the result verifies like a
real trail: seq gapless, each hash over the canonical content and the previous hash, times
growing with seq over two years, fifty actors, 50,000 customers and the usual mix of
actions. A trail already in the database is continued, not replaced. On PostgreSQL the bulk
load steps past the append-only triggers (session_replication_role), so the database role
must be a superuser — another reason to use a scratch database.

Then, signed in as an auditor through Django's test client, it times the first page, single
filters (actor, customer, action, object type, one day), combined filters, a deep keyset
page (from a cursor in the middle of the trail, and 20 pages of "next" from there), and a CSV
export of one customer's events. Each case runs --runs times after one warm-up; the report
gives the median and 95th percentile and the SQL queries of one request. This is a measuring
tool, not a test: it exits non-zero only when a page does not answer 200 or verify fails.
"""

from __future__ import annotations

import argparse
import datetime
import io
import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")
# Django's test client calls itself "testserver".
os.environ["CREDFILE_ALLOWED_HOSTS"] = ",".join(
    filter(None, [os.environ.get("CREDFILE_ALLOWED_HOSTS", ""), "testserver"])
)
os.environ.setdefault("CREDFILE_LANGUAGE", "en")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.models import User  # noqa: E402
from credfile.audit.chain import GENESIS_HASH, event_hash  # noqa: E402
from credfile.audit.models import AuditEvent, AuditHead  # noqa: E402
from credfile.core.pagination import encode_cursor  # noqa: E402

BATCH = 10_000
ACTORS = 50
CUSTOMERS = 50_000
SPAN = datetime.timedelta(days=730)
NEXT_LINK = re.compile(r'rel="next"\s+href="\?([^"]*)"')
# (action, object type, weight): mostly changes to files, some sign-ins, a few refusals.
MIX = [
    ("update", "customers.customer", 30),
    ("create", "customers.contact", 10),
    ("create", "transactions.invoice", 15),
    ("update", "transactions.payment", 10),
    ("create", "interactions.note", 10),
    ("create", "financials.financialstatement", 3),
    ("delete", "customers.contact", 2),
    ("login", "accounts.user", 12),
    ("logout", "accounts.user", 5),
    ("login_failed", "accounts.user", 2),
    ("access_denied", "customers.customer", 1),
]


def _users() -> tuple[User, list[User]]:
    auditor, _ = User.objects.get_or_create(
        username="bench.auditor", defaults={"role": "auditor", "display_name": "审计员"}
    )
    actors = []
    for n in range(ACTORS):
        user, _ = User.objects.get_or_create(
            username=f"bench.user{n:02d}",
            defaults={"role": "account_manager", "display_name": f"员工{n:02d}"},
        )
        actors.append(user)
    return auditor, actors


def insert_events(total: int, actors: list[User], seed: int) -> float:
    """Append `total` chained events in bulk; the seconds it took."""
    rng = random.Random(seed)
    actions = [(a, t) for a, t, w in MIX for _ in range(w)]
    head = AuditHead.objects.filter(pk=1).first()
    seq = head.seq if head else 0
    prev = head.hash if head else GENESIS_HASH
    now = timezone.now()
    start = now - SPAN if head is None or head.occurred_at is None else head.occurred_at
    step = (now - start) / max(total, 1)
    began = time.perf_counter()
    written = 0
    while written < total:
        count = min(BATCH, total - written)
        rows = []
        for i in range(count):
            seq += 1
            n = written + i
            actor = actors[rng.randrange(ACTORS)]
            action, object_type = actions[rng.randrange(len(actions))]
            customer_id = rng.randrange(1, CUSTOMERS + 1)
            is_user = object_type == "accounts.user"
            fields: dict[str, Any] = {
                "seq": seq,
                "prev_hash": prev,
                "occurred_at": start + step * n,
                "actor_id": None if action == "login_failed" else actor.pk,
                "actor_label": "anonymous" if action == "login_failed" else str(actor),
                "action": action,
                "object_type": object_type,
                "object_id": str(actor.pk if is_user else rng.randrange(1, 10_000_000)),
                "object_repr": actor.username if is_user else f"客户{customer_id:08d}",
                "customer_id": None if is_user else customer_id,
                "before": None if action != "update" else {"city": "北京市", "version": n % 7},
                "after": {"city": "天津市", "version": n % 7 + 1, "phone": "138****5678"}
                if not is_user
                else None,
                "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "request_id": uuid.UUID(int=rng.getrandbits(128)).hex,
            }
            fields["hash"] = prev = event_hash(**fields)
            rows.append(AuditEvent(**fields))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The head may only move one event at a time (audit.0004's trigger); a bulk
                # load moves it by a batch, as a restore would: needs a superuser.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            AuditEvent.objects.bulk_create(rows)
            AuditHead.objects.update_or_create(
                pk=1, defaults={"seq": seq, "hash": prev, "occurred_at": rows[-1].occurred_at}
            )
        written += count
        rate = written / (time.perf_counter() - began)
        print(f"\r  inserted {written:,} of {total:,} ({rate:,.0f}/s)", end="", flush=True)
    print()
    return time.perf_counter() - began


def time_verify() -> tuple[float, str]:
    out = io.StringIO()
    began = time.perf_counter()
    call_command("audit", "verify", stdout=out)
    return time.perf_counter() - began, out.getvalue().strip()


def auditor_client(auditor: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(auditor)
    try:  # the auditor role signs in with a second factor; mark this session as verified
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=auditor, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    except ImportError:
        pass
    return client


def measure(runs: int, fetch: Callable[[], Any]) -> tuple[list[float], int, Any]:
    fetch()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        result = fetch()
    # Counted now: the log goes when the connection is closed at the end of a request.
    count = len(queries)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - began) * 1000)
    return times, count, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-insert", action="store_true", help="time an existing trail")
    args = parser.parse_args()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    key_file = getattr(settings, "CREDFILE_KEY_FILE", None)
    if key_file is not None and not key_file.exists():
        call_command("keys", "init", stdout=io.StringIO())  # a scratch instance needs one too
    call_command("migrate", verbosity=0)
    auditor, actors = _users()
    if not args.skip_insert:
        seconds = insert_events(args.events, actors, args.seed)
        print(f"insert: {args.events:,} events in {seconds:.1f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
    total = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    print(f"trail: {total:,} events")

    seconds, report = time_verify()
    print(f"verify: {seconds:.1f} s — {report.splitlines()[0]}")
    if "intact" not in report:
        print(report)
        return 1

    client = auditor_client(auditor)
    url = reverse("audit:list")
    # Filters that match something: the day, file and actor of an event near the middle.
    middle = (
        AuditEvent.objects.filter(
            seq__gte=max(1, total // 2), actor__isnull=False, customer_id__isnull=False
        )
        .order_by("seq")
        .values_list("occurred_at", "customer_id", "actor__username")
        .first()
    )
    if middle is None:
        print("no event with an actor and a customer to filter by")
        return 1
    day = timezone.localtime(middle[0]).date().isoformat()
    customer, actor = str(middle[1]), middle[2]
    deep = encode_cursor([max(1, total // 2)], "next")
    cases: list[tuple[str, dict[str, str]]] = [
        ("first page", {}),
        ("actor", {"actor": actor}),
        ("customer", {"customer": customer}),
        ("action: login_failed", {"action": "login_failed"}),
        ("action: access_denied", {"action": "access_denied"}),
        ("object type: financial statement", {"object_type": "financials.financialstatement"}),
        ("one day", {"date_from": day, "date_to": day}),
        ("actor + one day", {"actor": actor, "date_from": day, "date_to": day}),
        ("action + from a date", {"action": "delete", "date_from": day}),
        ("deep keyset page (middle)", {"cursor": deep}),
        ("deep keyset page, actor", {"actor": actor, "cursor": deep}),
    ]
    print(f"\n{'case':<36}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'rows':>6}")
    failed = False
    for name, query in cases:

        def fetch(query: dict[str, str] = query) -> Any:
            return client.get(url, query)

        times, queries, response = measure(args.runs, fetch)
        rows = response.content.count(b"data-seq=") if response.status_code == 200 else -1
        failed |= response.status_code != 200
        print(f"{name:<36}{statistics.median(times):>10.1f}{p95(times):>9.1f}{queries:>9}{rows:>6}")

    # Twenty clicks on "next" from the middle of the trail: each page costs the same.
    params = f"cursor={deep}"
    began = time.perf_counter()
    for _ in range(20):
        response = client.get(f"{url}?{params}")
        match = NEXT_LINK.search(response.content.decode())
        if match is None:
            break
        params = match.group(1).replace("&amp;", "&")
    per_page = (time.perf_counter() - began) * 1000 / 20
    print(f"{'20 × next from the middle, per page':<36}{per_page:>10.1f}")

    def export() -> Any:
        response = client.get(reverse("audit:export_csv"), {"customer": customer})
        return b"".join(response.streaming_content)

    times, _queries, body = measure(max(1, args.runs // 2), export)
    exported = body.count(b"\n") - 1
    print(
        f"{'CSV export, one customer':<36}{statistics.median(times):>10.1f}{p95(times):>9.1f}"
        f"{'':>9}{exported:>6}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
