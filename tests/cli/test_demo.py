"""`credfile demo`: valid, consistent, deterministic demo data that later writes continue."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse
from stdnum.cn import ric, uscc

from credfile.accounts.models import Department, User
from credfile.audit.models import AuditEvent
from credfile.core.identifiers import resident_id_birth_date, resident_id_gender
from credfile.core.models import CodeSequence
from credfile.core.normalize import name_key
from credfile.customers.models import Address, Contact, Customer
from credfile.customers.services import customer_create
from credfile.demo.generator import DemoGenerator, Staff
from credfile.demo.loader import ACCOUNTS, can_fork, ensure_staff, ensure_tags, generate_batches
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.followup.models import CollectionAction
from credfile.followup.selectors import with_followup
from credfile.history.models import FileVersion
from credfile.interactions.models import Note, ServiceRecord
from credfile.transactions.models import Contract, Invoice, Payment, PaymentAllocation
from tests.cli.conftest import shell_locale
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 30)
CENT = Decimal("0.01")


def demo(customers: int = 200, seed: int = 7, **options: Any) -> str:
    out = io.StringIO()
    call_command(
        "demo",
        customers=customers,
        seed=seed,
        as_of=AS_OF,
        no_progress=True,
        stdout=out,
        stderr=io.StringIO(),
        **options,
    )
    return out.getvalue()


def valid_phone(value: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, None)))


def snapshot() -> list[tuple[Any, ...]]:
    """The generated content of every file, without database ids or timestamps."""
    invoices: dict[str, list[tuple[Any, ...]]] = {}
    for code, *rest in Invoice.objects.values_list(
        "customer__code", "number", "amount", "amount_paid", "fully_paid_on"
    ):
        invoices.setdefault(code, []).append(tuple(rest))
    actions: dict[str, list[tuple[str, ...]]] = {}
    for code, *rest in CollectionAction.objects.values_list(
        "customer__code",
        "invoice__number",
        "kind",
        "action_date",
        "next_action_on",
        "promised_on",
        "promised_amount",
        "note",
    ):
        actions.setdefault(code, []).append(tuple(str(v) for v in rest))
    customers = Customer.objects.order_by("code").select_related("department", "account_manager")
    # Read through the model, so that sealed values are compared as plaintext.
    return [
        (
            c.code,
            c.kind,
            c.name,
            c.id_number,
            c.credit_code,
            c.phone,
            c.birth_date,
            c.city,
            c.category,
            c.status,
            c.department.code,
            c.account_manager.username,
            sorted(invoices.get(c.code, [])),
            sorted(actions.get(c.code, [])),
        )
        for c in customers
    ]


def comparable(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows without ciphertext, which differs from run to run (a fresh nonce per value)."""
    return {
        table: [tuple("sealed" if str(v).startswith("cf1$") else v for v in row) for row in rs]
        for table, rs in rows.items()
    }


def wipe_customers() -> None:
    PaymentAllocation.objects.all().delete()
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    Contract.objects.all().delete()
    Customer.objects.all().delete()
    CodeSequence.objects.filter(name="customer").update(value=0)


