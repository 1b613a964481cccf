"""The review form: who may review, what a completed review records, and that it stays."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.reviews.models import CompletedRecordError, Review
from credfile.reviews.services import review_submit
from credfile.transactions.models import Invoice
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file, schedule

pytestmark = pytest.mark.django_db


def form_url(customer_pk: int) -> str:
    return reverse("customer-review", args=[customer_pk])


FORM = {
    "contacts_verified": "on",
    "transactions_checked": "on",
    "findings": "联系人已核实，回款正常。",
    "conclusion": "satisfactory",
}


def test_the_account_manager_records_a_review_from_the_form(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=datetime.date(2024, 3, 1), name="星辰科技")
    client = client_for(personas.account_manager)
    page = client.get(form_url(customer.pk))
    assert page.status_code == 200
    assert "Periodic review of 星辰科技" in page.content.decode()

    response = client.post(form_url(customer.pk), FORM, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "customers:section", args=[customer.pk, "reviews"]
    )
    text = response.content.decode()
    assert "Review recorded." in text
    assert "联系人已核实，回款正常。" in text
    assert "Satisfactory" in text
    review = Review.objects.get(customer=customer)
    assert (review.contacts_verified, review.financials_updated) == (True, False)
    today = schedule(customer).last_reviewed_on
    assert today is not None and review.reviewed_on == today
    assert schedule(customer).next_review_on == review.next_review_on > today
    assert AuditEvent.objects.filter(
        object_type="reviews.review", customer_id=customer.pk, action="create"
    ).exists()


def test_the_department_head_may_review_a_file_of_the_department(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=TODAY)
    client = client_for(personas.department_head)
    assert client.post(form_url(customer.pk), FORM).status_code == 302
    assert Review.objects.filter(customer=customer, reviewer=personas.department_head).exists()


@pytest.mark.parametrize("who", ["outsider", "colleague", "credit_manager", "auditor"])
def test_others_do_not_find_the_review_form(personas, client_for, who: str) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=TODAY)
    client = client_for(getattr(personas, who))
    assert client.get(form_url(customer.pk)).status_code == 404
    assert client.post(form_url(customer.pk), FORM).status_code == 404
    assert not Review.objects.exists()


def test_findings_and_a_conclusion_are_required(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=TODAY)
    response = client_for(personas.account_manager).post(
        form_url(customer.pk), {"findings": "", "conclusion": ""}
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Review.objects.exists()


def test_a_completed_review_cannot_be_changed(personas: Personas) -> None:
    customer = make_file(personas, opened_on=TODAY)
    review = review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="正常",
        conclusion="satisfactory",
        today=TODAY,
    )
    review.findings = "改写"
    with pytest.raises(CompletedRecordError):
        review.save()
    with pytest.raises(CompletedRecordError):
        Review.objects.filter(pk=review.pk).update(findings="改写")
    assert Review.objects.get(pk=review.pk).findings == "正常"


def test_a_review_outside_ones_scope_is_refused(personas: Personas) -> None:
    customer = make_file(personas, opened_on=TODAY)
    with pytest.raises(PermissionDenied):
        review_submit(
            actor=personas.outsider, customer=customer, findings="x", conclusion="satisfactory"
        )


def test_an_elevated_risk_conclusion_shortens_the_next_cycle(personas: Personas) -> None:
    customer = make_file(personas, opened_on=datetime.date(2024, 1, 1))
    review = review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="大额逾期",
        conclusion="elevated_risk",
        today=TODAY,
    )
    assert (review.risk, review.next_review_on) == ("high", datetime.date(2025, 9, 16))
    assert review.was_due_on == datetime.date(2025, 1, 1)
    later = review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="已结清",
        conclusion="satisfactory",
        today=datetime.date(2025, 9, 1),
    )
    assert (later.risk, later.next_review_on) == ("normal", datetime.date(2026, 9, 1))


def test_an_unknown_proposed_field_is_refused(personas: Personas) -> None:
    customer = make_file(personas, opened_on=TODAY)
    with pytest.raises(ValidationError) as error:
        review_submit(
            actor=personas.account_manager,
            customer=customer,
            findings="x",
            conclusion="needs_updates",
            proposed_changes={"name": "新名称"},
        )
    assert "name" in error.value.message_dict


def test_proposed_updates_go_through_change_control(personas: Personas) -> None:
    from credfile.changes.models import ChangeRequest

    customer = make_file(personas, opened_on=TODAY, category="regular")
    review = review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="客户已升级为重点客户",
        conclusion="needs_updates",
        proposed_changes={"category": "key", "remarks": "年度复核后更新"},
        today=TODAY,
    )
    request = ChangeRequest.objects.get(pk=review.change_request_id)
    assert (request.customer_id, request.field_group, request.status) == (
        customer.pk,
        "classification",
        "pending",
    )
    assert request.maker == personas.account_manager
    customer.refresh_from_db()
    assert customer.category == "regular"  # applied only once approved
    assert customer.remarks == "年度复核后更新"  # needs no approval: applied with the review
    assert review.proposed_changes == {"category": "key", "remarks": "年度复核后更新"}


def test_the_file_page_shows_the_review_state_and_history(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=datetime.date(2024, 3, 1))
    client = client_for(personas.account_manager)
    text = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="review-status"' in text
    assert "2025-03-01" in text and "overdue" in text
    assert f"{schedule(customer).quality_score}/100" in text
    assert form_url(customer.pk) in text
    section = client.get(reverse("customers:section", args=[customer.pk, "reviews"]))
    assert "This file has not been reviewed yet." in section.content.decode()


def test_a_reader_sees_the_state_without_the_review_button(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=TODAY)
    text = (
        client_for(personas.auditor)
        .get(reverse("customers:detail", args=[customer.pk]))
        .content.decode()
    )
    assert 'id="review-status"' in text
    assert form_url(customer.pk) not in text


def test_an_overdue_invoice_shows_as_high_risk_in_the_review_form(personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_file(personas, opened_on=TODAY)
    Invoice.objects.create(
        customer=customer,
        number="I-1",
        issue_date=datetime.date(2020, 1, 1),
        due_date=datetime.date(2020, 2, 1),
        payment_terms_days=30,
        amount="10.00",
    )
    from credfile.reviews.services import schedules_refresh

    schedules_refresh()
    text = client_for(personas.account_manager).get(form_url(customer.pk)).content.decode()
    assert "High risk" in text
