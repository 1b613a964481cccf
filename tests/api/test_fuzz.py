"""API fuzzing from the OpenAPI schema (schemathesis): no server errors, responses that match
the schema, and for a low-privilege caller no credit file outside their scope."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from credfile.customers.models import Customer
from credfile.wsgi import application
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 12
# No server error, and every response as documented: status, content type, headers, body.
# (Checks that judge which inputs should be accepted are left out: refusing a damaged
# cursor or an unknown filter with a 400 is intended.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _customer_ids(body: Any) -> set[int]:
    """Every customer id a response body exposes (as `customer`, or `id` of a customer)."""
    found: set[int] = set()
    if isinstance(body, dict):
        if isinstance(body.get("customer"), int):
            found.add(body["customer"])
        if "code" in body and "kind" in body and isinstance(body.get("id"), int):
            found.add(body["id"])
        for value in body.values():
            found |= _customer_ids(value)
    elif isinstance(body, list):
        for item in body:
            found |= _customer_ids(item)
    return found


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Requests here go straight to the WSGI app, not through Django's test client, so do
    what the client does: keep request signals from closing the test's open transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    mine = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    IndividualFactory(department=personas.sales, account_manager=personas.account_manager)
    foreign = CustomerFactory(department=personas.other, account_manager=personas.outsider)
    return mine, foreign


@pytest.mark.parametrize("role", ["department_head", "outsider", "admin"])
def test_the_api_holds_to_its_schema_under_fuzzing(personas, world, role: str) -> None:
    user = getattr(personas, role)
    _instance, token = AuthToken.objects.create(user=user)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    visible = set(
        Customer.objects.filter(
            __import__("credfile.core.permissions", fromlist=["x"]).customer_scope(user, "view")
        ).values_list("pk", flat=True)
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/auth/token/"):
            continue  # would lock the account out (django-axes): tested on its own
        if operation.path.endswith(("/auth/logout/", "/auth/logout-all/")):
            continue  # would end the token the fuzzing runs with: tested on their own

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            label = f"{case.method} {case.formatted_path}"
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code}")
                return
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                failures.append(f"{label}: {str(exc).splitlines()[0]}")
            if response.status_code < 300 and response.headers.get("Content-Type", "").startswith(
                "application/json"
            ):
                leaked = _customer_ids(response.json()) - visible
                if leaked:
                    failures.append(f"{label}: returned customers {sorted(leaked)}")

        run()
    assert not failures, "\n".join(sorted(set(failures))[:30])


def test_the_api_refuses_calls_without_credentials(world) -> None:
    from rest_framework.test import APIClient

    for path in (
        "/api/v1/customers/",
        f"/api/v1/customers/{world[0].pk}/",
        f"/api/v1/customers/{world[0].pk}/invoices/",
        "/api/v1/usage-applications/",
    ):
        response = APIClient().get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/problem+json"


HUGE = 99999999999999999999999


def _explicit_cases(operation: Any) -> list[Any]:
    """Inputs the generator rarely draws: every integer parameter far beyond 64 bits, a
    damaged cursor, and a JSON body nested 5,000 levels deep."""
    path_params = {
        p["name"]: HUGE
        for p in operation.definition.raw.get("parameters", [])
        if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
    }
    base = {
        p["name"]: f"{{{p['name']}}}"
        for p in operation.definition.raw.get("parameters", [])
        if p.get("in") == "path"
    }
    if any(v for v in base if v not in path_params):
        return []  # a non-integer path parameter: left to the generator
    cases = [operation.Case(path_parameters=path_params or None)]
    for param in operation.definition.raw.get("parameters", []):
        if param.get("in") == "query" and param.get("schema", {}).get("type") == "integer":
            cases.append(
                operation.Case(path_parameters=path_params or None, query={param["name"]: HUGE})
            )
        if param.get("in") == "query" and param["name"] == "cursor":
            cases.append(
                operation.Case(path_parameters=path_params or None, query={"cursor": str(HUGE)})
            )
    return cases


def test_out_of_range_ids_and_filters_are_never_a_server_error(personas, world) -> None:
    _instance, token = AuthToken.objects.create(user=personas.admin)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/auth/token/"):
            continue
        for case in _explicit_cases(operation):
            response = case.call(headers=headers)
            label = f"{case.method} {case.formatted_path} {case.query}"
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code}")
            elif response.status_code >= 400:
                ctype = response.headers.get("content-type") or response.headers.get(
                    "Content-Type", ""
                )
                ctype = ctype[0] if isinstance(ctype, list) else ctype
                if not ctype.startswith("application/problem+json"):
                    failures.append(f"{label}: {response.status_code} as {ctype}")
    assert not failures, "\n".join(failures[:30])


def test_deeply_nested_bodies_are_a_malformed_request_everywhere(personas, world) -> None:
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    _instance, token = AuthToken.objects.create(user=personas.admin)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    bodies = ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 100_000]
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in {"POST", "PUT", "PATCH"}:
            continue
        path = operation.path.replace("{", "").replace("}", "")
        if "/auth/logout" in path:
            continue  # reads no body, and would end the token the loop signs in with
        for name in ("id", "customer_pk", "pk", "customer_id"):
            path = path.replace(name, str(world[0].pk))
        for body in bodies:
            response = getattr(client, operation.method.lower())(
                f"/api/v1{path}" if not path.startswith("/api/") else path,
                body,
                content_type="application/json",
            )
            if response.status_code >= 500 or not response["Content-Type"].startswith(
                "application/problem+json"
            ):
                failures.append(f"{operation.method} {path}: {response.status_code}")
    assert not failures, "\n".join(sorted(set(failures))[:30])
