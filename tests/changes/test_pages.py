"""Change requests as users see them: the edit form, the approver's queue, htmx decisions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from credfile.changes.models import ChangeRequest
from credfile.customers.models import Customer
from credfile.transactions.models import Invoice
from credfile.transactions.services import invoice_create
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

NEW_ID = resident_id(29)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _edit_data(client, customer: Customer, **changes) -> dict:
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(department=customer.department_id, account_manager=customer.account_manager_id)
    data.update(changes)
    return data


def test_the_web_edit_of_an_id_number_waits_in_the_heads_queue(
    personas, person, client_for
) -> None:
    personas.department_head.display_name = "王芳"
    personas.department_head.save()
    manager = client_for(personas.account_manager)
    data = _edit_data(manager, person, id_number=NEW_ID, birth_date="", gender="", remarks="换证")

    response = manager.post(reverse("customers:edit", args=[person.pk]), data, follow=True)

    page = response.content.decode()
    assert "Identity: submitted for approval, waiting for 王芳." in page
    assert "Changes saved." in page  # the remarks applied at once
    assert 'id="pending-changes"' in page
    person.refresh_from_db()
    assert (person.id_number, person.remarks) == (resident_id(11), "换证")

    head = client_for(personas.department_head)
    queue = head.get(reverse("changes:queue")).content.decode()
    masked_new = NEW_ID[:6] + "********" + NEW_ID[-4:]
    masked_old = resident_id(11)[:6] + "********" + resident_id(11)[-4:]
    assert masked_new in queue and masked_old in queue
    assert NEW_ID not in queue and resident_id(11) not in queue
    change = ChangeRequest.objects.get()

    card = head.post(
        reverse("changes:approve", args=[change.pk]), {"version": person.version}, **HTMX
    )

    assert card.status_code == 200
    assert "Approved and applied." in card.content.decode()
    assert 'data-status="approved"' in card.content.decode()
    person.refresh_from_db()
    assert person.id_number == NEW_ID


def test_the_maker_sees_no_decision_buttons_and_cannot_post_one(
    personas, person, client_for
) -> None:
    manager = client_for(personas.account_manager)
    manager.post(
        reverse("customers:edit", args=[person.pk]), _edit_data(manager, person, name="张伟伟")
    )
    change = ChangeRequest.objects.get()
    page = manager.get(reverse("changes:detail", args=[change.pk])).content.decode()
    assert reverse("changes:approve", args=[change.pk]) not in page
    assert reverse("changes:withdraw", args=[change.pk]) in page

    response = manager.post(reverse("changes:approve", args=[change.pk]), **HTMX)

    assert response.status_code == 403
    assert "You cannot decide your own change request." in response.content.decode()
    assert ChangeRequest.objects.get().status == "pending"


def test_a_rejection_without_a_reason_is_named_and_changes_nothing(
    personas, person, client_for
) -> None:
    client_for(personas.account_manager).post(
        reverse("customers:edit", args=[person.pk]),
        _edit_data(client_for(personas.account_manager), person, category="key"),
    )
    change = ChangeRequest.objects.get()
    head = client_for(personas.department_head)

    refused = head.post(reverse("changes:reject", args=[change.pk]), {"reason": ""}, **HTMX)
    assert refused.status_code == 422
    assert "Give the reason for the rejection." in refused.content.decode()

    done = head.post(reverse("changes:reject", args=[change.pk]), {"reason": "未提供依据"}, **HTMX)
    assert done.status_code == 200
    assert "未提供依据" in done.content.decode()
    assert ChangeRequest.objects.get().status == "rejected"


def test_a_stale_approval_shows_what_changed_meanwhile(personas, person, client_for) -> None:
    manager = client_for(personas.account_manager)
    manager.post(
        reverse("customers:edit", args=[person.pk]), _edit_data(manager, person, category="key")
    )
    change = ChangeRequest.objects.get()
    head = client_for(personas.department_head)
    seen = person.version
    manager.post(
        reverse("customers:edit", args=[person.pk]), _edit_data(manager, person, city="天津市")
    )

    response = head.post(reverse("changes:approve", args=[change.pk]), {"version": seen}, **HTMX)

    assert response.status_code == 409
    page = response.content.decode()
    assert "天津市" in page and "conflict-list" in page
    assert ChangeRequest.objects.get().status == "pending"


def test_the_navbar_counts_unread_notifications(personas, person, client_for) -> None:
    manager = client_for(personas.account_manager)
    manager.post(
        reverse("customers:edit", args=[person.pk]), _edit_data(manager, person, category="key")
    )
    head = client_for(personas.department_head)
    page = head.get(reverse("customers:list")).content.decode()
    assert reverse("changes:badge") in page
    badge = head.get(reverse("changes:badge")).content.decode()
    assert 'id="notification-count"' in badge and ">1<" in badge

    head.post(reverse("changes:notifications"))

    assert ">1<" not in head.get(reverse("changes:badge")).content.decode()


def test_an_invoice_correction_is_asked_for_on_its_own_form(personas, org, client_for) -> None:
    invoice = invoice_create(
        actor=personas.account_manager,
        customer=org,
        fields={"number": "INV-9", "issue_date": datetime.date(2026, 1, 5), "amount": Decimal(50)},
    )
    manager = client_for(personas.account_manager)
    section = manager.get(reverse("customers:section", args=[org.pk, "transactions"]))
    url = reverse("changes:correct", args=["invoice", invoice.pk])
    assert url in section.content.decode()
    form = manager.get(url)
    assert form.status_code == 200
    data = {
        "number": "INV-9",
        "issue_date": "2026-01-05",
        "due_date": "2026-02-04",
        "payment_terms_days": "30",
        "amount": "55.00",
        "currency": "CNY",
        "reason": "发票金额录错",
    }

    response = manager.post(url, data, follow=True)

    assert "Transaction records: submitted for approval" in response.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).amount == Decimal(50)
    change = ChangeRequest.objects.get()
    assert (change.target_type, change.fields, change.reason) == (
        "transactions.invoice",
        ["amount"],
        "发票金额录错",
    )
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.colleague).get(url).status_code == 404


def test_an_approver_may_reveal_the_proposed_values_and_it_is_recorded(
    personas, person, client_for
) -> None:
    from credfile.audit.models import AuditEvent

    manager = client_for(personas.account_manager)
    manager.post(
        reverse("customers:edit", args=[person.pk]),
        _edit_data(manager, person, id_number=NEW_ID, birth_date="", gender=""),
    )
    change = ChangeRequest.objects.get()
    head = client_for(personas.department_head)

    card = head.post(reverse("changes:reveal", args=[change.pk]), **HTMX).content.decode()

    assert NEW_ID in card
    assert AuditEvent.objects.filter(action="reveal", customer_id=person.pk).exists()
    executive = client_for(personas.executive)
    assert executive.post(reverse("changes:reveal", args=[change.pk])).status_code == 404


def test_the_queue_costs_the_same_queries_for_many_requests(
    personas, client_for, django_assert_max_num_queries
) -> None:
    from credfile.changes.services import change_request_submit
    from credfile.customers.services import customer_create

    for i in range(12):
        file = customer_create(
            actor=personas.account_manager,
            fields={"kind": "individual", "name": f"客户{i}", "id_number": resident_id(100 + i)},
        )
        change_request_submit(
            actor=personas.account_manager,
            customer=file,
            field_group="identity",
            changes={"id_number": resident_id(200 + i)},
        )
    head = client_for(personas.department_head)
    # A fixed number of queries, however many requests are listed.
    with django_assert_max_num_queries(6):
        page = head.get(reverse("changes:queue"))
    assert page.content.decode().count('class="card mb-3 change-card"') == 12
    api = client_for(personas.department_head)
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/change-requests/", {"scope": "decide"}).json()
    assert len(body["results"]) == 12


def test_the_badge_waits_for_the_second_factor(personas, client) -> None:
    # Loading it before the second factor would redirect the enrolment page to itself.
    client.force_login(personas.auditor)
    page = client.get(reverse("otp-setup")).content.decode()
    assert reverse("changes:badge") not in page