def test_demo_fills_an_empty_database() -> None:
    output = demo()
    assert Customer.objects.count() == 200
    assert set(Department.objects.values_list("code", flat=True)) == {
        "SALES1",
        "SALES2",
        "EXPORT",
        "KEYACC",
    }
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {
        "account_manager",
        "department_head",
        "credit_manager",
        "executive",
        "auditor",
        "admin",
    }
    for username in ("manager", "head", "credit", "executive", "auditor", "admin"):
        assert username in output
    assert "credfile-demo" in output
    assert User.objects.get(username="head").check_password("credfile-demo")
    kinds = Counter(Customer.objects.values_list("kind", flat=True))
    assert 0.5 < kinds["organization"] / 200 < 0.8
    # Every customer has an address, at least one contact and a note; trade for most.
    assert Address.objects.count() == 200
    assert Note.objects.count() == 200
    assert Contact.objects.values("customer").distinct().count() == 200
    assert ServiceRecord.objects.count() >= 200
    assert 3 < Invoice.objects.count() / 200 < 8
    assert Payment.objects.exists() and Contract.objects.exists()
    assert Customer.tags.through.objects.exists()
    # Each file's history starts with its state as loaded.
    versions = FileVersion.objects.filter(operation="baseline", object_type="customers.customer")
    assert versions.count() == 200
    sample = Customer.objects.order_by("code").first()
    assert sample is not None
    baseline = versions.get(customer_id=sample.pk)
    assert baseline.data["name"] == sample.name and baseline.data["code"] == sample.code
    assert baseline.data["tags"] == sorted(sample.tags.values_list("name", flat=True))
    # One audit event for the batch, not one per row.
    assert AuditEvent.objects.filter(object_type="customers.customer").count() == 1


def test_identity_numbers_phones_and_name_keys_are_valid() -> None:
    demo()
    seen_ids: set[str] = set()
    banks = 0
    for c in Customer.objects.all():
        assert valid_phone(c.phone), c.phone
        assert c.name_key == name_key(c.name)
        assert c.code.startswith("C") and len(c.code) == 9
        if c.kind == "individual":
            assert ric.is_valid(c.id_number), c.id_number
            assert resident_id_gender(c.id_number) == c.gender
            assert resident_id_birth_date(c.id_number) == c.birth_date
            assert not c.credit_code
            assert c.id_number not in seen_ids
            seen_ids.add(c.id_number)
        else:
            assert uscc.is_valid(c.credit_code), c.credit_code
            assert c.credit_code[:2] in {"91", "93"}
            assert not c.id_number and c.industry and c.legal_representative
            if c.bank_account:
                banks += 1
                assert c.bank_account.isdigit() and c.bank_name.endswith(("支行", "营业部"))
    assert banks > 50
    for contact in Contact.objects.all():
        assert valid_phone(contact.mobile)
        assert not contact.phone or valid_phone(contact.phone)


def test_invoices_payments_and_statements_are_consistent() -> None:
    demo()
    # One aggregate query over all invoices; SQLite sums decimals as floats, hence quantize.
    rows = Invoice.objects.annotate(allocated=Sum("allocations__amount")).values_list(
        "amount",
        "amount_paid",
        "allocated",
        "fully_paid_on",
        "due_date",
        "issue_date",
        "payment_terms_days",
    )
    overdue = 0
    for amount, paid, allocated, fully_paid_on, due, issued, terms in rows:
        assert paid == Decimal(allocated or 0).quantize(CENT)
        assert (fully_paid_on is not None) == (paid == amount)
        assert due == issued + datetime.timedelta(days=terms)
        assert terms in {30, 45, 60, 90}
        assert issued >= AS_OF - datetime.timedelta(days=731)
        overdue += fully_paid_on is None and due < AS_OF
    assert 0 < overdue < len(rows) * 0.15
    for amount, allocated in Payment.objects.annotate(
        allocated=Sum("allocations__amount")
    ).values_list("amount", "allocated"):
        assert amount == Decimal(allocated).quantize(CENT)
    statements = FinancialStatement.objects.all()
    assert statements.exists()
    for s in statements:
        assert s.customer.kind == "organization"
        assert s.total_assets == s.total_liabilities + s.equity
        assert s.current_assets is not None and s.current_assets <= s.total_assets
    per_org = Counter(statements.values_list("customer_id", flat=True))
    assert max(per_org.values()) <= 3
    assert not IndividualFinancial.objects.exclude(customer__kind="individual").exists()


