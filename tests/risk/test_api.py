"""GET /api/v1/watch-list/ and GET /api/v1/customers/{id}/watch/: the entries each role's
watch list holds, with reasons, rule, since and the customer's code; filters and pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from credfile.risk.services import rules_apply
from tests.conftest import Personas
from tests.risk.conftest import TODAY, file_of, grade, overdue, rule

pytestmark = pytest.mark.django_db
URL = "/api/v1/watch-list/"


@pytest.fixture
def watched(personas: Personas) -> dict[str, Any]:
    """C and CC files in each department on the list under a blocking rule; an overdue file
    under a rule that does not block."""
    blocking = rule(personas, name="Poor grade", grade_at_or_below="CCC", block_credit=True)
    late = rule(personas, name="Late", overdue_90_above=Decimal("0"))
    ours = file_of(personas, name="北京甲公司")
    grade(ours, "C")
    theirs = file_of(
        personas, name="上海乙公司", department=personas.other, account_manager=personas.outsider
    )
    grade(theirs, "CC")
    slow = file_of(personas, name="天津丁公司")
    overdue(slow, "5000", days=120)
    rules_apply(as_of=TODAY)
    return {"blocking": blocking, "late": late, "ours": ours, "theirs": theirs, "slow": slow}


def names(client: Any, **query: Any) -> list[str]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return sorted(r["customer_name"] for r in response.json()["results"])


def test_each_role_gets_the_entries_of_its_watch_list(
    api_for, personas: Personas, watched: dict[str, Any]
) -> None:
    everyone = ["上海乙公司", "北京甲公司", "天津丁公司"]
    assert names(api_for(personas.credit_manager)) == everyone
    assert names(api_for(personas.executive)) == everyone
    assert names(api_for(personas.department_head)) == ["北京甲公司", "天津丁公司"]
    for role in ("account_manager", "auditor", "admin", "outsider"):
        assert api_for(getattr(personas, role)).get(URL).status_code == 404


def test_an_entry_carries_its_reasons_rule_and_customer(
    api_for, personas: Personas, watched: dict[str, Any]
) -> None:
    rows = api_for(personas.department_head).get(URL, {"q": watched["ours"].code}).json()
    [entry] = rows["results"]
    assert entry["customer"] == watched["ours"].pk
    assert entry["customer_code"] == watched["ours"].code
    assert (entry["rule"], entry["rule_name"], entry["block_credit"]) == (
        watched["blocking"].pk,
        "Poor grade",
        True,
    )
    assert (entry["status"], entry["since"], entry["cleared_on"]) == (
        "active",
        TODAY.isoformat(),
        None,
    )
    assert entry["reasons"][0]["condition"] == "grade"
    assert entry["reason_texts"] == ["grade C (at or below CCC)"]
    zh = api_for(personas.department_head, "zh-hans").get(URL, {"q": watched["ours"].code})
    assert zh.json()["results"][0]["reason_texts"] == ["评级 C（等于或低于 CCC）"]


def test_the_filters_and_pages(api_for, personas: Personas, watched: dict[str, Any]) -> None:
    client = api_for(personas.credit_manager)
    assert names(client, blocking="true") == ["上海乙公司", "北京甲公司"]
    assert names(client, rule=watched["late"].pk) == ["天津丁公司"]
    assert names(client, department=personas.other.pk) == ["上海乙公司"]
    assert names(client, q="天津") == ["天津丁公司"]
    assert names(client, status="cleared") == []
    first = client.get(URL, {"page_size": 2}).json()
    rest = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(rest["results"]) == 1
    assert client.get(URL, {"status": "maybe"}).status_code == 400


def test_a_cleared_entry_is_listed_under_cleared_and_all(
    api_for, personas: Personas, watched: dict[str, Any]
) -> None:
    grade(watched["ours"], "A")
    rules_apply(as_of=TODAY)
    client = api_for(personas.department_head)
    assert names(client) == ["天津丁公司"]
    assert names(client, status="cleared") == ["北京甲公司"]
    assert names(client, status="all") == ["北京甲公司", "天津丁公司"]


def test_a_files_watch_entries(api_for, personas: Personas, watched: dict[str, Any]) -> None:
    path = f"/api/v1/customers/{watched['ours'].pk}/watch/"
    rows = api_for(personas.account_manager).get(path)
    assert rows.status_code == 200
    assert [r["rule_name"] for r in rows.json()] == ["Poor grade"]
    assert api_for(personas.outsider).get(path).status_code == 404
