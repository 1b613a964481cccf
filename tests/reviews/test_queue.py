"""The review queue (page and API), scoped per role, and the review policy pages and API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from credfile.customers.models import Customer
from credfile.reviews.models import Review, ReviewPolicy
from credfile.reviews.services import schedules_refresh
from tests.api.helpers import assert_problem
from tests.conftest import Personas
from tests.reviews.conftest import make_file

pytestmark = pytest.mark.django_db
QUEUE = "/api/v1/reviews/"


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def files(personas: Personas) -> dict[str, Customer]:
    """Due dates relative to the real today: overdue, due soon, not due, in two departments."""
    made = {
        "overdue": make_file(personas, opened_on=ago(400), name="甲逾期公司"),
        "due": make_file(personas, opened_on=ago(350), name="乙将到期公司"),
        "later": make_file(personas, opened_on=ago(10), name="丙未到期公司"),
        "colleagues": make_file(
            personas, opened_on=ago(380), name="丁同事公司", account_manager=personas.colleague
        ),
        "foreign": make_file(
            personas,
            opened_on=ago(500),
            name="戊外部门公司",
            department=personas.other,
            account_manager=personas.outsider,
        ),
    }
    schedules_refresh()
    return made


def names(response: Any) -> list[str]:
    return [s.customer.name for s in response.context["page"].items]


def test_the_department_head_sees_the_departments_due_and_overdue_files_in_date_order(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    response = client_for(personas.department_head).get(reverse("reviews:queue"))
    assert response.status_code == 200
    assert names(response) == ["甲逾期公司", "丁同事公司", "乙将到期公司"]
    text = response.content.decode()
    assert "戊外部门公司" not in text
    assert "/100" in text  # the quality score


def test_filters_show_overdue_or_due_files_only(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    client = client_for(personas.department_head)
    overdue = client.get(reverse("reviews:queue"), {"state": "overdue"})
    assert names(overdue) == ["甲逾期公司", "丁同事公司"]
    due = client.get(reverse("reviews:queue"), {"state": "due"})
    assert names(due) == ["乙将到期公司"]
    everything = client.get(reverse("reviews:queue"), {"state": "all"})
    assert names(everything)[-1] == "丙未到期公司"


def test_an_account_manager_sees_only_the_files_they_manage(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    response = client_for(personas.account_manager).get(reverse("reviews:queue"))
    assert names(response) == ["甲逾期公司", "乙将到期公司"]


def test_an_outsider_sees_nothing_of_another_department(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    response = client_for(personas.outsider).get(reverse("reviews:queue"))
    assert names(response) == ["戊外部门公司"]
    assert "甲逾期公司" not in response.content.decode()
    client = client_for(personas.outsider)
    assert client.get(reverse("customer-review", args=[files["overdue"].pk])).status_code == 404


def test_credit_managers_executives_and_auditors_see_every_department(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    for user in (personas.credit_manager, personas.executive, personas.auditor):
        response = client_for(user).get(reverse("reviews:queue"))
        assert names(response)[0] == "戊外部门公司"
        assert len(names(response)) == 4


@override_settings(CREDFILE_PAGE_SIZE=2)
def test_the_queue_pages_by_keyset(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    client = client_for(personas.credit_manager)
    first = client.get(reverse("reviews:queue"))
    assert names(first) == ["戊外部门公司", "甲逾期公司"]
    second = client.get(reverse("reviews:queue"), {"cursor": first.context["page"].next_cursor})
    assert names(second) == ["丁同事公司", "乙将到期公司"]


def test_the_queue_costs_the_same_queries_for_many_files(
    personas: Personas, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_file(personas, opened_on=ago(400 + i), name=f"批量{i}")
    client = client_for(personas.department_head)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reviews:queue"))
    assert len(names(response)) == 25


# --- API -------------------------------------------------------------------------------------


def test_the_api_queue_is_scoped_like_the_page(
    personas: Personas, api_for: Any, files: dict[str, Customer]
) -> None:
    body = api_for(personas.account_manager).get(QUEUE).json()
    assert [r["name"] for r in body["results"]] == ["甲逾期公司", "乙将到期公司"]
    first = body["results"][0]
    assert set(first["quality_parts"]) == {
        "identity",
        "contact_details",
        "contact_verified",
        "financials",
        "classification",
    }
    outsider = api_for(personas.outsider).get(QUEUE, {"state": "all"}).json()
    assert [r["name"] for r in outsider["results"]] == ["戊外部门公司"]


def test_a_review_is_recorded_and_listed_through_the_api(
    personas: Personas, api_for: Any, files: dict[str, Customer]
) -> None:
    customer = files["overdue"]
    url = f"/api/v1/customers/{customer.pk}/reviews/"
    client = api_for(personas.account_manager)
    created = client.post(
        url,
        {"findings": "已复核", "conclusion": "satisfactory", "contacts_verified": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["next_review_on"] > str(timezone.localdate())
    listed = client.get(url).json()
    assert [r["findings"] for r in listed["results"]] == ["已复核"]


def test_the_api_refuses_reviews_to_those_who_may_not_make_them(
    personas: Personas, api_for: Any, files: dict[str, Customer]
) -> None:
    url = f"/api/v1/customers/{files['overdue'].pk}/reviews/"
    data = {"findings": "x", "conclusion": "satisfactory"}
    assert_problem(api_for(personas.outsider).post(url, data, format="json"), 404)
    assert_problem(api_for(personas.colleague).post(url, data, format="json"), 403)
    assert_problem(
        api_for(personas.account_manager).post(url, {"findings": "x"}, format="json"),
        400,
        "conclusion",
    )
    assert not Review.objects.exists()


def test_policies_are_read_by_all_and_changed_by_credit_managers(
    personas: Personas, api_for: Any
) -> None:
    listed = api_for(personas.account_manager).get("/api/v1/review-policies/").json()
    assert {(p["basis"], p["value"], p["cycle_months"]) for p in listed["results"]} == {
        ("risk", "high", 3),
        ("default", "", 12),
    }
    new = {"basis": "category", "value": "strategic", "cycle_months": 6}
    assert_problem(
        api_for(personas.department_head).post("/api/v1/review-policies/", new, format="json"), 403
    )
    credit = api_for(personas.credit_manager)
    created = credit.post("/api/v1/review-policies/", new, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/review-policies/{created.json()['id']}/"
    changed = credit.patch(url, {"cycle_months": 4, "version": 1}, format="json")
    assert changed.json()["version"] == 2
    assert_problem(credit.patch(url, {"cycle_months": 5, "version": 1}, format="json"), 409)
    assert_problem(
        credit.post("/api/v1/review-policies/", {**new, "value": "vip"}, format="json"),
        400,
        "value",
    )


def test_credit_managers_add_policies_on_the_page(personas: Personas, client_for: Any) -> None:
    page = reverse("reviews:policies")
    data = {"basis": "category", "value": "key", "cycle_months": "6", "note": "重点客户"}
    assert client_for(personas.account_manager).post(page, data).status_code == 403
    response = client_for(personas.credit_manager).post(page, data, follow=True)
    assert "Review policy added" in response.content.decode()
    policy = ReviewPolicy.objects.get(basis="category", value="key")
    edit = reverse("reviews:policy-edit", args=[policy.pk])
    response = client_for(personas.admin).post(
        edit, {"cycle_months": "9", "note": "", "is_active": "on", "version": "1"}
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.cycle_months, policy.version) == (9, 2)
