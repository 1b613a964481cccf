"""Asking for a limit and deciding it: the right role by amount, never the requester; the
recommendation read from the file."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.financials.services import financial_statement_create
from credfile.limits.facts import limit_inputs, recommended_limit
from credfile.limits.models import CreditLimit, LimitRequest, OpenOrder
from credfile.limits.services import limit_request_create, limit_request_decide
from credfile.transactions.models import Contract
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory
from tests.limits.conftest import grade

pytestmark = pytest.mark.django_db


def _ask(personas: Personas, customer: Customer, amount: str, who: Any = None) -> LimitRequest:
    return limit_request_create(
        actor=who or personas.account_manager,
        customer=customer,
        amount=D(amount),
        currency="CNY",
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        reason="年度额度",
    )


def test_up_to_the_threshold_a_credit_manager_approves_not_the_requester(
    personas: Personas, company: Customer
) -> None:
    request = _ask(personas, company, "5000000", who=personas.credit_manager)
    assert request.approver_role == "credit_manager"
    with pytest.raises(PermissionDenied, match="decided by someone else"):
        limit_request_decide(actor=personas.credit_manager, request=request, approve=True)
    for other in (personas.account_manager, personas.department_head, personas.auditor):
        with pytest.raises(PermissionDenied):
            limit_request_decide(actor=other, request=request, approve=True)
    other_manager = type(personas.credit_manager).objects.create(
        username="he.ping", role="credit_manager"
    )
    limit_request_decide(actor=other_manager, request=request, approve=True)
    limit = CreditLimit.objects.get(customer=company, status="active")
    assert (limit.amount, limit.approved_by, limit.request) == (
        D("5000000"),
        other_manager,
        request,
    )
    assert AuditEvent.objects.filter(object_type__endswith="limitrequest").count() == 2


def test_above_the_threshold_only_the_executive_approves(
    personas: Personas, company: Customer, settings: Any
) -> None:
    request = _ask(personas, company, "5000000.01")
    assert request.approver_role == "executive"
    with pytest.raises(PermissionDenied):
        limit_request_decide(actor=personas.credit_manager, request=request, approve=True)
    limit_request_decide(actor=personas.executive, request=request, approve=True)
    assert CreditLimit.objects.get(customer=company).amount == D("5000000.01")
    settings.CREDFILE_LIMIT_EXECUTIVE_ABOVE = D("1000")
    assert _ask(personas, company, "1000.01").approver_role == "executive"


def test_a_new_limit_supersedes_the_old_and_a_rejection_needs_a_note(
    personas: Personas, company: Customer
) -> None:
    first = _ask(personas, company, "100000")
    limit_request_decide(actor=personas.credit_manager, request=first, approve=True)
    second = _ask(personas, company, "200000")
    with pytest.raises(ValidationError):
        limit_request_decide(actor=personas.credit_manager, request=second, approve=False)
    limit_request_decide(actor=personas.credit_manager, request=second, approve=True)
    assert list(
        CreditLimit.objects.filter(customer=company).order_by("pk").values_list("amount", "status")
    ) == [(D("100000"), "superseded"), (D("200000"), "active")]
    third = _ask(personas, company, "1")
    limit_request_decide(actor=personas.credit_manager, request=third, approve=False, note="过低")
    assert LimitRequest.objects.get(pk=third.pk).status == "rejected"
    assert CreditLimit.objects.get(customer=company, status="active").amount == D("200000")


def test_whoever_may_rate_the_file_may_ask(personas: Personas, company: Customer) -> None:
    for who in (personas.outsider, personas.auditor, personas.executive):
        with pytest.raises(PermissionDenied):
            _ask(personas, company, "1", who=who)
    with pytest.raises(ValidationError) as error:
        _ask(personas, company, "-1")
    assert "amount" in error.value.message_dict


def test_the_file_page_decides_with_the_right_role(
    client_for: Any, personas: Personas, company: Customer
) -> None:
    asked = client_for(personas.account_manager).post(
        f"/customers/{company.pk}/limits/request/",
        {
            "amount": "80000",
            "currency": "CNY",
            "valid_until": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            "reason": "新订单",
        },
        follow=True,
    )
    assert asked.status_code == 200
    request = LimitRequest.objects.get()
    section = client_for(personas.credit_manager).get(f"/customers/{company.pk}/limits/")
    assert f'action="/limits/requests/{request.pk}/decide/"' in section.content.decode()
    mine = client_for(personas.account_manager).get(f"/customers/{company.pk}/limits/")
    assert "/decide/" not in mine.content.decode()
    refused = client_for(personas.account_manager).post(
        f"/limits/requests/{request.pk}/decide/", {"decision": "approve"}
    )
    assert refused.status_code == 404
    client_for(personas.credit_manager).post(
        f"/limits/requests/{request.pk}/decide/", {"decision": "approve"}
    )
    page = client_for(personas.account_manager).get(f"/customers/{company.pk}/limits/")
    assert 'data-limit="CNY"' in page.content.decode()
    assert "80,000.00" in page.content.decode()


def test_the_recommendation_reads_its_inputs_from_the_file(
    personas: Personas, company: Customer
) -> None:
    today = timezone.localdate()
    for n, months_ago in enumerate((1, 5, 11, 13)):
        issued = today - datetime.timedelta(days=30 * months_ago)
        invoice_create(
            actor=personas.account_manager,
            customer=company,
            fields={
                "number": f"FP-{n}",
                "issue_date": issued,
                "due_date": issued + datetime.timedelta(days=30),
                "amount": D("120000"),
                "currency": "CNY",
            },
        )
    Contract.objects.create(
        customer=company,
        number="HT-1",
        title="供货",
        signed_on=today - datetime.timedelta(days=400),
        amount=D("1"),
        payment_terms_days=45,
    )
    OpenOrder.objects.create(customer=company, reference="SO-9", amount=D("7000"), kind="order")
    financial_statement_create(
        actor=personas.account_manager,
        customer=company,
        fields={
            "period_type": "annual",
            "period_end": datetime.date(today.year - 1, 12, 31),
            "currency": "CNY",
            "intangible_assets": D("1000000"),
            "total_assets": D("9000000"),
            "total_liabilities": D("4000000"),
            "equity": D("5000000"),
            "revenue": D("20000000"),
            "net_profit": D("100000"),
        },
    )
    grade(company, "BBB", personas)
    i = limit_inputs(company, currency="CNY")
    # Three invoices in the last 12 months: 360,000 / 12.
    assert (i.monthly_sales, i.terms_days, i.open_orders) == (D("30000"), 45, D("7000"))
    assert (i.tangible_net_worth, i.revenue, i.grade) == (D("4000000"), D("20000000"), "BBB")
    r = recommended_limit(company)
    # cap = min(10 % × 4,000,000, 4 % × 20,000,000) = 400,000 ≥ need.
    assert r.cap == D("400000")
    expected_need = (D("30000") * (45 + i.days_delinquent) / 30).quantize(D("0.01")) + D("7000")
    assert r.need == expected_need
    # A limit in USD gets no cap from a CNY statement: no exchange rates are kept.
    usd = recommended_limit(company, currency="USD")
    assert usd.cap == 0
    assert "is in CNY, not USD" in " ".join(usd.notes)


def test_a_limit_running_out_brings_the_file_into_the_review_queue(
    personas: Personas, company: Customer
) -> None:
    from credfile.reviews.models import ReviewSchedule
    from credfile.reviews.services import schedules_refresh

    today = timezone.localdate()
    schedules_refresh(customer_ids=[company.pk])
    cycle_due = ReviewSchedule.objects.get(customer=company).next_review_on
    assert cycle_due > today + datetime.timedelta(days=60)
    ends = today + datetime.timedelta(days=30)
    request = limit_request_create(
        actor=personas.account_manager,
        customer=company,
        amount=D("1000"),
        currency="CNY",
        valid_until=ends,
        reason="短期",
    )
    limit_request_decide(actor=personas.credit_manager, request=request, approve=True)
    assert ReviewSchedule.objects.get(customer=company).next_review_on == ends
    # Once it has run out the daily refresh keeps the file overdue until the limit is renewed.
    schedules_refresh(today=ends + datetime.timedelta(days=1))
    assert ReviewSchedule.objects.get(customer=company).next_review_on == ends


def test_the_section_speaks_chinese(client_for: Any, personas: Personas, company: Customer) -> None:
    grade(company, "A", personas)
    page = client_for(personas.credit_manager, language="zh-hans").get(
        f"/customers/{company.pk}/limits/"
    )
    html = page.content.decode()
    for text in (
        "建议额度",
        "需求额度",
        "按有形净资产的上限",
        "无年度报表：上限为零。",
        "申请额度",
    ):
        assert text in html
    for text in ("Recommended limit", "Need", "Ask for a limit", "No annual statement"):
        assert text not in html


def test_the_limits_page_lists_the_requests_waiting_for_ones_decision(
    client_for: Any, personas: Personas, company: Customer
) -> None:
    small = _ask(personas, company, "1000")
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    large = _ask(personas, other, "9000000")
    own = _ask(personas, CustomerFactory(), "1000", who=personas.credit_manager)
    page = client_for(personas.credit_manager).get("/limits/refusals/").content.decode()
    assert f'data-request="{small.pk}"' in page
    assert f'data-request="{large.pk}"' not in page  # the executive's
    assert f'data-request="{own.pk}"' not in page  # never one's own
    executive = client_for(personas.executive).get("/limits/refusals/").content.decode()
    assert f'data-request="{large.pk}"' in executive and f'data-request="{own.pk}"' in executive
    back = client_for(personas.credit_manager).post(
        f"/limits/requests/{small.pk}/decide/", {"decision": "approve", "next": "list"}
    )
    assert back.status_code == 302 and back["Location"] == "/limits/refusals/"
    assert CreditLimit.objects.get(customer=company).amount == D("1000")