def test_overdue_invoices_are_followed_up_with_kept_broken_and_coming_promises() -> None:
    demo(customers=400)
    overdue = Invoice.objects.filter(fully_paid_on__isnull=True, due_date__lt=AS_OF)
    followed = overdue.filter(collection_actions__isnull=False).distinct().count()
    assert 0.5 < followed / overdue.count() < 0.9
    # Only open overdue invoices, each action on its own file, after the due date, by then.
    actions = CollectionAction.objects.select_related("invoice")
    assert not actions.exclude(invoice__in=overdue).exists()
    for action in actions:
        assert action.customer_id == action.invoice.customer_id
        assert action.invoice.due_date < action.action_date <= AS_OF
        assert action.next_action_on is not None and action.next_action_on >= action.action_date
        assert action.note
        if action.kind == "promise":
            assert action.promised_on and action.promised_on >= action.action_date
            assert action.open_at_promise is not None and action.promised_amount is not None
            assert 0 < action.promised_amount <= action.open_at_promise
    kinds = Counter(actions.values_list("kind", flat=True))
    assert set(kinds) == {"reminder", "call", "visit", "letter", "promise", "dispute"}
    # The latest promise of each invoice: kept (its date passed, the part was paid), broken
    # (its date passed without it) or still to come, as the overdue list judges it.
    states: Counter[str] = Counter()
    for invoice in with_followup(overdue, today=AS_OF).filter(promised_on__isnull=False):
        if invoice.promised_on >= AS_OF:
            states["coming"] += 1
        else:
            states["broken" if invoice.promise_broken else "kept"] += 1
    assert states["kept"] and states["broken"] and states["coming"], states
    # Most invoices followed up have their next step still to come or just slipped.
    upcoming = overdue.filter(collection_actions__next_action_on__gte=AS_OF).distinct().count()
    assert upcoming > followed * 0.2


