"""Loading demo data: departments and users through the services, customers in bulk.

Opening a hundred thousand files one by one through `customer_create` would take hours, so
the loader writes generated rows with `bulk_create`, one transaction per batch of customers,
and records one audit event per batch instead of one per row. The generator produces only
values the services would accept (valid identity numbers, balanced statements, amounts paid
equal to their allocations).

Generating a batch costs about a third of writing it. Where the platform can fork, a worker
process generates the next batches while this process writes, so the load uses both cores.
"""

from __future__ import annotations

import datetime
import gc
import multiprocessing
import queue
import re
import time
import traceback
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from credfile.accounts.choices import Role
from credfile.accounts.models import Department, User
from credfile.accounts.services import department_create, user_create
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.core.permissions import is_account_manager, is_department_head
from credfile.core.planner import refresh_statistics
from credfile.core.sequences import ensure_at_least, next_value
from credfile.customers.hooks import files_changed
from credfile.customers.models import Customer, Tag
from credfile.customers.services import CUSTOMER_SEQUENCE, format_customer_code
from credfile.demo import vocab
from credfile.demo.generator import TABLES, Batch, DemoGenerator, Staff
from credfile.demo.groups import load_demo_groups
from credfile.demo.surveys import load_demo_surveys
from credfile.history.models import FileVersion
from credfile.history.services import baseline_versions

DEMO_PASSWORD = "credfile-demo"
DEFAULT_BATCH = 2000
DEPARTMENTS = (
    ("SALES1", "销售一部", 0.32),
    ("SALES2", "销售二部", 0.30),
    ("EXPORT", "外贸部", 0.16),
    ("KEYACC", "大客户部", 0.22),
)
_CODE = re.compile(r"^C(\d{8})$")
# Tables whose primary keys later tables of the batch refer to.
_PARENTS = {parent for _name, _model, links in TABLES for parent in links.values()}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    department: str
    display_name: str


# One account per role, then a head and more account managers for each department.
ACCOUNTS = (
    DemoAccount("manager", Role.ACCOUNT_MANAGER, "SALES1", "李娜"),
    DemoAccount("head", Role.DEPARTMENT_HEAD, "SALES1", "王芳"),
    DemoAccount("credit", Role.CREDIT_MANAGER, "", "陈杰"),
    DemoAccount("executive", Role.EXECUTIVE, "", "刘洋"),
    DemoAccount("auditor", Role.AUDITOR, "", "孙丽"),
    DemoAccount("admin", Role.ADMIN, "", "系统管理员"),
    DemoAccount("sales1.am2", Role.ACCOUNT_MANAGER, "SALES1", "赵磊"),
    DemoAccount("sales2.head", Role.DEPARTMENT_HEAD, "SALES2", "周敏"),
    DemoAccount("sales2.am1", Role.ACCOUNT_MANAGER, "SALES2", "吴强"),
    DemoAccount("sales2.am2", Role.ACCOUNT_MANAGER, "SALES2", "郑秀英"),
    DemoAccount("export.head", Role.DEPARTMENT_HEAD, "EXPORT", "黄涛"),
    DemoAccount("export.am1", Role.ACCOUNT_MANAGER, "EXPORT", "何静"),
    DemoAccount("export.am2", Role.ACCOUNT_MANAGER, "EXPORT", "高鹏"),
    DemoAccount("keyacc.head", Role.DEPARTMENT_HEAD, "KEYACC", "林海"),
    DemoAccount("keyacc.am1", Role.ACCOUNT_MANAGER, "KEYACC", "马丽"),
    DemoAccount("keyacc.am2", Role.ACCOUNT_MANAGER, "KEYACC", "罗斌"),
)


@dataclass
class DemoResult:
    first_code: str = ""
    last_code: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    # (account, its password, or "" when it existed before and kept its own)
    accounts: list[tuple[DemoAccount, str]] = field(default_factory=list)
    seconds: float = 0.0


def ensure_staff() -> tuple[Staff, list[tuple[DemoAccount, str]]]:
    """The demo departments and accounts, created through the services where missing."""
    codes = [code for code, _name, _weight in DEPARTMENTS]
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    for code, name, _weight in DEPARTMENTS:
        if code not in departments:
            departments[code] = department_create(code=code, name=name)
    existing = {
        u.username: u for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS])
    }
    accounts: list[tuple[DemoAccount, str]] = []
    users: list[User] = []
    for account in ACCOUNTS:
        user = existing.get(account.username)
        if user is None:
            # A fixed, printed password: these accounts exist to try the system out.
            user = user_create(
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                department_code=account.department or None,
                display_name=account.display_name,
                check_password=False,
            )
            accounts.append((account, DEMO_PASSWORD))
        else:
            accounts.append((account, ""))
        users.append(user)
    managers: dict[int, tuple[int, ...]] = {}
    for code in codes:
        dept = departments[code]
        members = [u for u in users if u.department_id == dept.pk]
        ams = [u.pk for u in members if is_account_manager(u)]
        heads = [u.pk for u in members if is_department_head(u)]
        # Account managers carry most files; a head keeps a few of their own.
        managers[dept.pk] = tuple(ams * 4 + heads) or tuple(
            User.objects.filter(department=dept, is_active=True).values_list("pk", flat=True)
        )
    cum: list[float] = []
    total = 0.0
    for _code, _name, weight in DEPARTMENTS:
        total += weight
        cum.append(total)
    staff = Staff(tuple((departments[c].pk, c) for c in codes), tuple(cum), managers)
    return staff, accounts


