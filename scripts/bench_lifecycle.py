"""Time the archive's daily life-cycle work on a scratch instance: the due list of the daily
job `retention.due` and the integrity inspection (`credfile archive inspect`), each beside
plain work giving the same result on the same database.

    export CREDFILE_HOME=/tmp/lcbench DATABASE_URL=postgres://postgres@127.0.0.1:5432/cf_lcbench
    .venv/bin/python -m credfile keys init --if-missing
    .venv/bin/python -m credfile migrate
    .venv/bin/python -m credfile demo --customers 100000
    .venv/bin/python scripts/bench_lifecycle.py --documents 100000 --sealed 1000 --runs 5

(Without DATABASE_URL the same runs on SQLite in $CREDFILE_HOME.) The database and the
"documents" and "archive" storages come from the environment like the application's. Use a
scratch instance: the first run makes up data and writes it straight to the tables, without
audit records or file versions, as a load would:

- --settled (default 10%) of the customers become settled files with a settled date spread
  evenly over the --years (default 8) years before --today (the demo's settled and archived
  files are among them and get their dates too), so under the shipped five-year rules about
  three eighths are due; a legal hold on every hundredth of them;
- --documents documents of ~--size bytes on two in five of the files that are not archived,
  dated over the same years, written to the storage and inserted with bulk_create (name,
  size and checksum as an attach records them); --sealed of them go through
  `document_attach` as ID copies, sealed at rest, so the inspection opens each;
- --negative cleared watch-list entries (negative records, risk.WatchEntry), cleared over the
  same years, and a tenth as many still active.

A later run finds the data (documents titled "lcbench …") and reuses it. Every run starts by
removing the destruction lists, so the first day finds everything due at once.

Timed, --runs times each (the median is reported, n stated):

- `retention.due` on --today: the job's function (destruction_list_make: one query per rule,
  the items inserted, the audit event), each run in a transaction rolled back afterwards;
  then the day's list is kept, and the next day is timed the same way (nothing new but
  what falls due that day). Beside it, one SELECT count(*) per record kind joining the same
  tables with the same date, hold and "not listed yet" conditions.
- `archive inspect` (inspection_run: every document against its checksum, the storages for
  orphans, the audit chain). Beside it, `sha256sum` over the same stored files (sealed
  ones as stored; the inspection opens them), page cache warm for both.

On PostgreSQL the tables are given the VACUUM ANALYZE autovacuum would have run after the
load. This is a measuring tool, not a test: it exits non-zero only when the job's count and
the plain SQL's differ or the inspection finds a problem.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from credfile.accounts.choices import Role  # noqa: E402
from credfile.accounts.models import User  # noqa: E402
from credfile.customers.models import Customer  # noqa: E402
from credfile.documents.models import Document  # noqa: E402
from credfile.documents.services import (  # noqa: E402
    archive_storage,
    document_attach,
    document_storage,
)
from credfile.inspections.services import inspection_run  # noqa: E402
from credfile.retention.models import (  # noqa: E402
    DestructionItem,
    DestructionList,
    FileLifecycle,
    LegalHold,
    RetentionRule,
)
from credfile.retention.schedule import latest_start_due, months_before  # noqa: E402
from credfile.reviews.jobs import JOBS  # noqa: E402
from credfile.risk.models import RiskRule, WatchEntry  # noqa: E402

TITLE = "lcbench"
BATCH = 2000


def _chunks(items: list[Any], size: int = BATCH) -> Any:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _day_in(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def make_data(args: argparse.Namespace, today: datetime.date) -> None:
    rng = random.Random(args.seed)
    first = months_before(today, args.years * 12)
    last = today - datetime.timedelta(days=1)
    head = User.objects.filter(role=Role.DEPARTMENT_HEAD).order_by("pk").first()
    began = time.perf_counter()

    # Settled files: the demo's settled and archived ones, then active ones up to the share.
    rows = list(Customer.objects.order_by("pk").values_list("pk", "status"))
    closed = [pk for pk, status in rows if status in ("settled", "archived")]
    archived = {pk for pk, status in rows if status == "archived"}
    wanted = int(len(rows) * args.settled)
    open_ = [pk for pk, status in rows if status not in ("settled", "archived")]
    rng.shuffle(open_)
    newly = open_[: max(wanted - len(closed), 0)]
    for chunk in _chunks(newly):
        Customer.objects.filter(pk__in=chunk).update(status="settled")
    settled = sorted(closed + newly)
    lifecycles = []
    for pk in settled:
        on = _day_in(rng, first, last)
        archived_on = min(on + datetime.timedelta(days=30), last) if pk in archived else None
        lifecycles.append(
            FileLifecycle(
                customer_id=pk,
                settled_on=on,
                settled_by=head,
                archived_on=archived_on,
                archived_by=head if archived_on else None,
            )
        )
    FileLifecycle.objects.bulk_create(lifecycles, batch_size=BATCH, ignore_conflicts=True)
    LegalHold.objects.bulk_create(
        [LegalHold(customer_id=pk, reason="lcbench hold", placed_by=head) for pk in settled[::100]],
        batch_size=BATCH,
    )
    print(f"settled files: {len(settled):,} ({len(newly):,} newly settled), {first} – {last}")

    # Documents on two in five of the files that are not archived.
    holders = [pk for pk, _status in rows if pk not in archived]
    rng.shuffle(holders)
    holders = holders[: max(len(holders) * 2 // 5, 1)]
    codes = dict(Customer.objects.filter(pk__in=holders).values_list("pk", "code"))
    storage = document_storage()
    start = (Document.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    types = ("letter", "contract", "statement", "other")
    plain = max(args.documents - args.sealed, 0)

    def pdf(n: int) -> bytes:
        filler = secrets.token_hex(max(args.size - 80, 8) // 2).encode()
        return b"%PDF-1.4\n%" + filler + f"\n%{n}\ntrailer<<>>\n%%EOF\n".encode()

    batch: list[Document] = []
    for i in range(plain):
        pk = holders[i % len(holders)]
        day = _day_in(rng, first, last)
        kind = types[i % len(types)]
        data = pdf(i)
        name = f"{codes[pk]}_{kind}_{day:%Y%m%d}_L{start + i:07d}.pdf"
        storage.save(name, ContentFile(data))
        batch.append(
            Document(
                customer_id=pk,
                document_type=kind,
                title=f"{TITLE} {i}",
                document_date=day,
                seq=start + i,
                stored_name=name,
                original_name=f"lcbench-{i}.pdf",
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
        if len(batch) == BATCH:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    sealed_on = list(
        Customer.objects.filter(pk__in=holders, account_manager__isnull=False)
        .exclude(status__in=("settled", "archived"))
        .select_related("account_manager")
        .order_by("pk")[: max(args.sealed, 1)]
    )
    for i in range(args.sealed):
        customer = sealed_on[i % len(sealed_on)]
        assert customer.account_manager is not None
        document_attach(
            actor=customer.account_manager,
            customer=customer,
            upload=pdf(i),
            name=f"id-{i}.pdf",
            document_type="id_copy",
            title=f"{TITLE} id {i}",
            document_date=_day_in(rng, first, last),
        )
    print(f"documents: {plain:,} plain and {args.sealed:,} sealed on {len(holders):,} files")

    # Negative records: cleared watch-list entries, and a tenth as many active ones.
    rule, _created = RiskRule.objects.get_or_create(
        name="lcbench", defaults={"max_dbt_above": 90, "is_active": False}
    )
    now = timezone.now()
    entries = []
    for _i in range(args.negative):
        cleared = _day_in(rng, first, last)
        entries.append(
            WatchEntry(
                customer_id=rows[rng.randrange(len(rows))][0],
                rule=rule,
                status="cleared",
                since=cleared - datetime.timedelta(days=rng.randrange(30, 720)),
                cleared_on=cleared,
                cleared_at=now,
            )
        )
    active = rng.sample([pk for pk, _status in rows], args.negative // 10)
    entries += [
        WatchEntry(customer_id=pk, rule=rule, status="active", since=_day_in(rng, first, last))
        for pk in active
    ]
    WatchEntry.objects.bulk_create(entries, batch_size=BATCH)
    print(f"watch-list entries: {args.negative:,} cleared, {len(active):,} active")
    print(f"made up the data in {time.perf_counter() - began:.1f} s")


def analyse() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _cutoffs(today: datetime.date) -> dict[str, datetime.date] | None:
    """The cutoff of each record kind when its rules share one period and event (as the
    shipped schedule's do): what the plain SQL needs; None when they do not."""
    cutoffs: dict[str, datetime.date] = {}
    expected = {"file": "settled", "document": "settled", "negative": "event_end"}
    for kind, counts_from in expected.items():
        rules = list(RetentionRule.objects.filter(is_active=True, record_kind=kind))
        periods = {(r.total_months, r.counts_from, r.file_status) for r in rules}
        if len(periods) != 1:
            return None
        months, event, status = periods.pop()
        if event != counts_from or status:
            return None
        cutoffs[kind] = latest_start_due(today, months)
    return cutoffs


def plain_due_count(today: datetime.date, cutoffs: dict[str, datetime.date]) -> int:
    customer = Customer._meta.db_table
    lifecycle = FileLifecycle._meta.db_table
    document = Document._meta.db_table
    watch = WatchEntry._meta.db_table
    hold = LegalHold._meta.db_table
    item = DestructionItem._meta.db_table
    held = (
        f"SELECT customer_id FROM {hold} WHERE lifted_at IS NULL AND (until IS NULL OR until >= %s)"
    )
    sql = f"""
        SELECT
          (SELECT count(*) FROM {customer} c JOIN {lifecycle} l ON l.customer_id = c.id
            WHERE c.status IN ('settled', 'archived') AND l.settled_on <= %s
              AND c.id NOT IN ({held})
              AND c.id NOT IN (SELECT object_id FROM {item} WHERE kind = 'file'))
        + (SELECT count(*) FROM {document} d
            JOIN {customer} c ON c.id = d.customer_id
            JOIN {lifecycle} l ON l.customer_id = c.id
            WHERE c.status IN ('settled', 'archived') AND l.settled_on <= %s
              AND d.customer_id NOT IN ({held})
              AND d.id NOT IN (SELECT object_id FROM {item} WHERE kind = 'document'))
        + (SELECT count(*) FROM {watch} w
            WHERE w.status = 'cleared' AND w.cleared_on <= %s
              AND w.customer_id NOT IN ({held})
              AND w.id NOT IN (SELECT object_id FROM {item} WHERE kind = 'negative'))
    """
    params = [
        cutoffs["file"],
        today,
        cutoffs["document"],
        today,
        cutoffs["negative"],
        today,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0])


