"""The complaint pages, the file's section and the API, as their users see them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.complaints.models import Complaint
from credfile.complaints.services import complaint_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _file(personas: Any, manager: Any = None) -> Any:
    return CustomerFactory(
        department=personas.sales, account_manager=manager or personas.account_manager
    )


def _complaint(personas: Any, customer: Any, hours_ago: int, severity: str, summary: str) -> Any:
    return complaint_create(
        actor=personas.department_head,
        customer=customer,
        fields={
            "received_at": timezone.now() - datetime.timedelta(hours=hours_ago),
            "severity": severity,
            "summary": summary,
        },
    )


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_shows_the_open_complaints_by_deadline_with_the_overdue_marked(
    personas, client_for, django_assert_max_num_queries
) -> None:
    customer = _file(personas)
    late = _complaint(personas, customer, 10, "critical", "逾期的投诉")
    _complaint(personas, customer, 1, "low", "新的投诉")
    client = client_for(personas.account_manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("complaints:list"))
    text = page.content.decode()
    assert text.index("逾期的投诉") < text.index("新的投诉")
    assert f'<tr data-complaint="{late.pk}" class="table-danger overdue">' in text
    low_only = client.get(reverse("complaints:list"), {"severity": "low"}).content.decode()
    assert "新的投诉" in low_only and "逾期的投诉" not in low_only


def test_an_account_manager_lists_only_the_files_they_manage(personas, client_for) -> None:
    _complaint(personas, _file(personas, personas.colleague), 1, "low", "同事的投诉")
    _complaint(personas, _file(personas), 1, "low", "自己的投诉")
    mine = client_for(personas.account_manager).get(reverse("complaints:list")).content.decode()
    assert "自己的投诉" in mine and "同事的投诉" not in mine
    head = client_for(personas.department_head).get(reverse("complaints:list")).content.decode()
    assert "自己的投诉" in head and "同事的投诉" in head
    outsider = client_for(personas.outsider).get(reverse("complaints:list")).content.decode()
    assert "自己的投诉" not in outsider


def test_the_file_section_lists_complaints_and_records_one(personas, client_for) -> None:
    customer = _file(personas)
    client = client_for(personas.account_manager)
    response = client.post(
        reverse("customers:add", args=[customer.pk, "complaint"]),
        {
            "complaint-received_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "complaint-severity": "medium",
            "complaint-category": "billing",
            "complaint-channel": "phone",
            "complaint-summary": "对账单有误",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(customer=customer)
    section = client.get(reverse("customers:section", args=[customer.pk, "complaints"]))
    text = section.content.decode()
    assert "对账单有误" in text and reverse("complaints:detail", args=[complaint.pk]) in text
    assert "1 open · 0 closed in 12 months" in text


def test_an_unknown_severity_on_the_form_is_a_field_error_in_chinese(personas, client_for) -> None:
    customer = _file(personas)
    response = client_for(personas.account_manager, "zh-hans").post(
        reverse("customers:add", args=[customer.pk, "complaint"]),
        {
            "complaint-received_at": "2026-01-05 09:00",
            "complaint-severity": "urgent",
            "complaint-summary": "x",
        },
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_case_page_moves_the_complaint_through_its_steps(personas, client_for) -> None:
    complaint = _complaint(personas, _file(personas), 1, "high", "服务态度差")
    client = client_for(personas.account_manager)
    url = reverse("complaints:transition", args=[complaint.pk])
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="go-acknowledged"' in page and 'id="go-closed"' not in page
    assert (
        client.post(url, {"to": "acknowledged", "acknowledged-note": "已联系"}).status_code == 302
    )
    refused = client.post(url, {"to": "resolved", "resolved-resolution": ""})
    assert refused.status_code == 422
    assert "A complaint is not resolved without a resolution" in refused.content.decode()
    client.post(url, {"to": "resolved", "resolved-resolution": "道歉并培训"})
    client.post(url, {"to": "closed", "closed-confirmation": "客户满意"})
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="complaint-status">Closed<' in page
    assert "已联系" in page and "道歉并培训" in page
    assert 'id="go-in_progress"' in page  # reopen


def test_someone_who_may_not_move_it_sees_no_buttons_and_is_refused(personas, client_for) -> None:
    complaint = _complaint(personas, _file(personas), 1, "high", "x")
    client = client_for(personas.colleague)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="go-acknowledged"' not in page
    url = reverse("complaints:transition", args=[complaint.pk])
    assert client.post(url, {"to": "acknowledged"}).status_code == 404
    outsider = client_for(personas.outsider)
    assert outsider.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404


def test_the_api_records_lists_reads_and_moves_a_complaint(personas) -> None:
    customer = _file(personas)
    client = _api(personas.account_manager)
    created = client.post(
        "/api/v1/complaints/",
        {"customer": customer.pk, "severity": "critical", "summary": "隐私泄露"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    rows = client.get("/api/v1/complaints/").json()["results"]
    assert [r["id"] for r in rows] == [pk]
    moved = client.post(
        f"/api/v1/complaints/{pk}/transition/", {"to": "acknowledged"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "acknowledged"
    detail = client.get(f"/api/v1/complaints/{pk}/").json()
    assert [e["to_status"] for e in detail["events"]] == ["new", "acknowledged"]


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("en", "cannot go from “New” to “Closed”"), ("zh-hans", "不能从“新建”变为“已关闭”")],
)
def test_the_api_refuses_an_illegal_step_with_a_field_error(personas, language, fragment) -> None:
    complaint = _complaint(personas, _file(personas), 1, "high", "x")
    client = _api(personas.account_manager)
    response = client.post(
        f"/api/v1/complaints/{complaint.pk}/transition/",
        {"to": "closed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert fragment in response.json()["errors"]["to"][0]


def test_the_api_refuses_writes_to_those_who_only_read_the_file(personas) -> None:
    customer = _file(personas)
    complaint = _complaint(personas, customer, 1, "high", "x")
    reader = _api(personas.credit_manager)
    created = reader.post(
        "/api/v1/complaints/",
        {"customer": customer.pk, "severity": "low", "summary": "y"},
        format="json",
    )
    assert created.status_code == 403
    moved = reader.post(
        f"/api/v1/complaints/{complaint.pk}/transition/", {"to": "acknowledged"}, format="json"
    )
    assert moved.status_code == 403
    assert _api(personas.outsider).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert _api(personas.auditor).get("/api/v1/complaints/").status_code == 404


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Give the deadline as a whole number of hours above zero."),
        ("zh-hans", "请以大于零的整数小时数给出处理时限。"),
    ],
)
def test_the_admin_refuses_a_negative_deadline_on_its_field(
    personas, client_for, language, message
) -> None:
    client = client_for(personas.admin, language)
    url = reverse("admin:complaints_complaintsla_add")
    refused = client.post(url, {"severity": "high", "hours": "-3"})
    assert refused.status_code == 200
    assert message in refused.content.decode()
    saved = client.post(url, {"severity": "high", "hours": "12"})
    assert saved.status_code == 302
    from credfile.complaints.services import sla_hours

    assert sla_hours()["high"] == 12


def test_only_administrators_reach_the_deadlines_in_the_admin(personas, client_for) -> None:
    url = reverse("admin:complaints_complaintsla_changelist")
    assert client_for(personas.admin).get(url).status_code == 200
    personas.credit_manager.is_staff = True
    personas.credit_manager.save()
    assert client_for(personas.credit_manager).get(url).status_code in {302, 403}
