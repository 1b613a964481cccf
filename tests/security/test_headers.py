"""HTTP security headers: the Content-Security-Policy, no caching of personal data, cookies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

import credfile
from tests.api.helpers import make_customer
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {name: value for name, value in parts}


def _html_pages(personas: Personas, client_for) -> list:  # type: ignore[no-untyped-def]
    customer = make_customer(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    manager = client_for(personas.account_manager)
    auditor = Client(HTTP_ACCEPT_LANGUAGE="en")
    auditor.post(reverse("login"), {"username": "sun.li", "password": PASSWORD})
    return [
        Client().get(reverse("login")),
        manager.get(reverse("customers:list")),
        manager.get(reverse("customers:detail", args=[customer.pk])),
        manager.get(reverse("customers:new")),
        manager.get(reverse("password_change")),
        auditor.get(reverse("otp-setup")),
        client_for(personas.credit_manager).get("/api/docs/"),
    ]


def test_every_page_carries_the_policy(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    for page in _html_pages(personas, client_for):
        assert page.status_code == 200, page.wsgi_request.path
        assert policy(page) == DIRECTIVES, page.wsgi_request.path


def test_no_page_needs_inline_script_or_style(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    """What the policy would block: <script> without src, on* handlers, style attributes."""
    for page in _html_pages(personas, client_for):
        html = page.content.decode()
        where = page.wsgi_request.path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), where
        assert not re.search(r"<style\b", html), where
        assert not re.search(r"\son[a-z]+\s*=", html), where
        assert not re.search(r"\sstyle\s*=", html), where
        assert "javascript:" not in html, where


def test_htmx_is_told_not_to_inject_its_style(client: Client) -> None:
    html = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles":false' in html


def test_the_swagger_ui_loads_its_start_up_script_from_a_url(
    personas: Personas, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.credit_manager)
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', page)
    assert script is not None
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_api_responses_carry_the_policy_and_no_store(personas: Personas, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(personas.account_manager)
    responses = [
        api.get("/api/v1/customers/"),
        APIClient().get("/api/v1/customers/"),  # a 401 problem
        APIClient().post(
            "/api/v1/auth/token/", {"username": "li.na", "password": PASSWORD}, format="json"
        ),
        api.get("/api/schema/"),
    ]
    for response in responses:
        assert policy(response) == DIRECTIVES
        assert "no-store" in response["Cache-Control"]


def test_customer_pages_are_not_stored(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    client = client_for(personas.account_manager)
    for url in [
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:section", args=[customer.pk, "contacts"]),
        reverse("customers:edit", args=[customer.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_static_files_stay_cacheable(client: Client) -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("credfile/app.js")
    response = client.get("/static/credfile/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_cookies_are_secure_http_only_and_end_with_the_browser(
    personas: Personas,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "li.na", "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["expires"] and not session["max-age"]  # a browser-session cookie
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_hsts_is_sent_over_https(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def _settings_with(tmp_path, **variables: str) -> str:  # type: ignore[no-untyped-def]
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.update(CREDFILE_HOME=str(tmp_path / "home"), **variables)
    code = (
        "import credfile.settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "getattr(s, 'SECURE_HSTS_SECONDS', None), s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_secure_cookies_turn_on_hsts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _settings_with(tmp_path) == "False False None True"
    assert _settings_with(tmp_path, CREDFILE_SECURE_COOKIES="1") == "True True 31536000 True"
    assert (
        _settings_with(tmp_path, CREDFILE_SECURE_COOKIES="1", CREDFILE_HSTS_SECONDS="3600")
        == "True True 3600 True"
    )


def test_pages_cannot_be_framed(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert policy(response)["frame-ancestors"] == "'none'"


def test_htmx_posts_carry_the_csrf_token_of_the_page(personas: Personas) -> None:
    customer = make_customer(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas.account_manager)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", page)
    assert token is not None
    url = reverse("customers:add", args=[customer.pk, "contact"])
    data = {"contact-name": "李娜", "contact-role": "finance", "contact-mobile": "13812345678"}

    refused = client.post(url, data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token.group(1))
    assert accepted.status_code == 200
    assert "李娜" in accepted.content.decode()


def test_no_template_carries_what_the_policy_blocks() -> None:
    """Every template, not only the pages above: a style attribute, an inline script or an
    event handler would be silently dropped by the browser under the policy."""
    root = Path(credfile.__file__).parent
    found = []
    for template in sorted(root.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        # What a comment says is not sent.
        text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", text, flags=re.S)
        for pattern in (
            r"\sstyle\s*=",
            r"<style\b",
            r"\son[a-z]+\s*=",
            r"<script(?![^>]*\bsrc=)[^>]*>",
        ):
            found += [
                f"{template.relative_to(root)}: {m.group(0)}" for m in re.finditer(pattern, text)
            ]
    assert found == []