def ensure_tags() -> dict[str, int]:
    names = list(dict.fromkeys([*vocab.TAGS, "出口", "新客户", "重点监控", "信用良好"]))
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "id"))


def _existing_credit_codes() -> set[str]:
    """Codes already on file, so that the load never clashes with them."""
    rows = Customer.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    return set(rows.iterator(chunk_size=10_000))


def _existing_id_numbers() -> set[str]:
    """ID numbers already on file, so that the load never clashes with them."""
    column = "id_number"
    if column in {f.attname for f in Customer._meta.concrete_fields}:
        rows = Customer.objects.exclude(**{column: ""}).values_list(column, flat=True)
        return set(rows.iterator(chunk_size=10_000))
    # Sealed: only ciphertext is stored, so open it (about a second per 100,000 files).
    sealed = Customer.objects.exclude(**{"id_number_enc": ""}).only("uid", "id_number_enc")
    return {c.id_number for c in sealed.iterator(chunk_size=5_000)}


def _reserve_codes(count: int) -> int:
    """Reserve `count` customer codes after the highest code in use; returns the first."""
    highest = Customer.objects.filter(code__regex=r"^C[0-9]{8}$").aggregate(m=Max("code"))["m"]
    match = _CODE.match(highest or "")
    if match:
        ensure_at_least(CUSTOMER_SEQUENCE, int(match.group(1)))
    # Taking the whole block now keeps customer_create, running meanwhile, out of it.
    return next_value(CUSTOMER_SEQUENCE, count=count)


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)


