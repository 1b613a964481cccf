"""Using another department's file: apply, an executive approves, a time-limited grant."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from credfile.access import services
from credfile.access.models import AccessGrant, UsageApplication
from credfile.audit.models import AuditEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_of_sales(personas):  # type: ignore[no-untyped-def]
    return CustomerFactory(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )


def _apply(client, customer, **overrides):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    data = {
        "customer_code": customer.code,
        "sections": ["basic", "transactions"],
        "purpose": "核实其对外贸部的付款记录",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=7)).isoformat(),
    }
    data.update(overrides)
    return client.post(reverse("access:new"), data)


def test_another_departments_file_opens_only_after_an_executive_approves(
    personas, client_for, file_of_sales
) -> None:
    outsider = client_for(personas.outsider)
    detail = reverse("customers:detail", args=[file_of_sales.pk])
    assert outsider.get(detail).status_code == 404

    response = _apply(outsider, file_of_sales)
    application = UsageApplication.objects.get()
    assert response.status_code == 302
    assert outsider.get(detail).status_code == 404  # pending is not approved

    executive = client_for(personas.executive)
    queue = executive.get(reverse("access:list"))
    assert f"#{application.pk}" in queue.content.decode()
    decided = executive.post(
        reverse("access:decide", args=[application.pk]), {"decision": "approve", "note": "同意"}
    )
    assert decided.status_code == 302

    page = outsider.get(detail)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="grant-banner"' in text
    assert "核实其对外贸部的付款记录" in text
    # Only the sections applied for are offered.
    assert reverse("customers:section", args=[file_of_sales.pk, "transactions"]) in text
    assert reverse("customers:section", args=[file_of_sales.pk, "notes"]) not in text
    assert (
        outsider.get(reverse("customers:section", args=[file_of_sales.pk, "notes"])).status_code
        == 404
    )
    # The use is logged with the purpose and the section it opened; the refused section is
    # logged as a refusal, not as a use.
    uses = AuditEvent.objects.filter(action="grant_use", customer_id=file_of_sales.pk)
    assert uses.count() == 1
    assert uses.get().after["purpose"] == "核实其对外贸部的付款记录"
    assert uses.get().after["section"] == "basic"
    refused = AuditEvent.objects.filter(action="access_denied", customer_id=file_of_sales.pk)
    assert refused.latest("seq").after["requested"] == "view notes"
    # Still read-only.
    assert outsider.get(reverse("customers:edit", args=[file_of_sales.pk])).status_code == 404


def test_the_grant_expires_by_itself(personas, client_for, file_of_sales) -> None:
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="核对",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    grant = services.application_approve(actor=personas.executive, application=application)
    client = client_for(personas.outsider)
    detail = reverse("customers:detail", args=[file_of_sales.pk])
    assert client.get(detail).status_code == 200
    AccessGrant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(detail).status_code == 404
    assert file_of_sales.name not in client.get(reverse("customers:list")).content.decode()


def test_the_api_follows_the_grant(personas, file_of_sales) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.outsider)
    url = f"/api/v1/customers/{file_of_sales.pk}/"
    assert api.get(url).status_code == 404
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="核对",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    services.application_approve(actor=personas.executive, application=application)
    assert api.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="grant_use", customer_id=file_of_sales.pk).exists()


def test_the_applicant_cannot_approve_their_own_application(personas, file_of_sales) -> None:
    # An account manager's application is decided by an executive only, never by the
    # applicant or by another role.
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=personas.outsider, application=application)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=personas.department_head, application=application)
    application.refresh_from_db()
    assert application.status == "pending"


def test_a_rejection_needs_a_reason_and_grants_nothing(personas, client_for, file_of_sales) -> None:
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    executive = client_for(personas.executive)
    response = executive.post(
        reverse("access:decide", args=[application.pk]), {"decision": "reject", "note": ""}
    )
    assert response.status_code == 422
    assert "Give the reason for the rejection." in response.content.decode()
    executive.post(
        reverse("access:decide", args=[application.pk]),
        {"decision": "reject", "note": "用途不明确"},
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    assert not AccessGrant.objects.exists()


def test_an_application_names_its_bad_fields(personas, client_for, file_of_sales) -> None:
    client = client_for(personas.outsider)
    response = _apply(client, file_of_sales, sections=[], purpose="")
    assert response.status_code == 422
    assert {"sections", "purpose"} <= set(response.context["form"].errors)
    response = _apply(client, file_of_sales, ends_on="2000-01-01")
    assert response.context["form"].errors["ends_on"] == ["The period cannot end before it starts."]
    response = _apply(client, file_of_sales, customer_code="C99999999")
    assert response.context["form"].errors["customer_code"] == [
        "There is no credit file with this customer code."
    ]
    assert not UsageApplication.objects.exists()


def test_no_application_is_needed_inside_ones_own_scope(personas, file_of_sales) -> None:
    with pytest.raises(ValidationError) as exc:
        services.application_create(
            actor=personas.colleague,
            customer=file_of_sales,
            sections=["basic"],
            purpose="x",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
    assert "customer" in exc.value.message_dict


def test_the_applicant_withdraws_and_others_cannot(personas, client_for, file_of_sales) -> None:
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=personas.executive, application=application)
    client_for(personas.outsider).post(reverse("access:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.application_approve(actor=personas.executive, application=application)


def test_applications_are_listed_for_applicant_approver_and_auditor_only(
    personas, client_for, file_of_sales
) -> None:
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    detail = reverse("access:detail", args=[application.pk])
    assert client_for(personas.outsider).get(detail).status_code == 200
    assert client_for(personas.executive).get(detail).status_code == 200
    assert client_for(personas.auditor).get(detail).status_code == 200
    assert client_for(personas.department_head).get(detail).status_code == 404
    assert client_for(personas.colleague).get(detail).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_make_exactly_one_decision(personas, file_of_sales) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL; SQLite serialises writers")
    from tests.factories import UserFactory

    executives = [
        UserFactory(username=f"exec{i}", role="executive", department=None) for i in range(20)
    ]
    application = services.application_create(
        actor=personas.outsider,
        customer=file_of_sales,
        sections=["basic"],
        purpose="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(len(executives))

    def approve(user) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            services.application_approve(actor=user, application=application)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in executives]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("approved") == 1
    assert AccessGrant.objects.count() == 1
    assert AuditEvent.objects.filter(action="approve").count() == 1


def test_the_api_takes_an_application_and_an_executives_decision(personas, file_of_sales) -> None:
    from rest_framework.test import APIClient

    applicant, executive = APIClient(), APIClient()
    applicant.force_authenticate(personas.outsider)
    executive.force_authenticate(personas.executive)
    today = timezone.localdate().isoformat()
    created = applicant.post(
        "/api/v1/usage-applications/",
        {
            "customer_code": file_of_sales.code,
            "sections": ["basic"],
            "purpose": "核对",
            "starts_on": today,
            "ends_on": today,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    own = applicant.post(f"/api/v1/usage-applications/{pk}/approve/", {}, format="json")
    assert own.status_code == 403
    assert own["Content-Type"] == "application/problem+json"
    approved = executive.post(
        f"/api/v1/usage-applications/{pk}/approve/", {"note": "同意"}, format="json"
    )
    assert approved.status_code == 200
    assert approved.json()["customer"] == file_of_sales.pk
    grants = applicant.get("/api/v1/grants/").json()["results"]
    assert [g["customer"] for g in grants] == [file_of_sales.pk]
    bad = applicant.post(
        "/api/v1/usage-applications/",
        {
            "customer_code": file_of_sales.code,
            "sections": [],
            "purpose": "",
            "starts_on": today,
            "ends_on": today,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"sections", "purpose"} <= set(bad.json()["errors"])
