"""The exports on the customer list, in the API and on the command line: the list's filters,
masking unless revealed on a POST, the user's language, and refusals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from tests.api.conftest import api_for  # noqa: F401 - the fixture, shared with the API tests
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory, resident_id
from tests.imports.test_round_trip import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

MASKED = resident_id(7)[:6] + "********" + resident_id(7)[-4:]


@pytest.fixture
def files(personas: Personas) -> dict[str, Customer]:
    person = IndividualFactory(
        name="张七", department=personas.sales, account_manager=personas.account_manager
    )
    person.id_number = resident_id(7)
    person.phone = "+8613900139007"
    person.save()
    return {
        "person": person,
        "company": CustomerFactory(
            name="杭州星辰科技有限公司",
            department=personas.sales,
            account_manager=personas.account_manager,
        ),
        "foreign": CustomerFactory(
            name="外贸远山有限公司", department=personas.other, account_manager=personas.outsider
        ),
    }


def test_the_list_offers_the_export_with_its_filters_and_the_reveal_box(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    head = client_for(personas.department_head)
    html = head.get(reverse("customers:list"), {"kind": "individual"}).content.decode()
    assert 'id="customer-export"' in html and 'id="export-reveal"' in html
    assert 'action="/customers/export.xlsx?kind=individual"' in html
    assert 'formaction="/customers/export.csv?kind=individual"' in html
    credit = client_for(personas.credit_manager).get(reverse("customers:list")).content.decode()
    assert 'id="customer-export"' in credit and 'id="export-reveal"' not in credit
    auditor = client_for(personas.auditor).get(reverse("customers:list")).content.decode()
    assert 'id="customer-export"' not in auditor


def test_the_page_export_is_the_filtered_list_and_reveals_only_on_a_post(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    client = client_for(personas.department_head)
    url = reverse("exports:customers", args=["csv"]) + "?kind=individual"
    linked = client.get(url + "&reveal=1")
    assert linked["Content-Type"] == "text/csv; charset=utf-8"
    assert linked["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = csv_rows(b"".join(linked.streaming_content))
    assert [r[2] for r in rows[1:]] == ["张七"]
    assert rows[1][3] == MASKED and rows[1][5] == "139****9007"
    posted = client.post(url, {"reveal": "1"})
    rows = csv_rows(b"".join(posted.streaming_content))
    assert rows[1][3] == resident_id(7) and rows[1][5] == "139 0013 9007"
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.after["filters"] == {"kind": "individual"} and event.after["in_clear"] == 1
    assert AuditEvent.objects.filter(
        action="reveal", customer_id=files["person"].pk, seq__gt=event.seq
    ).exists()


def test_the_page_export_speaks_the_users_language(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    client = client_for(personas.account_manager, "zh-hans")
    response = client.get(reverse("exports:customers", args=["xlsx"]))
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert rows[0][:6] == [
        "外部编码",
        "客户类型",
        "名称",
        "居民身份证号码",
        "统一社会信用代码",
        "电话",
    ]
    kinds = {r[2]: r[1] for r in rows[1:]}
    assert kinds == {"张七": "个人", "杭州星辰科技有限公司": "单位"}


def test_roles_without_exports_find_no_page(
    personas: Personas, client_for: Any, files: dict[str, Customer]
) -> None:
    for user in (personas.auditor, personas.admin):
        client = client_for(user)
        assert client.get(reverse("exports:customers", args=["csv"])).status_code == 404
    head = client_for(personas.department_head)
    assert head.get(reverse("exports:customers", args=["pdf"])).status_code == 404


def test_the_api_exports_each_kind_and_refuses_a_reveal_without_the_right(
    personas: Personas,
    api_for: Any,  # noqa: F811  (the fixture imported above)
    files: dict[str, Customer],
) -> None:
    head = api_for(personas.department_head)
    response = head.get("/api/v1/exports/customers/", {"file_format": "xlsx", "reveal": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert {r[3] for r in rows[1:]} == {resident_id(7), None}  # an empty cell
    invoices = head.get("/api/v1/exports/invoices/", {"department": personas.sales.pk})
    assert csv_rows(b"".join(invoices.streaming_content))[0][0] == "Invoice number"
    credit = api_for(personas.credit_manager)
    refused = credit.get("/api/v1/exports/customers/", {"reveal": "true"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    bad = credit.get("/api/v1/exports/payments/", {"file_format": "pdf"})
    assert bad.status_code == 400 and "file_format" in bad.json()["errors"]
    assert api_for(personas.auditor).get("/api/v1/exports/customers/").status_code == 404


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_writes_the_export_as_the_named_user_sees_it(
    personas: Personas,
    files: dict[str, Customer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    path = tmp_path / "customers.xlsx"
    out = _export("customers", str(path), "--as", "wang.fang", "--reveal")
    assert out.strip() == f"2 rows written to {path} (1 files with values in clear)."
    rows = xlsx_rows(path.read_bytes())
    assert {r[2] for r in rows[1:]} == {"张七", "杭州星辰科技有限公司"}
    assert resident_id(7) in {r[3] for r in rows}
    credit = tmp_path / "all.csv"
    out = _export("customers", str(credit), "--as", "chen.jie", "--department", "EXPORT")
    assert [r[2] for r in csv_rows(credit.read_bytes())[1:]] == ["外贸远山有限公司"]
    with pytest.raises(CommandError, match=r"You may not reveal sensitive values\."):
        _export("customers", str(credit), "--as", "chen.jie", "--reveal")
    with pytest.raises(CommandError, match=r"sun\.li may not export files\."):
        _export("payments", str(credit), "--as", "sun.li")
