"""The watch list page and its export, the rules pages and the file's risk section, as the
roles see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.risk.models import RiskRule
from credfile.risk.services import rules_apply
from tests.conftest import Personas
from tests.risk.conftest import TODAY, file_of, grade, overdue, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched(personas: Personas) -> dict[str, Any]:
    """A C-grade file in each department, on the list under a rule that blocks credit."""
    blocking = rule(personas, name="Poor grade", grade_at_or_below="CCC", block_credit=True)
    ours = file_of(personas, name="北京甲公司")
    grade(ours, "C")
    overdue(ours, "1234.50", days=10)
    theirs = file_of(
        personas, name="上海乙公司", department=personas.other, account_manager=personas.outsider
    )
    grade(theirs, "CC")
    fine = file_of(personas, name="广州丙公司")
    grade(fine, "A")
    rules_apply(as_of=TODAY)
    return {"rule": blocking, "ours": ours, "theirs": theirs, "fine": fine}


def rows(html: str) -> int:
    return html.count("<tr data-customer=")


def test_credit_managers_and_executives_see_every_file_a_head_the_department(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    url = reverse("risk:watch-list")
    for user in (personas.credit_manager, personas.executive):
        html = client_for(user).get(url).content.decode()
        assert rows(html) == 2 and "上海乙公司" in html and "北京甲公司" in html
    html = client_for(personas.department_head).get(url).content.decode()
    assert rows(html) == 1 and "北京甲公司" in html and "上海乙公司" not in html
    assert "广州丙公司" not in html
    # The reason, the grade in force, today's overdue and the blocked flag.
    assert "grade C (at or below CCC)" in html and "<td>C</td>" in html
    assert "1,234.50" in html and "New credit blocked" in html
    for user in (personas.account_manager, personas.auditor, personas.admin):
        assert client_for(user).get(url).status_code == 404


def test_the_list_filters_by_department_and_customer(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    client = client_for(personas.credit_manager)
    url = reverse("risk:watch-list")
    html = client.get(url, {"department": personas.other.pk}).content.decode()
    assert rows(html) == 1 and "上海乙公司" in html
    html = client.get(url, {"q": "北京"}).content.decode()
    assert rows(html) == 1 and "北京甲公司" in html
    html = client.get(url, {"status": "cleared"}).content.decode()
    assert rows(html) == 0 and "No file is on the watch list." in html


def test_the_export_is_the_users_list_and_an_audit_event(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    answer = client_for(personas.department_head).get(reverse("risk:watch-list-export"))
    text = answer.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert answer["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("Customer code,Customer,Department,Rule,Reasons")
    assert len(lines) == 2 and "北京甲公司" in lines[1] and "CNY 1234.50" in lines[1]
    event = AuditEvent.objects.get(action="export", object_type="risk.watchentry")
    assert event.actor == personas.department_head and event.after["rows"] == 1


def test_the_file_shows_its_risk_measures(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    client = client_for(personas.account_manager)
    ours = watched["ours"]
    html = client.get(reverse("customers:section", args=[ours.pk, "risk"])).content.decode()
    assert 'id="risk-blocked"' in html and "Poor grade" in html
    assert "grade C (at or below CCC)" in html and 'id="header-risk-blocked"' in html
    fine = watched["fine"]
    html = client.get(reverse("customers:section", args=[fine.pk, "risk"])).content.decode()
    assert 'id="risk-not-blocked"' in html and "The file is not on the watch list." in html
    assert 'id="header-risk-blocked"' not in html


def test_the_file_section_in_chinese(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    client = client_for(personas.account_manager, "zh-hans")
    ours = watched["ours"]
    html = client.get(reverse("customers:section", args=[ours.pk, "risk"])).content.decode()
    assert "风险措施" in html and "暂停新增授信" in html
    assert "New credit" not in html and "watch list" not in html


def test_a_credit_manager_edits_a_rule_from_the_page(
    personas: Personas, client_for: Any, watched: dict[str, Any]
) -> None:
    client = client_for(personas.credit_manager)
    poor: RiskRule = watched["rule"]
    listed = client.get(reverse("risk:rules")).content.decode()
    assert f'data-rule="{poor.pk}"' in listed and "grade CCC or below" in listed
    edit = reverse("risk:rule-edit", args=[poor.pk])
    form = client.get(edit).content.decode()
    assert 'name="grade_at_or_below"' in form
    data = {
        "name": "Poor grade",
        "is_active": "on",
        "grade_at_or_below": "B",
        "block_credit": "on",
        "review_within_months": "2",
        "version": "1",
    }
    answer = client.post(edit, data, follow=True)
    assert "Risk rule saved" in answer.content.decode()
    poor.refresh_from_db()
    assert (poor.grade_at_or_below, poor.review_within_months, poor.version) == ("B", 2, 2)
    event = AuditEvent.objects.filter(object_type="risk.riskrule", action="update").get()
    assert event.after["grade_at_or_below"] == "B"
    # A stale form is refused; a rule without a condition too.
    stale = client.post(edit, {**data, "grade_at_or_below": "C"})
    assert stale.status_code == 409
    empty = client.post(reverse("risk:rule-new"), {"name": "nothing", "block_credit": "on"})
    assert empty.status_code == 422 and "Set at least one condition." in empty.content.decode()


def test_the_list_page_costs_the_same_queries_for_many_files(
    personas: Personas, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    rule(personas, grade_at_or_below="CCC")
    for n in range(30):
        customer = file_of(personas, name=f"批量{n}")
        grade(customer, "C")
        overdue(customer, "10", days=5 + n)
    rules_apply(as_of=TODAY)
    client = client_for(personas.credit_manager)
    url = reverse("risk:watch-list")
    client.get(url)  # the session and the policy's first reads
    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()
    assert rows(html) == 25 and 'rel="next"' in html
    cursor = html.split("cursor=")[1].split('"')[0]
    assert rows(client.get(f"{url}?cursor={cursor}").content.decode()) == 5
