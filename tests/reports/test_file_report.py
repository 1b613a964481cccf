"""A credit file as a PDF: Chinese text and the embedded font, masking by the reader's rights,
the policy's scope, the audit record, the 503 without a font, the command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.core.masking import mask_id_number
from credfile.customers.models import Customer
from credfile.financials.services import financial_statement_create, individual_financial_create
from credfile.reports.fonts import report_font_check
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory
from tests.reports.pdf import fonts_of, text_of

ID_NUMBER = "11010519850312002X"


@pytest.fixture
def person(personas: Personas) -> Customer:
    customer = IndividualFactory(
        name="欧阳明月",
        department=personas.sales,
        account_manager=personas.account_manager,
        id_number=ID_NUMBER,
        phone="+8613812345678",
    )
    individual_financial_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "as_of": datetime.date(2025, 12, 31),
            "annual_income": Decimal("456789.00"),
            "total_assets": Decimal("2500000.00"),
            "total_liabilities": Decimal("800000.00"),
            "employer": "华夏测试银行",
        },
    )
    return customer


@pytest.fixture
def company(personas: Personas) -> Customer:
    customer = CustomerFactory(
        name="长江精密仪器有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    financial_statement_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "period_type": "annual",
            "period_end": datetime.date(2025, 12, 31),
            "total_assets": Decimal("10000000.00"),
            "total_liabilities": Decimal("4000000.00"),
            "equity": Decimal("6000000.00"),
            "revenue": Decimal("8765432.10"),
            "net_profit": Decimal("543210.00"),
        },
    )
    for number, currency in (("FP-CNY-1", "CNY"), ("FP-USD-1", "USD")):
        invoice_create(
            actor=personas.account_manager,
            customer=customer,
            fields={
                "number": number,
                "issue_date": datetime.date(2026, 8, 1),
                "due_date": datetime.date(2026, 9, 1),
                "amount": Decimal("4321.00"),
                "currency": currency,
            },
        )
    return customer


def _pdf(client: Any, customer: Customer, **data: Any) -> Any:
    url = reverse("customer-reports:file", args=[customer.pk])
    return client.post(url, data) if data else client.get(url)


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_report_holds_the_file_in_chinese_with_the_font_embedded(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    response = _pdf(client_for(personas.account_manager, "zh-hans"), company)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"credit-file-{company.code}-" in response["Content-Disposition"]
    content = _content(response)
    assert content.startswith(b"%PDF-")
    text = text_of(content)
    for expected in ("长江精密仪器有限公司", "销售一部", "营业收入", "8,765,432.10 CNY", "USD"):
        assert expected in text, expected
    fonts = fonts_of(content)
    assert fonts, "no font in the PDF"
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert any("NotoSansCJK" in f["name"] for f in fonts), fonts


def test_a_reader_without_the_reveal_right_sees_no_identity_number(
    personas: Personas, person: Customer, client_for: Any
) -> None:
    for reader in (personas.credit_manager, personas.executive, personas.auditor):
        text = text_of(_content(_pdf(client_for(reader), person)))
        assert "欧阳明月" in text
        assert ID_NUMBER not in text and "13812345678" not in text
        assert mask_id_number(ID_NUMBER) in text
        assert "456,789.00" not in text and "华夏测试银行" in text
        # In clear is refused: not offered (404) on the page, 403 in the API.
        assert _pdf(client_for(reader), person, reveal="1").status_code == 404
        api = APIClient()
        api.force_authenticate(reader)
        url = f"/api/v1/customers/{person.pk}/report.pdf"
        assert api.get(url, {"reveal": "true"}).status_code == 403
        assert ID_NUMBER not in text_of(_content(api.get(url)))


def test_the_reveal_right_shows_the_number_in_clear_only_when_asked(
    personas: Personas, person: Customer, client_for: Any
) -> None:
    client = client_for(personas.department_head)
    masked = text_of(_content(_pdf(client, person)))
    assert ID_NUMBER not in masked
    clear = text_of(_content(_pdf(client, person, reveal="1")))
    assert ID_NUMBER in clear and "456,789.00" in clear
    export = AuditEvent.objects.filter(customer_id=person.pk, action="export").latest("seq")
    reveal = AuditEvent.objects.filter(customer_id=person.pk, action="reveal").latest("seq")
    assert export.after["reveal"] is True and reveal.after["export"] == export.seq
    assert reveal.actor_id == personas.department_head.pk


def test_every_report_is_an_export_in_the_audit_trail(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    before = AuditEvent.objects.filter(customer_id=company.pk).count()
    _content(_pdf(client_for(personas.credit_manager), company))
    events = AuditEvent.objects.filter(customer_id=company.pk)
    assert events.count() == before + 1
    event = events.latest("seq")
    assert event.action == "export" and event.actor_id == personas.credit_manager.pk
    assert event.after["what"] == "file report" and event.after["format"] == "pdf"
    assert event.after["reveal"] is False
    assert {"basic", "financials", "ratings", "transactions", "reviews", "complaints"} == set(
        event.after["sections"]
    )


def test_another_departments_file_and_a_lent_one_are_refused(
    personas: Personas, company: Customer, client_for: Any
) -> None:
    outsider = personas.outsider
    assert _pdf(client_for(outsider), company).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/customers/{company.pk}/report.pdf").status_code == 404
    with pytest.raises(CommandError):
        call_command("report", "file", company.code, "--as", outsider.username, "-o", "/dev/null")
    # A grant lends the file to look at, not to take away a copy.
    application = access.application_create(
        actor=outsider,
        customer=company,
        sections=["basic", "transactions"],
        purpose="核对付款记录",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
    )
    access.application_approve(actor=personas.executive, application=application)
    assert (
        client_for(outsider).get(reverse("customers:detail", args=[company.pk])).status_code == 200
    )
    assert _pdf(client_for(outsider), company).status_code == 404
    assert api.get(f"/api/v1/customers/{company.pk}/report.pdf").status_code == 404
    assert not AuditEvent.objects.filter(
        customer_id=company.pk, action="export", actor_id=outsider.pk
    ).exists()


def test_the_file_page_offers_the_report(
    personas: Personas, person: Customer, client_for: Any
) -> None:
    head = client_for(personas.department_head).get(reverse("customers:detail", args=[person.pk]))
    page = head.content.decode()
    assert 'id="file-report-link"' in page and 'id="file-report-reveal"' in page
    credit = client_for(personas.credit_manager).get(reverse("customers:detail", args=[person.pk]))
    page = credit.content.decode()
    assert 'id="file-report-link"' in page and 'id="file-report-reveal"' not in page


def test_without_the_font_the_report_is_a_503_and_nothing_is_recorded(
    personas: Personas, company: Customer, client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.CREDFILE_PDF_FONT = tmp_path / "missing.ttc"
    before = AuditEvent.objects.filter(action="export").count()
    page = _pdf(client_for(personas.account_manager), company)
    assert page.status_code == 503
    assert 'id="report-font-missing"' in page.content.decode()
    assert "CREDFILE_PDF_FONT" in page.content.decode()
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    problem = api.get(f"/api/v1/customers/{company.pk}/report.pdf")
    assert problem.status_code == 503
    assert problem["Content-Type"].startswith("application/problem+json")
    assert AuditEvent.objects.filter(action="export").count() == before
    warnings = report_font_check()
    assert [w.id for w in warnings] == ["credfile.W201"]
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font")
    settings.CREDFILE_PDF_FONT = not_a_font
    assert [w.id for w in report_font_check()] == ["credfile.W201"]


def test_the_installed_font_passes_the_check() -> None:
    assert report_font_check() == []


def test_the_command_writes_the_report(
    personas: Personas, person: Customer, tmp_path: Path
) -> None:
    out = tmp_path / "out.pdf"
    call_command(
        "report", "file", person.code, "--as", personas.credit_manager.username, "-o", str(out)
    )
    text = text_of(out.read_bytes())
    assert "欧阳明月" in text and ID_NUMBER not in text
    with pytest.raises(CommandError):
        call_command(
            "report",
            "file",
            person.code,
            "--as",
            personas.credit_manager.username,
            "-o",
            str(out),
            "--reveal",
        )
    call_command(
        "report",
        "file",
        person.code,
        "--as",
        personas.account_manager.username,
        "-o",
        str(out),
        "--reveal",
    )
    assert ID_NUMBER in text_of(out.read_bytes())
