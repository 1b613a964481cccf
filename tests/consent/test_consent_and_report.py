"""Consent gates an individual's credit report; a person's data export; the report's figures."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from credfile.audit.models import AuditEvent
from credfile.consent.models import Consent
from credfile.customers.services import contact_create
from credfile.financials.services import individual_financial_create
from credfile.transactions.receivables import payment_index
from credfile.transactions.services import invoice_create, payment_create
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(personas):  # type: ignore[no-untyped-def]
    customer = IndividualFactory(
        name="张伟",
        phone="+8613812345678",
        bank_account="6222021234567890123",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    contact_create(
        actor=personas.account_manager,
        customer=customer,
        fields={"name": "王芳", "mobile": "13700001111"},
    )
    individual_financial_create(
        actor=personas.account_manager,
        customer=customer,
        fields={
            "as_of": datetime.date(2026, 1, 1),
            "annual_income": Decimal("360000.00"),
            "total_assets": Decimal("1200000.00"),
            "total_liabilities": Decimal("350000.00"),
        },
    )
    return customer


def _give_consent(client, customer, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "consent-purpose": "credit_report",
        "consent-scope": "查询本人信用信息",
        "consent-channel": "paper",
        "consent-given_on": timezone.localdate().isoformat(),
        "consent-evidence": "档案盒 2026-017 第3页",
    }
    data.update({f"consent-{k}": v for k, v in overrides.items()})
    return client.post(
        reverse("customers:add", args=[customer.pk, "consent"]), data, HTTP_HX_REQUEST="true"
    )


def test_a_credit_report_without_consent_is_refused_with_a_clear_message(
    personas, client_for, person
) -> None:
    client = client_for(personas.account_manager)
    report = reverse("consent:report", args=[person.pk])
    refused = client.get(report)
    assert refused.status_code == 403
    assert "has given no valid consent to “Credit report query”" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="credit_report").exists()

    assert _give_consent(client, person).status_code == 200
    shown = client.get(report)
    assert shown.status_code == 200
    assert 'id="payment-index"' in shown.content.decode()
    event = AuditEvent.objects.get(action="credit_report", customer_id=person.pk)
    assert event.after["consent"] == Consent.objects.get().pk


def test_a_withdrawn_consent_no_longer_allows_the_report(personas, client_for, person) -> None:
    client = client_for(personas.account_manager)
    _give_consent(client, person)
    consent = Consent.objects.get()
    response = client.post(
        reverse("consent:withdraw", args=[person.pk, consent.pk]),
        {"reason": "客户书面撤回"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert client.get(reverse("consent:report", args=[person.pk])).status_code == 403
    api = APIClient()
    api.force_authenticate(personas.account_manager)
    body = api.get(f"/api/v1/customers/{person.pk}/credit-report/")
    assert body.status_code == 403
    assert body["Content-Type"] == "application/problem+json"


def test_consent_input_is_checked_field_by_field(personas, client_for, person) -> None:
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = client_for(personas.account_manager)
    response = _give_consent(client, person, given_on=tomorrow)
    assert response.status_code == 422
    form = dict((k, f) for k, _t, f in response.context["record_forms"])["consent"]
    assert form.errors["given_on"] == ["Consent cannot be dated in the future."]
    response = _give_consent(client, person, evidence="")
    form = dict((k, f) for k, _t, f in response.context["record_forms"])["consent"]
    assert "evidence" in form.errors
    assert not Consent.objects.exists()


def test_an_organisations_report_needs_no_personal_consent(personas, client_for) -> None:
    company = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=company,
        fields={
            "number": "A1",
            "issue_date": timezone.localdate() - datetime.timedelta(days=60),
            "payment_terms_days": 30,
            "amount": Decimal("1000.00"),
        },
    )
    payment_create(
        actor=personas.account_manager,
        customer=company,
        fields={
            "received_on": invoice.due_date + datetime.timedelta(days=15),
            "amount": Decimal("1000"),
        },
    )
    page = client_for(personas.credit_manager).get(reverse("consent:report", args=[company.pk]))
    assert page.status_code == 200
    [cny] = page.context["receivables"]
    assert cny.index == Decimal("70.0")  # 15 days late → 70


def test_the_payment_index_interpolates_between_the_anchors() -> None:
    assert payment_index(-45) == 100 and payment_index(0) == 80 and payment_index(15) == 70
    assert payment_index(7.5) == pytest.approx(75)
    assert payment_index(200) == 20


def test_a_person_receives_all_their_data_as_json_and_xlsx(personas, client_for, person) -> None:
    client = client_for(personas.account_manager)
    response = client.post(reverse("customers:personal-data", args=[person.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"]["id_number"] == person.id_number
    assert data["customer"]["phone"] == "+8613812345678"
    assert data["customer"]["bank_account"] == "6222021234567890123"
    assert data["contacts"][0]["mobile"] == "+8613700001111"
    assert data["individual_financials"][0]["annual_income"] == "360000.00"
    assert not any(k.endswith(("_enc", "_bidx")) for k in data["customer"])
    xlsx = client.post(reverse("customers:personal-data", args=[person.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["customer"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("id_number") + 1).value == person.id_number
    assert AuditEvent.objects.filter(action="export", customer_id=person.pk).count() == 2


def test_only_those_with_the_reveal_right_export_personal_data(
    personas, client_for, person
) -> None:
    url = reverse("customers:personal-data", args=[person.pk, "json"])
    assert client_for(personas.auditor).post(url).status_code == 404
    assert client_for(personas.credit_manager).post(url).status_code == 404
    api = APIClient()
    api.force_authenticate(personas.auditor)
    assert api.get(f"/api/v1/customers/{person.pk}/personal-data/").status_code == 403


def test_the_cli_exports_personal_data(personas, person, tmp_path) -> None:
    out = tmp_path / "copy.json"
    call_command(
        "personaldata", person.code, "--as", personas.account_manager.username, "--output", str(out)
    )
    assert json.loads(out.read_text())["customer"]["id_number"] == person.id_number
