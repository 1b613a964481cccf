"""The archive's pages and API: an archived file refuses every write route, the schedule's
page and its proposals, a file's life cycle page, the due list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from credfile.customers.models import Customer
from credfile.retention.models import LegalHold, RetentionRuleChange
from credfile.retention.services import destruction_list_make, file_settle
from tests.core.test_permission_matrix import ROUTES
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

WRITES = [r for r in ROUTES if r.action in {"create", "edit", "delete", "rate"}]


@pytest.fixture
def customer(personas: Any) -> Any:
    return CustomerFactory(
        code="C000042", department=personas.sales, account_manager=personas.department_head
    )


class _ArchivingFirst:
    """A test client that archives the file just before each request."""

    def __init__(self, client: Any, customer: Customer) -> None:
        self.client, self.customer = client, customer

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        if name not in {"get", "post", "put", "patch", "delete"}:
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            Customer.objects.filter(pk=self.customer.pk).update(status="archived")
            return method(*args, **kwargs)

        return call


@pytest.mark.parametrize("route", WRITES, ids=[f"{r.key}-{r.action}" for r in WRITES])
def test_an_archived_file_refuses_every_write_route(
    personas: Any, client_for: Any, route: Any
) -> None:
    """Every write route of the permission matrix, by the file's own department head (who
    may do everything on it): 404 on pages, 403 in the API, as for a file one may view but
    not change."""
    user = personas.department_head
    factory = IndividualFactory if route.individual else CustomerFactory
    customer = factory(department=personas.sales, account_manager=user)
    if route.api:
        client: Any = APIClient()
        client.force_authenticate(user)
    else:
        client = client_for(user)
    # The route's own set-up (a record to correct, a document to delete) is written first;
    # the file is archived just before the request.
    response = route.call(_ArchivingFirst(client, customer), customer)
    assert response.status_code == (403 if route.api else 404), response.status_code


def test_the_api_says_why_an_archived_file_refuses(personas: Any, customer: Any) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="archived")
    client = APIClient()
    client.force_authenticate(personas.department_head)
    response = client.post(
        f"/api/v1/customers/{customer.pk}/contacts/",
        {"name": "王芳", "phone": "13800138000"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "archived and read only" in response.content.decode()


def test_the_schedule_page_shows_the_basis_and_names_a_bad_field(
    personas: Any, client_for: Any
) -> None:
    admin = client_for(personas.admin, "zh-hans")
    page = admin.get(reverse("retention:rules")).content.decode()
    assert "《征信业管理条例》第十六条" in page and "保管期限表" in page
    refused = admin.post(
        reverse("retention:propose"),
        {
            "record_kind": "document",
            "document_type": "contract",
            "period_years": "-2",
            "period_months": "0",
            "counts_from": "settled",
            "legal_basis": "",
            "reason": "合同",
        },
    )
    assert refused.status_code == 422
    errors = refused.context["form"].errors
    assert errors["period_years"] == ["保管期限不能为负数。"]
    assert errors["legal_basis"] == ["请填写规则的法律依据。"]
    assert not RetentionRuleChange.objects.exists()


def test_a_proposal_from_the_page_is_approved_by_a_department_head(
    personas: Any, client_for: Any
) -> None:
    admin = client_for(personas.admin, "en")
    admin.post(
        reverse("retention:propose"),
        {
            "record_kind": "document",
            "document_type": "contract",
            "period_years": "10",
            "period_months": "0",
            "counts_from": "document_date",
            "legal_basis": "合同约定",
            "is_active": "on",
            "reason": "合同保存十年",
        },
    )
    change = RetentionRuleChange.objects.get()
    page = admin.get(reverse("retention:rules")).content.decode()
    assert reverse("retention:decide", args=[change.pk]) not in page  # not one's own
    head = client_for(personas.department_head, "en")
    assert reverse("retention:decide", args=[change.pk]) in (
        head.get(reverse("retention:rules")).content.decode()
    )
    head.post(reverse("retention:decide", args=[change.pk]), {"decision": "approve"})
    rules = APIClient()
    rules.force_authenticate(personas.auditor)
    listed = rules.get("/api/v1/retention-rules/").json()
    contract = [r for r in listed if r["document_type"] == "contract"]
    assert contract and contract[0]["period_years"] == 10
    assert contract[0]["counts_from"] == "document_date"


def test_the_head_settles_archives_and_holds_from_the_file_page(
    personas: Any, client_for: Any, customer: Any
) -> None:
    head = client_for(personas.department_head, "en")
    url = reverse("customer-lifecycle:page", args=[customer.pk])
    assert 'id="lifecycle-settle"' in head.get(url).content.decode()
    head.post(reverse("customer-lifecycle:settle", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.status == "settled"
    head.post(reverse("customer-lifecycle:archive", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.status == "archived"
    page = head.get(url).content.decode()
    assert "read only" in page and 'id="lifecycle-archive"' not in page
    empty = head.post(reverse("customer-lifecycle:hold", args=[customer.pk]), {"reason": ""})
    assert "Give the reason for the hold." in head.get(empty.url).content.decode()
    head.post(reverse("customer-lifecycle:hold", args=[customer.pk]), {"reason": "诉讼未决"})
    assert LegalHold.objects.get(customer=customer).reason == "诉讼未决"
    manager = client_for(personas.account_manager, "en")
    assert 'id="legal-hold-form"' not in manager.get(url).content.decode()


def test_the_due_list_shows_the_department_its_items(
    personas: Any, client_for: Any, customer: Any
) -> None:
    file_settle(actor=personas.department_head, customer=customer, today=datetime.date(2020, 1, 2))
    destruction_list_make(today=datetime.date(2025, 1, 2))
    head = client_for(personas.department_head, "en").get(reverse("retention:due"))
    assert head.status_code == 200 and "C000042" in head.content.decode()
    other = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    assert other.code not in head.content.decode()
    assert client_for(personas.account_manager).get(reverse("retention:due")).status_code == 404
