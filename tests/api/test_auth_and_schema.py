"""Token authentication, problem responses for it, and the OpenAPI schema and docs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.helpers import assert_problem
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_a_token_from_the_password_opens_the_api(personas: Personas) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "li.na", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]

    assert_problem(client.get("/api/v1/customers/"), 401)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/customers/").status_code == 200


def test_a_wrong_password_or_token_is_refused(personas: Personas) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/auth/token/", {"username": "li.na", "password": "wrong"}, format="json"
    )
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["detail"] == "Wrong username or password."

    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/v1/customers/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_missing_password_names_the_field(personas: Personas) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/auth/token/", {"username": "li.na"}, format="json")
    body = assert_problem(response, 400, "password")
    assert body["errors"]["password"] == ["This field is required."]


def test_malformed_json_is_a_400_problem(personas: Personas, api_for) -> None:  # type: ignore[no-untyped-def]
    client = api_for(personas.account_manager)
    response = client.post("/api/v1/customers/", data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert body["title"] == "Malformed request"


def test_schema_and_docs_are_served(personas: Personas, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.account_manager)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/customers/{customer_pk}/payments/", "/api/v1/customers/{id}/"):
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # Swagger UI comes from the sidecar package, not from a CDN.
    assert b"cdn.jsdelivr" not in docs.content
