"""Bad input is the client's error: never a 500, never Django's debug or plain page.

Under /api/ the answer is application/problem+json (400, or 413 for a body over the limit);
pages get the translated error page with a way back to the customer list. Run on SQLite and
PostgreSQL: each fails differently on a number too large for a column."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
PATH_HUGE = "99999999999999999999"

API_LISTS = [
    f"/api/v1/customers/?department={HUGE}",
    f"/api/v1/change-requests/?department={HUGE}",
    f"/api/v1/change-requests/?customer={HUGE}",
    f"/api/v1/customers/?cursor={HUGE}",
    "/api/v1/customers/?department=%ff%fe",
    "/api/v1/customers/?page_size=%ff",
]
PAGES = [
    f"/customers/?department={HUGE}",
    f"/customers/?account_manager={HUGE}",
    f"/changes/?department={HUGE}",
    f"/changes/?customer={HUGE}",
    f"/changes/?cursor={HUGE}",
    f"/reviews/?department={HUGE}",
    f"/reviews/?cursor={HUGE}",
    f"/audit/?cursor={HUGE}",
    f"/audit/?customer={HUGE}",
    f"/audit/?actor={HUGE}",
    f"/access/?customer={HUGE}",
    f"/access/?cursor={HUGE}",
    "/customers/?q=%ff%fe&department=%ff",
]


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def _assert_page(response, status: int, text: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert text in html
    assert 'href="/customers/"' in html
    assert "Traceback" not in html and "OverflowError" not in html and "bigint" not in html


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_refuse_out_of_range_filters_with_a_problem(api_for, personas, url: str) -> None:
    response = api_for(personas.admin).get(url)
    assert response.status_code in {200, 400}, (url, response.status_code, response.content[:300])
    if response.status_code == 400:
        _assert_problem(response, 400)


def test_the_department_filter_is_named_in_the_problem(api_for, personas) -> None:
    body = _assert_problem(
        api_for(personas.admin).get(f"/api/v1/customers/?department={HUGE}"), 400
    )
    assert "department" in body.get("errors", {})


@pytest.mark.parametrize("url", PAGES)
def test_pages_never_fail_on_out_of_range_filters(client_for, personas, url: str) -> None:
    response = client_for(personas.admin).get(url)
    assert response.status_code in {200, 400}, (url, response.status_code, response.content[:300])
    if response.status_code == 400:
        _assert_page(response, 400, "Bad request")


@pytest.mark.parametrize(
    "url",
    [
        f"/customers/{PATH_HUGE}/",
        f"/customers/{PATH_HUGE}/history/",
        f"/customers/{2**63}/",
        f"/api/v1/customers/{PATH_HUGE}/",
        f"/api/v1/change-requests/{PATH_HUGE}/",
    ],
)
def test_an_id_no_row_can_have_is_not_found(client_for, personas, url: str) -> None:
    response = client_for(personas.admin).get(url)
    assert response.status_code == 404, (response.status_code, response.content[:300])
    if url.startswith("/api/"):
        _assert_problem(response, 404)
    else:
        _assert_page(response, 404, "Not found")


@pytest.mark.parametrize(
    "body",
    ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 100_000],
    ids=["deep-list", "deep-object", "open-brackets"],
)
@pytest.mark.parametrize("url", ["/api/v1/customers/", "/api/v1/auth/token/"])
def test_deeply_nested_json_is_a_malformed_request(api_for, personas, url: str, body: str) -> None:
    response = api_for(personas.admin).post(url, body, content_type="application/json")
    _assert_problem(response, 400)


def test_a_body_over_the_limit_is_413_problem(api_for, personas, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 5000 + '"}'
    response = api_for(personas.admin).post(
        "/api/v1/customers/", body, content_type="application/json"
    )
    body = _assert_problem(response, 413)
    assert body["detail"] == "The request body is larger than this server accepts."


def test_a_form_over_the_limit_is_the_413_page(client_for, personas, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(personas.account_manager).post("/customers/new/", {"name": "x" * 5000})
    _assert_page(response, 413, "Request too large")


def test_a_form_with_a_huge_choice_id_is_a_form_error_not_a_crash(client_for, personas) -> None:
    response = client_for(personas.account_manager).post(
        "/customers/new/", {"kind": "individual", "name": "张三", "department": HUGE}
    )
    assert response.status_code in {200, 400, 422}, (response.status_code, response.content[:300])


def test_non_utf8_form_bytes_do_not_crash(client_for, personas) -> None:
    customer = CustomerFactory(department=personas.sales)
    response = client_for(personas.account_manager).post(
        f"/customers/{customer.pk}/edit/",
        b"name=%ff%fe&department=%ff",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500, (response.status_code, response.content[:300])


def test_the_error_page_is_chinese_on_a_chinese_request(personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(personas.admin)
    response = client.get(f"/customers/{PATH_HUGE}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "返回客户列表" in html
    assert "Not found" not in html and "Back to the customer list" not in html