def test_the_overdue_list_and_the_file_page_show_the_demo_follow_up(client: Any) -> None:
    demo(customers=200)
    client.force_login(User.objects.get(username="credit"))
    page = client.get(reverse("followup:overdue"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    # Sorted by the next action: the first rows have one, with the last action beside it.
    first = text.split("<tbody>")[1].split("</tr>")[0]
    assert re.search(r"\d{4}-\d{2}-\d{2}", first.split("</td>")[0])
    assert any(label in text for label in ("Reminder", "Phone call", "Promise to pay"))
    action = CollectionAction.objects.order_by("-action_date").first()
    assert action is not None
    section = client.get(
        reverse("customers:section", args=[action.customer_id, "transactions"]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert reverse("followup:invoice-actions", args=[action.customer_id, action.invoice_id]) in (
        section
    )
    latest = CollectionAction.objects.filter(invoice=action.invoice).order_by(
        "-action_date", "-id"
    )[0]
    assert f"next {latest.next_action_on:%Y-%m-%d}" in section


def test_the_same_seed_gives_the_same_data() -> None:
    demo(seed=7)
    first = snapshot()
    wipe_customers()
    demo(seed=7)
    assert snapshot() == first
    wipe_customers()
    demo(seed=8)
    assert snapshot() != first


def test_a_second_load_is_refused_without_add() -> None:
    demo(customers=50)
    with pytest.raises(CommandError) as refused:
        demo(customers=50)
    assert refused.value.returncode != 0
    assert "already holds 50 customers" in str(refused.value)
    assert "--add" in str(refused.value)
    assert Customer.objects.count() == 50
    # Accounts only (no customers) add nothing that could double.
    demo(customers=0)
    assert Customer.objects.count() == 50


def test_a_second_load_is_refused_in_the_shells_language(monkeypatch: pytest.MonkeyPatch) -> None:
    demo(customers=20)
    shell_locale(monkeypatch, LANG="zh_CN.UTF-8")
    with pytest.raises(CommandError) as refused:
        demo(customers=20)
    assert "已有 20 位客户" in str(refused.value) and "--add" in str(refused.value)


def test_a_second_load_with_add_adds_more_without_clashes() -> None:
    demo(customers=200)
    output = demo(customers=150, add=True)
    codes = list(Customer.objects.order_by("code").values_list("code", flat=True))
    assert codes == [f"C{n:08d}" for n in range(1, 351)]
    ids = [c.id_number for c in Customer.objects.all() if c.id_number]
    assert len(ids) == len(set(ids))
    assert User.objects.count() == len(ACCOUNTS)
    assert "existed already" in output


def test_customer_create_continues_after_the_demo_codes() -> None:
    demo(customers=200)
    manager = User.objects.get(username="manager")
    customer = customer_create(actor=manager, fields={"kind": "individual", "name": "张三"})
    assert customer.code == "C00000201"


def test_demo_continues_after_existing_codes(personas: Personas) -> None:
    first = customer_create(
        actor=personas.account_manager, fields={"kind": "individual", "name": "张三"}
    )
    assert first.code == "C00000001"
    # A code written outside the sequence (an import, say) is respected too.
    CustomerFactory.create(
        code="C00000500", department=personas.sales, account_manager=personas.account_manager
    )
    demo(customers=20, add=True)
    codes = sorted(Customer.objects.values_list("code", flat=True))
    assert codes[-1] == "C00000520" and "C00000501" in codes


def test_generated_identity_numbers_avoid_those_on_file() -> None:
    staff, _accounts = ensure_staff()
    tags = ensure_tags()

    def generator(used_ids: set[str], used_codes: set[str]) -> DemoGenerator:
        return DemoGenerator(
            seed=3,
            first_number=1,
            staff=staff,
            tag_ids=tags,
            as_of=AS_OF,
            used_id_numbers=used_ids,
            used_credit_codes=used_codes,
        )

    def load(gen: DemoGenerator) -> tuple[int, int]:
        """Individuals and organisations in a batch of 40."""
        rows = gen.batch(1, 40).rows["customers"]
        kinds = Counter(row[gen.make["customers"].positions["kind"]] for row in rows)
        return kinds["individual"], kinds["organization"]

    first = generator(set(), set())
    load(first)
    ids, codes = set(first.used_id_numbers), set(first.used_credit_codes)
    # Same seed and start, but every number the first run drew is already on file.
    second = generator(set(ids), set(codes))
    people, companies = load(second)
    assert len(second.used_id_numbers - ids) == people > 0
    assert len(second.used_credit_codes - codes) == companies > 0


@pytest.mark.skipif(not can_fork(), reason="needs fork()")
def test_a_worker_process_generates_the_same_batches() -> None:
    staff, _accounts = ensure_staff()
    settings = {
        "seed": 5,
        "first_number": 1,
        "staff": staff,
        "tag_ids": ensure_tags(),
        "as_of": AS_OF,
        "used_id_numbers": set(),
        "used_credit_codes": set(),
    }
    inline = list(
        generate_batches(
            dict(settings, used_id_numbers=set(), used_credit_codes=set()),
            1,
            30,
            10,
            parallel=False,
        )
    )
    forked = list(generate_batches(settings, 1, 30, 10, parallel=True))
    assert [comparable(b.rows) for b in forked] == [comparable(b.rows) for b in inline]
    assert [b.first_number for b in forked] == [1, 11, 21]


def test_staff_is_created_once() -> None:
    staff, accounts = ensure_staff()
    again, accounts_again = ensure_staff()
    assert isinstance(staff, Staff) and staff == again
    assert all(password for _a, password in accounts)
    assert not any(password for _a, password in accounts_again)


@pytest.mark.skipif(not can_fork(), reason="needs fork()")
def test_a_failing_worker_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    staff, _accounts = ensure_staff()

    def broken(self: DemoGenerator, first_number: int, count: int) -> None:
        raise ValueError("generator bug")

    monkeypatch.setattr(DemoGenerator, "batch", broken)
    settings = {
        "seed": 5,
        "first_number": 1,
        "staff": staff,
        "tag_ids": ensure_tags(),
        "as_of": AS_OF,
        "used_id_numbers": set(),
        "used_credit_codes": set(),
    }
    with pytest.raises(RuntimeError, match="generator bug"):
        list(generate_batches(settings, 1, 30, 10, parallel=True))
    assert not Customer.objects.exists()
