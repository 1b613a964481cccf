"""The audit trail as an auditor reads it, in each language: customer codes, object types by
name, translated actions, field-by-field differences, the chain check, translated exports."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record
from credfile.customers.models import Customer
from credfile.customers.services import customer_create, customer_update
from tests.audit.conftest import tampering
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def acme(personas: Personas) -> Customer:
    customer = customer_create(
        actor=personas.account_manager,
        fields={
            "kind": "organization",
            "name": "Acme Trading Ltd",
            "phone": "13812345678",
            "registered_capital": Decimal("50000000.00"),
            "category": "regular",
        },
    )
    customer = customer_update(
        actor=personas.account_manager,
        customer=customer,
        fields={"registered_capital": Decimal("75000000.00"), "category": "key"},
    )
    device = TOTPDevice.objects.create(user=personas.account_manager, name="phone", confirmed=True)
    audit_record(actor=personas.account_manager, action=AuditAction.CREATE, obj=device)
    audit_record(
        actor=personas.credit_manager,
        action=AuditAction.CREDIT_REPORT,
        obj=customer,
        customer_id=customer.pk,
    )
    return customer


def _results(response: Any) -> str:
    html = response.content.decode()
    return html.split('id="results">', 1)[1].split("</main>", 1)[0]


def _row(html: str, action: str) -> str:
    return html.split(f'data-action="{action}">', 1)[1].split("<tr data-seq", 1)[0]


def test_the_english_trail_names_files_by_code_and_objects_by_type(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    html = _results(client_for(personas.auditor).get(reverse("audit:list")))

    assert f'Customer <span class="font-monospace">{acme.code}</span>' in html
    assert "Authenticator device" in html
    assert "customers.customer" not in html and "otp_totp.totpdevice" not in html
    update = _row(html, "update")
    # The customer column holds the code, never the internal id.
    customer_cell = update.split('audit-customer">', 1)[1].split("</td>", 1)[0]
    assert acme.code in customer_cell and f">{acme.pk}<" not in customer_cell
    assert "Credit report" in html and "credit_report<" not in html


def test_an_update_shows_each_changed_field_with_its_label_and_formatted_values(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    html = _results(client_for(personas.auditor).get(reverse("audit:list")))

    update = _row(html, "update")
    assert "registered capital" in update
    assert "50,000,000.00" in update and "75,000,000.00" in update
    assert "Regular customer" in update and "Key customer" in update
    assert "{" not in update  # no raw JSON
    # Sensitive values stay as masked when recorded.
    assert "138****5678" in html and "13812345678" not in html


def test_the_chinese_trail_uses_no_english_names(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    html = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))

    assert "客户" in html and "注册资本" in html
    for english in ("Customer", "Authenticator", "registered capital", "Credit report", "Update"):
        assert english not in html
    # Apart from data (names, codes, the user names) and markup, the cells are Chinese.
    text = re.sub(r"<[^>]+>", " ", html)
    data_and_names = (acme.name, acme.code, "li.na", "chen.jie", "sun.li", "Asia/Shanghai")
    for data in (*data_and_names, "phone", "CNY", "IP", "CSV", "Excel"):
        text = text.replace(data, "")
    assert not LATIN_WORD.findall(text), LATIN_WORD.findall(text)[:20]


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_names_operations_and_types_in_the_exporters_language(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    english = _csv(client_for(personas.auditor).get(reverse("audit:export_csv")))
    chinese = _csv(client_for(personas.auditor, "zh-hans").get(reverse("audit:export_csv")))

    header = english[0]
    action, kind = header.index("Action"), header.index("Object type")
    code = header.index("Customer code")
    report = next(r for r in english[1:] if r[action] == "Credit report")
    assert report[kind] == "Customer" and report[code] == acme.code
    assert "credit_report" not in {r[action] for r in english[1:]}
    assert "otp_totp.totpdevice" not in {r[kind] for r in english[1:]}
    assert chinese[0][action] == "操作"
    assert {r[action] for r in chinese[1:]} & {"信用报告"}
    assert not any(LATIN_WORD.fullmatch(r[action]) for r in chinese[1:])


def test_the_xlsx_export_names_operations_in_the_exporters_language(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    response = client_for(personas.auditor, "zh-hans").get(reverse("audit:export_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    actions = {r[3] for r in rows[1:]}
    assert "信用报告" in actions and "credit_report" not in actions


def test_an_auditor_verifies_the_chain_from_the_page(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    client = client_for(personas.auditor)
    page = client.get(reverse("audit:list")).content.decode()
    assert 'id="verify-chain"' in page

    intact = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert "Audit trail intact" in intact

    target = AuditEvent.objects.order_by("seq")[2]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["x", target.pk]
        )
    broken = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert "Audit trail broken" in broken
    assert f"Event seq {target.seq} (id {target.pk}) was changed" in broken

    chinese = client_for(personas.auditor, "zh-hans").post(reverse("audit:verify"), follow=True)
    assert "Audit trail broken" not in chinese.content.decode()


@pytest.mark.parametrize("persona", ["admin", "executive", "account_manager"])
def test_only_auditors_may_run_the_check_from_the_page(
    personas: Personas, client_for: Any, persona: str
) -> None:
    client = client_for(getattr(personas, persona))
    assert client.post(reverse("audit:verify")).status_code == 404
    if persona == "admin":
        assert 'id="verify-chain"' not in client.get(reverse("audit:list")).content.decode()


def test_a_look_at_a_file_says_where_it_was_opened_in_the_readers_language(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    manager = client_for(personas.account_manager)
    manager.get(reverse("customers:section", args=[acme.pk, "contacts"]))
    manager.get(reverse("customers:detail", args=[acme.pk]))

    english = _results(client_for(personas.auditor).get(reverse("audit:list")))
    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))

    view = _row(english, "view")
    assert "file page" in view or "section: Contacts" in view
    assert "section: Contacts" in english
    assert "联系人" in chinese
    text = re.sub(r"<[^>]+>", " ", chinese)
    assert "file page" not in text and "section" not in text and ">use<" not in chinese


@pytest.fixture
def decided(personas: Personas, acme: Customer) -> dict[str, Any]:
    """An application approved, a change waiting for approval and a review, on the trail."""
    import datetime

    from django.utils import timezone

    from credfile.access.services import application_approve, application_create
    from credfile.changes.services import customer_edit
    from credfile.reviews.services import review_submit

    theirs = customer_create(
        actor=personas.outsider,
        fields={"kind": "organization", "name": "Export House Ltd", "category": "regular"},
    )
    today = timezone.localdate()
    application = application_create(
        actor=personas.account_manager,
        customer=theirs,
        sections=["basic", "transactions"],
        purpose="Contract renewal",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
    )
    grant = application_approve(actor=personas.executive, application=application, note="ok")
    acme.refresh_from_db()
    customer_edit(
        actor=personas.account_manager,
        customer=acme,
        fields={"name": "Acme Trading Group"},
        reason="renamed",
    )
    acme.refresh_from_db()
    review_submit(
        actor=personas.department_head,
        customer=acme,
        findings="complete",
        conclusion="satisfactory",
    )
    return {"theirs": theirs, "grant": grant}


def _cells(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_records_are_described_in_the_readers_language_not_by_their_stored_name(
    personas: Personas, client_for: Any, acme: Customer, decided: dict[str, Any]
) -> None:
    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))
    english = _results(client_for(personas.auditor).get(reverse("audit:list")))

    apply = _cells(_row(chinese, "apply"))
    theirs = decided["theirs"]
    assert f"{theirs.code} · {personas.account_manager}" in apply
    assert "pending" not in apply and "待审批" not in apply.split("字段")[0]
    review = _cells(_row(chinese, "create").split("</tr>", 1)[0])
    assert "复核日期" in review and "良好" in review and "satisfactory" not in review
    assert "reviewed on" in _cells(english) and "Satisfactory" in _cells(english)
    submit = _cells(_row(chinese, "submit"))
    assert f"{acme.code} · 主体信息" in submit
    assert "identity" not in submit and "pending" not in submit


def test_event_details_show_translated_sections_targets_and_fields(
    personas: Personas, client_for: Any, acme: Customer, decided: dict[str, Any]
) -> None:
    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))
    english = _results(client_for(personas.auditor).get(reverse("audit:list")))

    apply = _cells(_row(chinese, "apply"))
    assert "使用范围 — 基本信息、交易往来" in apply and "basic" not in apply
    approve = _cells(_row(chinese, "approve"))
    grant = decided["grant"]
    assert f"#{grant.pk}" in approve and "until" not in approve
    assert "valid_until" not in approve and "有效期至" in approve
    submit = _cells(_row(chinese, "submit"))
    assert f"客户 {acme.code}" in submit and "customers.customer" not in submit
    assert "名称: Acme Trading Group" in submit
    assert ">target<" not in chinese and ">changes<" not in chinese
    english_submit = _cells(_row(english, "submit"))
    assert f"Customer {acme.code}" in english_submit
    assert "Basic information, Transactions" in _cells(_row(english, "apply"))


def test_a_look_at_the_file_without_a_named_place_reads_as_the_credit_file(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    from credfile.customers.selectors import customer_get

    customer_get(user=personas.credit_manager, pk=acme.pk)

    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))
    view = _cells(_row(chinese, "view"))
    assert "信用档案" in view and " view " not in f" {view} "


def test_a_refused_look_names_what_was_asked_in_the_readers_language(
    personas: Personas, client_for: Any, acme: Customer
) -> None:
    from django.http import Http404

    from credfile.customers.selectors import customer_get

    with pytest.raises(Http404):
        customer_get(user=personas.outsider, pk=acme.pk, section="contacts")

    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))
    denied = _cells(_row(chinese, "access_denied"))
    assert "查看: 联系人" in denied and "view contacts" not in denied


def test_the_demo_loaders_event_reads_in_the_readers_language(
    personas: Personas, client_for: Any
) -> None:
    from django.utils import timezone

    from credfile.demo.loader import load_demo

    load_demo(customers=2, seed=3, as_of=timezone.localdate(), parallel=False)

    chinese = _results(
        client_for(personas.auditor, "zh-hans").get(
            reverse("audit:list"), {"object_type": "customers.customer"}
        )
    )
    text = _cells(chinese)
    assert "演示数据（C" in text and "demo data" not in text
    assert "客户: 2" in text and "联系人:" in text and "档案版本: 2" in text
    assert "contacts:" not in text and "Customer-tag" not in text
    english = _cells(
        _results(
            client_for(personas.auditor).get(
                reverse("audit:list"), {"object_type": "customers.customer"}
            )
        )
    )
    assert "demo data (C" in english and "Customers: 2" in english


def test_the_trail_page_names_every_type_and_marks_the_command_as_code(
    personas: Personas, client_for: Any
) -> None:
    html = client_for(personas.auditor, "zh-hans").get(reverse("audit:list")).content.decode()

    assert "编号序列" in html and "Code sequence" not in html
    english = client_for(personas.admin).get(reverse("audit:list")).content.decode()
    assert "<code>credfile audit verify</code>" in english
    assert "Every link is checked by <code>credfile audit verify</code>." in english


def test_actors_who_are_not_users_are_named_in_the_readers_language(
    personas: Personas, client_for: Any
) -> None:
    from credfile.audit.services import audit_login_failed

    audit_login_failed(username="nobody", account=None)
    audit_record(actor=None, action=AuditAction.CREATE, obj=personas.sales)

    chinese = _results(client_for(personas.auditor, "zh-hans").get(reverse("audit:list")))
    assert "匿名用户" in _cells(_row(chinese, "login_failed"))
    assert "系统" in _cells(_row(chinese, "create"))
    assert "anonymous" not in chinese and ">system<" not in chinese
    english = _results(client_for(personas.auditor).get(reverse("audit:list")))
    assert "anonymous" in _cells(_row(english, "login_failed"))


def test_describing_records_takes_one_query_per_type_however_many_events(
    personas: Personas, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credfile.core.models import CodeSequence

    client = client_for(personas.auditor, "zh-hans")

    def queries_with(count: int) -> int:
        for n in range(count):
            sequence = CodeSequence.objects.create(name=f"test-{count}-{n}", value=n)
            audit_record(actor=None, action=AuditAction.CREATE, obj=sequence)
        client.get(reverse("audit:list"))  # sessions and caches warmed
        with CaptureQueriesContext(connection) as context:
            page = client.get(reverse("audit:list"))
        assert f"名称 test-{count}-0 · 取值 0" in _results(page)
        return len(context.captured_queries)

    assert queries_with(2) == queries_with(8)
