"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, naming `field` under errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(m, str) and m for m in body["errors"][field])
    return body


def counts() -> tuple[int, int]:
    """(customers, audit events): a refused write leaves both unchanged."""
    return Customer.objects.count(), AuditEvent.objects.count()


def make_customer(factory: Any = None, **fields: Any) -> Customer:
    """A customer from CustomerFactory (or the given factory), typed as a Customer."""
    from tests.factories import CustomerFactory

    customer = (factory or CustomerFactory)(**fields)
    assert isinstance(customer, Customer)
    return customer
