"""The retention schedule, the life cycle of a file, legal holds and the due list."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from credfile.audit.models import AuditEvent
from credfile.customers.selectors import customer_get
from credfile.customers.services import contact_create, customer_update
from credfile.documents.choices import DocumentStatus
from credfile.documents.models import Document
from credfile.documents.services import archive_storage, document_content, document_storage
from credfile.interactions.services import note_create
from credfile.retention.models import (
    DestructionItem,
    DestructionList,
    RetentionRule,
    RetentionRuleChange,
)
from credfile.retention.services import (
    destruction_list_make,
    due_items,
    file_archive,
    file_settle,
    legal_hold_lift,
    legal_hold_place,
    rule_change_decide,
    rule_change_propose,
)
from credfile.reviews.jobs import JOB_NAMES, run_due
from credfile.risk.models import RiskRule, WatchEntry
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SETTLED = datetime.date(2020, 3, 31)


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(
        code="C000042", department=personas.sales, account_manager=personas.account_manager
    )


def _rule(**fields: Any) -> dict[str, Any]:
    return {
        "record_kind": "document",
        "document_type": "contract",
        "file_status": "",
        "period_years": 10,
        "period_months": 0,
        "counts_from": "settled",
        "legal_basis": "合同约定：结清后保存十年。",
        "is_active": True,
    } | fields


def _due(today: datetime.date) -> set[tuple[str, int]]:
    return {(d.kind, d.object_id) for d in due_items(today=today)}


# --- the schedule ---------------------------------------------------------------------------


def test_the_shipped_schedule_names_its_legal_basis() -> None:
    rules = {(r.record_kind, r.document_type): r for r in RetentionRule.objects.all()}
    negative = rules[("negative", "")]
    assert negative.period_years == 5 and negative.counts_from == "event_end"
    assert "《征信业管理条例》第十六条" in negative.legal_basis
    assert "第四十七条" in rules[("file", "")].legal_basis
    assert rules[("document", "id_copy")].period_years == 5
    assert all(r.legal_basis for r in rules.values())


def test_a_rule_change_applies_only_when_someone_else_approves(personas: Any) -> None:
    change = rule_change_propose(actor=personas.admin, fields=_rule(), reason="合同保存十年")
    assert not RetentionRule.objects.filter(document_type="contract").exists()
    with pytest.raises(PermissionDenied):
        rule_change_decide(actor=personas.admin, change=change, approve=True)
    with pytest.raises(PermissionDenied):
        rule_change_decide(actor=personas.account_manager, change=change, approve=True)
    rule_change_decide(actor=personas.department_head, change=change, approve=True)
    rule = RetentionRule.objects.get(document_type="contract")
    assert rule.period_years == 10 and rule.legal_basis == "合同约定：结清后保存十年。"
    created = AuditEvent.objects.get(object_type="retention.retentionrule", action="create")
    assert created.actor_id == personas.department_head.pk
    assert AuditEvent.objects.filter(object_type="retention.retentionrulechange").count() == 2
    # A change of an existing rule is audited with its values before and after.
    change = rule_change_propose(
        actor=personas.admin, rule=rule, fields=_rule(period_years=8), reason="缩短"
    )
    rule_change_decide(actor=personas.department_head, change=change, approve=True)
    rule.refresh_from_db()
    assert rule.period_years == 8 and rule.version == 2
    update = AuditEvent.objects.get(object_type="retention.retentionrule", action="update")
    assert update.before["period_years"] == 10 and update.after["period_years"] == 8


def test_only_administrators_propose_and_a_rejection_needs_a_note(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        rule_change_propose(actor=personas.department_head, fields=_rule(), reason="x")
    change = rule_change_propose(actor=personas.admin, fields=_rule(), reason="x")
    with pytest.raises(ValidationError) as refused:
        rule_change_decide(actor=personas.department_head, change=change, approve=False)
    assert "note" in refused.value.message_dict
    rule_change_decide(actor=personas.department_head, change=change, approve=False, note="不必")
    assert RetentionRuleChange.objects.get().status == "rejected"
    assert not RetentionRule.objects.filter(document_type="contract").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period_years": -1}, "period_years"),
        ({"period_months": -3}, "period_months"),
        ({"period_years": 0, "period_months": 0}, "period_years"),
        ({"legal_basis": "  "}, "legal_basis"),
        ({"counts_from": "event_end"}, "counts_from"),
        ({"record_kind": "file"}, "document_type"),
        ({"document_type": "poem"}, "document_type"),
        ({"period_years": "ten"}, "period_years"),
    ],
)
def test_bad_rule_values_name_the_field(personas: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        rule_change_propose(actor=personas.admin, fields=_rule(**fields), reason="x")
    assert field in refused.value.message_dict
    assert not RetentionRuleChange.objects.exists()


def test_a_second_rule_for_the_same_kind_type_and_status_is_refused(personas: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        rule_change_propose(actor=personas.admin, fields=_rule(document_type="id_copy"), reason="x")
    assert "record_kind" in refused.value.message_dict


# --- the life cycle ---------------------------------------------------------------------------


def test_the_department_head_settles_and_archives(customer: Any, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        file_settle(actor=personas.account_manager, customer=customer)
    with pytest.raises(ValidationError) as refused:
        file_archive(actor=personas.department_head, customer=customer)
    assert "status" in refused.value.message_dict
    lifecycle = file_settle(actor=personas.department_head, customer=customer, today=SETTLED)
    customer.refresh_from_db()
    assert customer.status == "settled" and lifecycle.settled_on == SETTLED
    file_archive(actor=personas.department_head, customer=customer)
    customer.refresh_from_db()
    assert customer.status == "archived"
    assert (
        AuditEvent.objects.filter(
            object_type="retention.filelifecycle", customer_id=customer.pk
        ).count()
        == 2
    )


def test_archiving_moves_the_documents_to_the_archive_store_checked(
    customer: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    letter = samples.attach(customer)
    sealed = samples.attach(customer, document_type="id_copy", name="id.png", data=samples.PNG)
    file_settle(actor=personas.department_head, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        file_archive(actor=personas.department_head, customer=customer)
    for document in (letter, sealed):
        document.refresh_from_db()
        assert document.status == DocumentStatus.ARCHIVED
        assert not document_storage().exists(document.stored_name)
        assert archive_storage().exists(document.stored_name)
    moved = Path(archive_storage().path(letter.stored_name)).read_bytes()
    assert hashlib.sha256(moved).hexdigest() == letter.sha256
    # Still sealed in the archive, and a download opens it there, checked again.
    assert samples.PNG not in Path(archive_storage().path(sealed.stored_name)).read_bytes()
    found = customer_get(user=personas.department_head, pk=customer.pk, section="documents")
    data = document_content(
        actor=personas.department_head, customer=found, document=sealed, use="download"
    )
    assert data == samples.PNG


def test_a_damaged_document_stops_the_archiving_and_leaves_everything_in_place(
    customer: Any, personas: Any
) -> None:
    letter = samples.attach(customer)
    file_settle(actor=personas.department_head, customer=customer)
    Path(document_storage().path(letter.stored_name)).write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(Exception, match=letter.stored_name):
        file_archive(actor=personas.department_head, customer=customer)
    customer.refresh_from_db()
    letter.refresh_from_db()
    assert customer.status == "settled" and letter.status == DocumentStatus.ACTIVE
    assert document_storage().exists(letter.stored_name)
    assert not archive_storage().exists(letter.stored_name)


def test_an_archived_file_refuses_every_write(customer: Any, personas: Any) -> None:
    file_settle(actor=personas.department_head, customer=customer)
    file_archive(actor=personas.department_head, customer=customer)
    customer.refresh_from_db()
    writes = [
        lambda: contact_create(
            actor=personas.department_head, customer=customer, fields={"name": "王芳"}
        ),
        lambda: note_create(
            actor=personas.department_head, customer=customer, fields={"body": "x"}
        ),
        lambda: customer_update(
            actor=personas.department_head, customer=customer, fields={"name": "新名"}
        ),
        lambda: samples.attach(customer, actor=personas.department_head),
    ]
    for write in writes:
        with translation.override("zh-hans"), pytest.raises(PermissionDenied, match="已归档"):
            write()
    with translation.override("en"), pytest.raises(PermissionDenied, match="archived and read"):
        writes[0]()
    # Someone who may not even view the file learns nothing of its state.
    with translation.override("zh-hans"), pytest.raises(PermissionDenied, match="您无权修改"):
        note_create(actor=personas.outsider, customer=customer, fields={"body": "x"})


# --- what has fallen due ----------------------------------------------------------------------


def _settled(personas: Any, code: str, day: datetime.date = SETTLED) -> Any:
    file = CustomerFactory(
        code=code, department=personas.sales, account_manager=personas.account_manager
    )
    samples.attach(file, day=datetime.date(2019, 5, 6))
    file_settle(actor=personas.department_head, customer=file, today=day)
    file.refresh_from_db()
    return file


def test_what_is_due_follows_the_rules_with_the_clock_moved_forward(
    customer: Any, personas: Any
) -> None:
    settled = _settled(personas, "C000100")
    later = _settled(personas, "C000101", day=datetime.date(2022, 1, 15))
    samples.attach(customer)  # an active file is never due
    letter = Document.objects.get(customer=settled)
    assert _due(SETTLED.replace(year=2025, day=30)) == set()
    # Five years after settling: the file and its letter; the later file not yet.
    on_day = datetime.date(2025, 3, 31)
    assert _due(on_day) == {("file", settled.pk), ("document", letter.pk)}
    assert {d.due_on for d in due_items(today=on_day)} == {on_day}
    everything = _due(datetime.date(2040, 1, 1))
    assert ("file", later.pk) in everything and ("file", customer.pk) not in everything


def test_a_type_rule_wins_over_the_rule_for_every_type(personas: Any) -> None:
    settled = _settled(personas, "C000100")
    change = rule_change_propose(
        actor=personas.admin, fields=_rule(document_type="letter"), reason="十年"
    )
    rule_change_decide(actor=personas.department_head, change=change, approve=True)
    letter = Document.objects.get(customer=settled)
    assert ("document", letter.pk) not in _due(datetime.date(2026, 1, 1))
    assert ("document", letter.pk) in _due(datetime.date(2030, 3, 31))


def test_a_legal_hold_keeps_a_file_off_the_list_until_lifted(personas: Any) -> None:
    held = _settled(personas, "C000100")
    free = _settled(personas, "C000101")
    today = datetime.date(2026, 1, 1)
    hold = legal_hold_place(actor=personas.department_head, customer=held, reason="诉讼未决")
    assert {pk for kind, pk in _due(today) if kind == "file"} == {free.pk}
    assert not any(d.customer_id == held.pk for d in due_items(today=today))
    legal_hold_lift(actor=personas.department_head, hold=hold)
    assert ("file", held.pk) in _due(today)
    events = AuditEvent.objects.filter(object_type="retention.legalhold", customer_id=held.pk)
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]


def test_a_hold_with_an_end_date_stops_holding_after_it(personas: Any) -> None:
    held = _settled(personas, "C000100")
    legal_hold_place(
        actor=personas.department_head,
        customer=held,
        reason="监管检查",
        until=datetime.date(2030, 6, 30),
    )
    assert ("file", held.pk) not in _due(datetime.date(2030, 6, 30))
    assert ("file", held.pk) in _due(datetime.date(2030, 7, 1))


def test_only_the_department_head_places_a_hold_and_with_a_reason(
    customer: Any, personas: Any
) -> None:
    with pytest.raises(PermissionDenied):
        legal_hold_place(actor=personas.account_manager, customer=customer, reason="x")
    with pytest.raises(ValidationError) as refused:
        legal_hold_place(actor=personas.department_head, customer=customer, reason=" ")
    assert "reason" in refused.value.message_dict


def test_negative_records_fall_due_five_years_after_the_event_ends(customer: Any) -> None:
    rule = RiskRule.objects.create(name="逾期测试", max_dbt_above=90)
    ended = WatchEntry.objects.create(
        customer=customer,
        rule=rule,
        status="cleared",
        since=datetime.date(2019, 1, 1),
        cleared_on=datetime.date(2020, 3, 15),
        cleared_at=timezone.now(),
    )
    ongoing = WatchEntry.objects.create(
        customer=customer, rule=rule, status="active", since=datetime.date(2015, 1, 1)
    )
    assert ("negative", ended.pk) not in _due(datetime.date(2025, 3, 14))
    due = _due(datetime.date(2025, 3, 15))
    assert ("negative", ended.pk) in due and ("negative", ongoing.pk) not in due


def test_the_daily_job_records_a_pending_list_once(personas: Any) -> None:
    settled = _settled(personas, "C000100")
    assert "retention.due" in JOB_NAMES
    today = datetime.date(2026, 1, 1)
    run_due(today=today, only=["retention.due"])
    listing = DestructionList.objects.get()
    assert listing.status == "pending" and listing.listed_on == today
    assert set(listing.items.values_list("kind", "customer_id")) == {
        ("file", settled.pk),
        ("document", settled.pk),
    }
    # Listed once: the next day's run finds nothing new.
    assert destruction_list_make(today=today + datetime.timedelta(days=1)) is None
    assert DestructionItem.objects.count() == 2


# --- the day an item is listed: exactly its due day, around 29 February ----------------------


def test_a_file_settled_on_29_february_is_listed_on_28_february_five_years_on(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    leap = _settled(personas, "C000100", day=datetime.date(2020, 2, 29))
    assert ("file", leap.pk) not in _due(datetime.date(2025, 2, 27))
    # The shipped rules: files, documents, ID copies, negative records; one query each.
    with django_assert_max_num_queries(1 + 4):
        due = [d for d in due_items(today=datetime.date(2025, 2, 28)) if d.kind == "file"]
    assert [(d.object_id, d.due_on) for d in due] == [(leap.pk, datetime.date(2025, 2, 28))]


def test_the_daily_list_takes_the_leap_day_file_on_its_due_day(personas: Any) -> None:
    leap = _settled(personas, "C000100", day=datetime.date(2020, 2, 29))
    assert destruction_list_make(today=datetime.date(2025, 2, 27)) is None
    listing = destruction_list_make(today=datetime.date(2025, 2, 28))
    assert listing is not None
    item = listing.items.get(kind="file")
    assert (item.customer_id, item.due_on) == (leap.pk, datetime.date(2025, 2, 28))
    assert destruction_list_make(today=datetime.date(2025, 3, 1)) is None


def _monthly_contract_rule(personas: Any) -> None:
    change = rule_change_propose(
        actor=personas.admin,
        fields=_rule(counts_from="document_date", period_years=0, period_months=1),
        reason="一个月",
    )
    rule_change_decide(actor=personas.department_head, change=change, approve=True)


@pytest.mark.parametrize(
    ("dated", "due_on"),
    [
        (datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        (datetime.date(2024, 2, 29), datetime.date(2024, 3, 29)),
        (datetime.date(2025, 3, 31), datetime.date(2025, 4, 30)),
        (datetime.date(2025, 4, 15), datetime.date(2025, 5, 15)),
    ],
)
def test_a_document_counted_from_its_date_is_listed_exactly_on_its_due_day(
    personas: Any, dated: datetime.date, due_on: datetime.date
) -> None:
    _monthly_contract_rule(personas)
    file = _settled(personas, "C000100", day=datetime.date(2024, 1, 2))
    contract = samples.attach(file, document_type="contract", name="contract.pdf", day=dated)
    assert ("document", contract.pk) not in _due(due_on - datetime.timedelta(days=1))
    on_day = [d for d in due_items(today=due_on) if d.object_id == contract.pk]
    assert [(d.kind, d.due_on) for d in on_day] == [("document", due_on)]


def test_an_ordinary_day_lists_what_started_on_the_same_day_months_before(
    personas: Any,
) -> None:
    # Settled on the 30th of a 31-day month: due on the 30th, five years on.
    file = _settled(personas, "C000100", day=datetime.date(2020, 3, 30))
    assert ("file", file.pk) not in _due(datetime.date(2025, 3, 29))
    assert ("file", file.pk) in _due(datetime.date(2025, 3, 30))