def timed(runs: int, call: Callable[[], Any]) -> tuple[list[float], Any]:
    times, result = [], None
    for _run in range(runs):
        began = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - began)
    return times, result


def due_rolled_back(today: datetime.date) -> Callable[[], int]:
    job = next(j for j in JOBS if j.name == "retention.due")

    def run() -> int:
        with transaction.atomic():
            items = int(job.run(today)["items"])
            transaction.set_rollback(True)
        return items

    return run


def sha256sum(locations: list[str]) -> None:
    dirs = " ".join(f"'{d}'" for d in locations if os.path.isdir(d))
    subprocess.run(
        f"find {dirs} -type f -print0 | xargs -0 -r sha256sum > /dev/null", shell=True, check=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settled", type=float, default=0.10, help="share of settled files")
    parser.add_argument("--years", type=int, default=8, help="years the dates spread over")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--sealed", type=int, default=1_000)
    parser.add_argument("--size", type=int, default=2_000, help="bytes of each document")
    parser.add_argument("--negative", type=int, default=20_000, help="cleared watch entries")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    today = args.today or timezone.localdate()

    customers = Customer.objects.count()
    if not customers:
        print("no customers: run `credfile demo` first", file=sys.stderr)
        return 2
    if Document.objects.filter(title__startswith=TITLE).exists():
        print("reusing the data of an earlier run")
    else:
        make_data(args, today)
    analyse()
    DestructionItem.objects.all().delete()
    DestructionList.objects.all().delete()

    print(
        f"\n{connection.vendor}: {customers:,} customers, "
        f"{FileLifecycle.objects.filter(settled_on__isnull=False).count():,} settled, "
        f"{Document.objects.count():,} documents "
        f"({Document.objects.filter(encrypted=True).count():,} sealed), "
        f"{WatchEntry.objects.filter(status='cleared').count():,} cleared watch entries, "
        f"{LegalHold.objects.count():,} legal holds; today {today}; n = {args.runs} runs each"
    )
    rows: list[tuple[str, str, list[float], list[float] | None]] = []
    failed = False
    tomorrow = today + datetime.timedelta(days=1)
    for day, label in ((today, "retention.due, first day"), (tomorrow, "retention.due, next day")):
        times, items = timed(args.runs, due_rolled_back(day))
        plain: list[float] | None = None
        note = f"{items:,} items"
        day_cutoffs = _cutoffs(day)
        if day_cutoffs is not None:
            plain, count = timed(args.runs, functools.partial(plain_due_count, day, day_cutoffs))
            if count != items:
                note += f" ≠ plain SQL {count:,}"
                failed = True
        rows.append((label, note, times, plain))
        if day == today:
            # The first day's list is kept: the next day finds only what falls due then.
            next(j for j in JOBS if j.name == "retention.due").run(day)

    documents = Document.objects.count()
    times, inspection = timed(args.runs, inspection_run)
    locations = [str(getattr(s, "location", "")) for s in (document_storage(), archive_storage())]
    plain = None
    if all(locations) and shutil.which("sha256sum"):
        plain, _nothing = timed(args.runs, lambda: sha256sum(locations))
    note = (
        f"{inspection.documents_checked:,} documents, {inspection.events_checked:,} events, "
        f"{inspection.bytes_read / 1e6:.0f} MB: {inspection.result}"
    )
    if inspection.documents_checked != documents or inspection.result != "ok":
        failed = True
    rows.append(("archive inspect", note, times, plain))

    print(f"\n{'case':<26} {'result':<48} {'median s':>9} {'plain s':>9} {'×':>6}")
    for label, note, times, plain in rows:
        median = statistics.median(times)
        line = f"{label:<26} {note:<48} {median:>9.3f}"
        if plain is not None:
            base = statistics.median(plain)
            line += f" {base:>9.3f} {median / max(base, 1e-6):>6.1f}"
        print(line)
    print(
        "\nplain: SELECT count(*) per record kind with the same joins and conditions (due "
        "list); sha256sum over the stored files (inspect). Medians of n runs, in seconds."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
