"""A usage grant shows exactly its sections, on every route: docs/permissions.md × routes.

The section each view route shows is read from the table in docs/permissions.md; every view
route of the matrix test must have a row. For a grant naming each grantable section, a route
answers when its section is "any" or the granted one, and is not found otherwise; every
route of another action is refused (404 on pages, 403 in the API, where the file is found).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credfile.access import services as access
from credfile.audit.models import AuditEvent
from credfile.core.permissions import GRANTABLE_SECTIONS
from credfile.customers.api.serializers import IDENTIFICATION_FIELDS
from credfile.customers.models import Customer
from tests.conftest import Personas, make_personas, shared_rows
from tests.core.test_permission_matrix import ROUTES
from tests.factories import CustomerFactory, IndividualFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def read_sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- sections:start -->")[1].split("<!-- sections:end -->")[0]
    rows = {}
    for line in table.strip().splitlines()[2:]:
        route, section = (c.strip() for c in line.strip().strip("|").split("|"))
        rows[route] = section
    return rows


SECTION_OF = read_sections()
GRANTS = sorted(str(s) for s in GRANTABLE_SECTIONS)


def test_every_view_route_names_its_section() -> None:
    view_routes = {r.key for r in ROUTES if r.action == "view"}
    assert view_routes == set(SECTION_OF), (
        "routes without a row:",
        view_routes - set(SECTION_OF),
        "rows without a route:",
        set(SECTION_OF) - view_routes,
    )
    assert set(SECTION_OF.values()) <= {"any", "never", *GRANTS}


def _grant(personas: Any, customer: Customer, sections: list[str]) -> None:
    application = access.application_create(
        actor=personas.outsider,
        customer=customer,
        sections=sections,
        purpose="核对付款记录",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    access.application_approve(actor=personas.executive, application=application)


def _granted_file(personas: Any, sections: list[str], *, individual: bool = False) -> Customer:
    factory = IndividualFactory if individual else CustomerFactory
    customer = factory(department=personas.sales, account_manager=personas.account_manager)
    _grant(personas, customer, sections)
    return customer


CASES = [(g, i) for g in GRANTS for i in range(len(ROUTES))]


@dataclass
class GrantedFiles:
    personas: Personas
    # (granted section, individual?) → a file of the sales department with that one grant.
    files: dict[tuple[str, bool], Customer]


# Class-scoped: made once for the class below, kept until its last case.
@pytest.fixture(scope="class")
def grant_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[GrantedFiles]:
    with shared_rows(django_db_blocker):
        personas = make_personas()
        files = {
            (granted, individual): _granted_file(personas, [granted], individual=individual)
            for granted in GRANTS
            for individual in (False, True)
        }
        yield GrantedFiles(personas, files)


class TestEveryGrantOnEveryRoute:
    """1,554 cases over the same files: the files and their grants are made once for the
    class, and each case's own writes are rolled back after it."""

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("granted", "index"),
        CASES,
        ids=[f"{g}-{ROUTES[i].key}-{ROUTES[i].action}-{i}" for g, i in CASES],
    )
    def test_a_grant_reaches_exactly_its_sections(
        self, grant_world: GrantedFiles, client_for: Any, granted: str, index: int
    ) -> None:
        route = ROUTES[index]
        outsider = grant_world.personas.outsider
        # A copy: what a case does to the object in memory stays out of the next case.
        customer = copy.deepcopy(grant_world.files[(granted, route.individual)])
        if route.api:
            client: Any = APIClient()
            client.force_authenticate(outsider)
        else:
            client = client_for(outsider)
        response = route.call(client, customer)
        if route.action == "view":
            section = SECTION_OF[route.key]
            allowed = section == "any" or section == granted
            if allowed:
                assert response.status_code == 200, response.status_code
            else:
                assert response.status_code == 404, response.status_code
        else:
            assert response.status_code == (403 if route.api else 404), response.status_code


@pytest.mark.django_db
def test_the_api_detail_and_list_give_the_basic_fields_only_with_basic(personas) -> None:
    contacts_only = _granted_file(personas, ["contacts"])
    with_basic = _granted_file(personas, ["basic"])
    client = APIClient()
    client.force_authenticate(personas.outsider)
    limited = client.get(f"/api/v1/customers/{contacts_only.pk}/").json()
    assert set(limited) == IDENTIFICATION_FIELDS
    assert limited["sections"] == ["contacts"]
    full = client.get(f"/api/v1/customers/{with_basic.pk}/").json()
    assert {"credit_code", "phone", "category", "status"} <= set(full)
    rows = {r["id"]: r for r in client.get("/api/v1/customers/").json()["results"]}
    assert set(rows[contacts_only.pk]) == IDENTIFICATION_FIELDS
    assert "credit_code" in rows[with_basic.pk]


@pytest.mark.django_db
def test_the_report_shows_only_what_the_granted_sections_contain(personas, client_for) -> None:
    customer = _granted_file(personas, ["contacts"])
    api = APIClient()
    api.force_authenticate(personas.outsider)
    body = api.get(f"/api/v1/customers/{customer.pk}/credit-report/").json()
    assert "payment_behaviour" not in body and "ageing" not in body and "ratios" not in body
    assert body["sections"] == ["contacts"]
    page = client_for(personas.outsider).get(reverse("consent:report", args=[customer.pk]))
    text = page.content.decode()
    assert 'id="report-empty"' in text
    assert 'id="ageing"' not in text and 'id="payment-index"' not in text

    _grant(personas, customer, ["transactions"])
    body = api.get(f"/api/v1/customers/{customer.pk}/credit-report/").json()
    assert "payment_behaviour" in body and "ageing" in body and "ratios" not in body
    assert body["sections"] == ["contacts", "transactions"]


@pytest.mark.django_db
def test_the_file_page_under_a_grant_shows_only_the_granted_tabs(personas, client_for) -> None:
    customer = _granted_file(personas, ["notes"])
    page = client_for(personas.outsider).get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-section="notes"' in text
    for other in ("basic", "contacts", "transactions", "financials", "consents", "reviews"):
        assert f'data-section="{other}"' not in text, other
    assert "Open receivables" not in text and "应收" not in text
    assert 'id="history-link"' not in text
    # The look is recorded under the grant, with the section it opened on.
    event = AuditEvent.objects.filter(customer_id=customer.pk, action="grant_use").latest("seq")
    assert event.after["section"] == "notes" and event.after["purpose"] == "核对付款记录"


@pytest.mark.django_db
def test_the_customer_list_shows_classification_only_with_basic(personas, client_for) -> None:
    customer = _granted_file(personas, ["contacts"])
    customer.city = "滨海测试城"
    customer.save(update_fields=["city"])
    page = client_for(personas.outsider).get(reverse("customers:list"))
    text = page.content.decode()
    assert customer.code in text
    assert "滨海测试城" not in text
    assert f"<td>{customer.get_category_display()}</td>" not in text
    _grant(personas, customer, ["basic"])
    again = client_for(personas.outsider).get(reverse("customers:list"))
    assert "滨海测试城" in again.content.decode()