def _instances(
    model: type[models.Model], rows: list[tuple[Any, ...]], links: list[tuple[int, list[int]]]
) -> list[models.Model]:
    """Model instances from rows, same-batch references replaced by primary keys."""
    if not links:
        return [model(*row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for position, pks in links:
            ref = values[position]
            if ref is not None:
                values[position] = pks[ref]
        out.append(model(*values))
    return out


def _by_model(counts: dict[str, int]) -> dict[str, int]:
    """{table: rows} → {model label: rows} (customers.customer …)."""
    labels = {name: model._meta.label_lower for name, model, _links in TABLES}
    labels["versions"] = FileVersion._meta.label_lower
    return {labels.get(name, name): n for name, n in counts.items()}


def write_batch(batch: Batch, tag_names: dict[int, str]) -> dict[str, int]:
    """Insert a batch's rows table by table, and each file's baseline version (its state as
    loaded, for the file history); returns the number of rows per table."""
    pks: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    loaded: dict[str, list[models.Model]] = {}
    # SQLite's limit on parameters sets its statement size; on PostgreSQL a thousand rows a
    # statement is past the point where larger ones save time.
    size = None if connection.vendor == "sqlite" else 1000
    for name, model, links in TABLES:
        positions = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
        objs = _instances(
            model,
            batch.rows[name],
            [(positions[attname], pks[parent]) for attname, parent in links.items()],
        )
        if objs:
            model._default_manager.bulk_create(objs, batch_size=size)
        if name in _PARENTS:
            pks[name] = [obj.pk for obj in objs]
        if name in {"customers", "tags"}:
            loaded[name] = objs
        counts[name] = len(objs)
    tags: dict[int, list[str]] = {}
    for link in loaded["tags"]:
        tags.setdefault(link.customer_id, []).append(tag_names[link.tag_id])  # type: ignore[attr-defined]
    versions = baseline_versions(loaded["customers"], tags)
    FileVersion.objects.bulk_create(versions, batch_size=size)
    counts["versions"] = len(versions)
    return counts


@dataclass
class _Failure:
    text: str


def _produce(out: Any, settings: dict[str, Any], first: int, total: int, size: int) -> None:
    """Worker process: generate every batch in order and hand it over."""
    try:
        gc.disable()  # see _collecting_per_batch
        generator = DemoGenerator(**settings)
        for offset, count in _chunks(total, size):
            out.put(generator.batch(first + offset, count))
            gc.collect()
    except BaseException:
        out.put(_Failure(traceback.format_exc()))


@contextmanager
def _collecting_per_batch() -> Iterator[None]:
    """Garbage collection between batches only.

    A batch creates some fifty thousand rows and instances that live until it is written;
    with automatic collection on, Python traverses them over and over, which costs about a
    third of the load time. One collection per batch keeps memory flat.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate_batches(
    settings: dict[str, Any], first: int, total: int, size: int, *, parallel: bool
) -> Generator[Batch, None, None]:
    """The batches in order, generated here or, with `parallel`, in a forked worker.

    The worker starts at once (before any thread, such as a progress bar's, exists) and never
    touches the database: it inherits the generator's inputs at fork time and sends back plain
    rows. Close the returned generator to stop it early.
    """
    if not parallel:
        return _inline(settings, first, total, size)
    context = multiprocessing.get_context("fork")
    # Two batches ahead at most: enough to keep the writer busy, little memory.
    channel = context.Queue(maxsize=2)
    worker = context.Process(
        target=_produce,
        args=(channel, settings, first, total, size),
        name="credfile-demo-generator",
        daemon=True,
    )
    worker.start()
    return _received(channel, worker, sum(1 for _ in _chunks(total, size)))


def _inline(
    settings: dict[str, Any], first: int, total: int, size: int
) -> Generator[Batch, None, None]:
    generator = DemoGenerator(**settings)
    for offset, count in _chunks(total, size):
        yield generator.batch(first + offset, count)


def _received(channel: Any, worker: Any, batches: int) -> Generator[Batch, None, None]:
    try:
        for _ in range(batches):
            while True:
                try:
                    item = channel.get(timeout=1)
                    break
                except queue.Empty:
                    if not worker.is_alive():
                        raise RuntimeError(
                            f"the demo data generator stopped (exit code {worker.exitcode})"
                        ) from None
            if isinstance(item, _Failure):
                raise RuntimeError(f"the demo data generator failed:\n{item.text}")
            yield item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def load_demo(
    *,
    customers: int,
    seed: int,
    as_of: datetime.date | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = False,
    parallel: bool | None = None,
) -> DemoResult:
    """Add `customers` demo credit files (and the demo departments and accounts if missing).

    `parallel` (default: when there is more than one batch and the platform can fork)
    generates in a worker process; the data is the same either way.
    """
    started = time.perf_counter()
    result = DemoResult()
    staff, result.accounts = ensure_staff()
    tag_ids = ensure_tags()
    tag_names = {pk: name for name, pk in tag_ids.items()}
    if customers <= 0:
        result.seconds = time.perf_counter() - started
        return result
    first = _reserve_codes(customers)
    result.first_code = format_customer_code(first)
    result.last_code = format_customer_code(first + customers - 1)
    settings = {
        "seed": seed,
        "first_number": first,
        "staff": staff,
        "tag_ids": tag_ids,
        "as_of": as_of or timezone.localdate(),
        "used_id_numbers": _existing_id_numbers(),
        "used_credit_codes": _existing_credit_codes(),
    }
    if parallel is None:
        parallel = customers > batch_size and can_fork()
    with (
        closing(
            generate_batches(settings, first, customers, batch_size, parallel=parallel)
        ) as batches,
        tqdm(total=customers, unit=" customers", disable=not progress, dynamic_ncols=True) as bar,
        _collecting_per_batch(),
    ):
        for batch in batches:
            with transaction.atomic():
                counts = write_batch(batch, tag_names)
                codes = (
                    f"{format_customer_code(batch.first_number)}–"
                    f"{format_customer_code(batch.first_number + batch.count - 1)}"
                )
                # One event for the batch: who loaded what, not a row per generated record.
                audit_record(
                    actor=None,
                    action=AuditAction.CREATE,
                    obj=Customer(name="demo data", code=codes),
                    # Rows per model, named as the trail names types, so it reads them
                    # in the reader's language.
                    after={"demo": True, "seed": seed, "codes": codes, "rows": _by_model(counts)},
                )
            for name, n in counts.items():
                result.counts[name] = result.counts.get(name, 0) + n
            bar.update(batch.count)
            gc.collect()
    ensure_at_least(CUSTOMER_SEQUENCE, first + customers - 1)
    result.counts["groups"] = load_demo_groups(
        seed=seed,
        codes=[format_customer_code(n) for n in range(first, first + min(customers, 400))],
    )
    result.counts["survey responses"] = load_demo_surveys(
        seed=seed,
        codes=[format_customer_code(n) for n in range(first, first + min(customers, 400))],
    )
    # A few customer events with invitations (credfile.events).
    from credfile.events.demo import load_demo_events

    result.counts["events"] = load_demo_events(
        seed=seed,
        codes=[format_customer_code(n) for n in range(first, first + min(customers, 400))],
    )
    # The rows went in by bulk, past the services: bring what other apps derive from the
    # files (review dates, data quality) up to date now, not at the next nightly run.
    files_changed(customer_ids=None)
    refresh_statistics()
    result.seconds = time.perf_counter() - started
    return result
