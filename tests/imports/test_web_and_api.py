"""The import page and POST /api/v1/imports/, in both languages, for the roles allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credfile.customers.models import Customer
from credfile.imports.models import ImportRun
from tests.api.conftest import api_for  # noqa: F401 - the fixture, shared with the API tests
from tests.conftest import Personas
from tests.factories import resident_id
from tests.imports.helpers import csv_bytes, customer_rows

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture(autouse=True)
def _in_the_request(settings: Any) -> None:
    """The page's runs, inline: the test's transaction is what the run reads and writes.
    (tests/imports/test_runs.py runs them in their thread.)"""
    settings.CREDFILE_IMPORTS_IN_BACKGROUND = False


def test_the_page_previews_masked_then_imports_on_confirm(
    personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.account_manager)
    page = client.get(reverse("imports:page"))
    assert page.status_code == 200 and 'id="import-upload"' in page.content.decode()
    checked = client.post(
        reverse("imports:page"),
        {"kind": "customers", "file": _upload(csv_bytes(customer_rows(2)))},
        follow=True,
    )
    html = checked.content.decode()
    check = ImportRun.objects.get()
    assert checked.redirect_chain == [(reverse("imports:run", args=[check.pk]), 302)]
    assert "2 rows checked without a problem; 0 were imported before." in html
    assert "杭州第2制造有限公司" in html and resident_id(1) not in html
    assert 'id="import-confirm"' in html
    assert Customer.objects.count() == 0
    done = client.post(reverse("imports:run", args=[check.pk]), follow=True)
    assert "Imported: 2 new records, 0 rows imported before." in done.content.decode()
    assert Customer.objects.count() == 2
    # A check is imported once: a second confirmation (another tab) imports nothing.
    again = client.post(reverse("imports:run", args=[check.pk]), follow=True)
    assert "This check was imported already or cannot be imported." in again.content.decode()
    assert ImportRun.objects.count() == 2 and Customer.objects.count() == 2
    # The runs are listed on the page, newest first.
    listed = client.get(reverse("imports:page")).content.decode()
    assert listed.count(reverse("imports:run", args=[check.pk])) == 1


def test_a_run_is_its_uploaders_alone(personas: Personas, client_for: Any) -> None:
    client_for(personas.account_manager).post(
        reverse("imports:page"), {"kind": "customers", "file": _upload(csv_bytes(customer_rows(1)))}
    )
    check = ImportRun.objects.get()
    url = reverse("imports:run", args=[check.pk])
    for other in (personas.colleague, personas.department_head, personas.executive):
        viewer = client_for(other)
        assert viewer.get(url).status_code == 404
        assert viewer.post(url).status_code == 404
    assert Customer.objects.count() == 0 and ImportRun.objects.count() == 1


def test_a_check_with_problems_cannot_be_confirmed(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.account_manager)
    rows = customer_rows(1)
    rows[0][6] = "火星"
    client.post(reverse("imports:page"), {"kind": "customers", "file": _upload(csv_bytes(rows))})
    check = ImportRun.objects.get()
    refused = client.post(reverse("imports:run", args=[check.pk]), follow=True)
    assert "This check was imported already or cannot be imported." in refused.content.decode()
    assert Customer.objects.count() == 0


def test_the_page_shows_every_error_in_chinese(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.account_manager, "zh-hans")
    rows = customer_rows(1)
    rows[0][6] = "火星"
    html = client.post(
        reverse("imports:page"),
        {"kind": "customers", "file": _upload(csv_bytes(rows))},
        follow=True,
    ).content.decode()
    assert "共 1 个问题；未导入任何内容。" in html
    assert "<td>2</td><td>region</td><td>地区不是以省份开头。</td>" in html
    assert 'id="import-confirm"' not in html


def test_the_nav_links_to_the_page_for_roles_that_import(
    personas: Personas, client_for: Any
) -> None:
    link = f'href="{reverse("imports:page")}"'
    assert (
        link in client_for(personas.department_head).get(reverse("customers:list")).content.decode()
    )
    assert (
        link not in client_for(personas.executive).get(reverse("customers:list")).content.decode()
    )
    assert client_for(personas.executive).get(reverse("imports:page")).status_code == 404


def test_the_api_imports_and_reports_errors_in_the_callers_language(
    personas: Personas,
    api_for: Any,  # noqa: F811
) -> None:
    api = api_for(personas.account_manager)
    dry = api.post(
        "/api/v1/imports/",
        {"kind": "customers", "file": _upload(csv_bytes(customer_rows(2))), "dry_run": "true"},
        format="multipart",
    )
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and not dry.json()["imported"]
    assert Customer.objects.count() == 0
    done = api.post(
        "/api/v1/imports/",
        {"kind": "customers", "file": _upload(csv_bytes(customer_rows(2)))},
        format="multipart",
    )
    body = done.json()
    assert done.status_code == 200 and body["imported"] and body["created"] == 2
    rows = customer_rows(1, start=5)
    rows[0][7] = "Z"
    zh = api_for(personas.account_manager, "zh-hans").post(
        "/api/v1/imports/",
        {"kind": "customers", "file": _upload(csv_bytes(rows))},
        format="multipart",
    )
    assert zh.status_code == 400
    assert zh.json()["errors"] == [
        {"row": 2, "column": "industry", "message": "请填写 GB/T 4754 门类字母（A–T）或其名称。"}
    ]


def test_the_api_refuses_a_role_that_does_not_import(personas: Personas, api_for: Any) -> None:  # noqa: F811
    response = api_for(personas.auditor).post(
        "/api/v1/imports/",
        {"kind": "customers", "file": _upload(csv_bytes(customer_rows(1)))},
        format="multipart",
    )
    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_the_audit_trail_shows_the_import_with_its_checksum(
    personas: Personas, client_for: Any
) -> None:
    from credfile.imports.services import import_file

    result = import_file(
        actor=personas.account_manager, kind="customers", data=csv_bytes(customer_rows(1))
    )
    page = client_for(personas.auditor).get(reverse("audit:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Import of customers" in html and result.sha256 in html
