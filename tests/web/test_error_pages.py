"""Error pages: translated, styled, with the site's navigation; a file one may not see reads
exactly like one that does not exist, and says how to apply for access."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from credfile.core.views import bad_request, server_error
from credfile.customers.models import Customer
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _normalised(html: str, path: str) -> str:
    """The page without what differs from one request to the next: the CSRF token and the
    address the user typed (sent back to the language switch)."""
    return CSRF.sub(r"\1", html).replace(path, "PATH")


@pytest.fixture
def file_of_sales(personas: Personas) -> Customer:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    assert isinstance(customer, Customer)
    return customer


def test_a_file_outside_the_scope_and_a_missing_file_give_the_same_page(
    personas: Personas, client_for, file_of_sales: Customer
) -> None:
    outsider = client_for(personas.outsider)
    hidden = reverse("customers:detail", args=[file_of_sales.pk])
    missing = reverse("customers:detail", args=[file_of_sales.pk + 1000])

    first, second = outsider.get(hidden), outsider.get(missing)

    assert first.status_code == second.status_code == 404
    assert _normalised(first.content.decode(), hidden) == _normalised(
        second.content.decode(), missing
    )
    assert dict(first.headers).keys() == dict(second.headers).keys()


def test_the_not_found_page_is_styled_with_navigation_and_says_how_to_apply(
    personas: Personas, client_for, file_of_sales: Customer
) -> None:
    page = client_for(personas.outsider).get(reverse("customers:detail", args=[file_of_sales.pk]))

    html = page.content.decode()
    assert "bootstrap.min.css" in html and "app-nav" in html
    assert f'href="{reverse("customers:list")}"' in html  # the navigation
    assert f'href="{reverse("access:list")}"' in html
    assert 'id="apply-for-access"' in html
    assert f'href="{reverse("access:new")}"' in html
    assert "Not found" in html
    assert file_of_sales.name not in html and file_of_sales.code not in html


def test_the_not_found_page_speaks_chinese_to_a_chinese_reader(
    personas: Personas, client_for, file_of_sales: Customer
) -> None:
    page = client_for(personas.outsider, "zh-hans").get(
        reverse("customers:detail", args=[file_of_sales.pk])
    )

    html = page.content.decode()
    assert page.status_code == 404
    assert "未找到" in html and "使用申请" in html
    assert "Not found" not in html and "Looking for" not in html


def test_a_refused_action_gets_a_styled_forbidden_page_with_navigation(
    personas: Personas, client_for
) -> None:
    response = client_for(personas.account_manager).post(
        reverse("reviews:policies"), {"basis": "default", "cycle_months": 6}
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "app-nav" in html and f'href="{reverse("customers:list")}"' in html
    assert "Forbidden" in html
    assert 'id="apply-for-access"' not in html


def test_an_anonymous_visitor_gets_the_page_without_the_application_hint(db: None) -> None:
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "app-nav" in html and "Not found" in html
    assert 'id="apply-for-access"' not in html


def test_a_bad_request_page_is_styled_and_translated(personas: Personas) -> None:
    request = RequestFactory().get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    request.user = personas.account_manager
    with translation.override("zh-hans"):
        response = bad_request(request, ValueError("bad"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "app-nav" in html and "bootstrap.min.css" in html
    assert "Bad request" not in html


def test_the_server_error_page_is_styled_and_needs_no_database(
    django_assert_num_queries,
) -> None:
    request = RequestFactory().get("/customers/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "bootstrap.min.css" in html and "app-nav" in html
    assert "Server error" not in html and "服务器" in html
    with translation.override("en"):
        assert "Server error" in server_error(request).content.decode()


def test_a_form_refused_by_the_csrf_check_gets_the_sites_page(personas: Personas) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(personas.account_manager)
    response = client.post(reverse("logout"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "app-nav" in html and "bootstrap.min.css" in html
    assert "CSRF verification failed" not in html
    assert "Forbidden" not in html
