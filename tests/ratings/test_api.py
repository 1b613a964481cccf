"""The ratings API: propose with assessed factors, read the basis, decide as another credit
manager."""

from __future__ import annotations

from typing import Any

import pytest

from credfile.customers.models import Customer
from tests.api.conftest import api_for  # noqa: F401 - the fixture
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.ratings.test_services import ASSESSED, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_propose_read_and_decide(
    personas: Personas,
    company: Customer,  # noqa: F811
    api_for: Any,  # noqa: F811
) -> None:
    manager = api_for(personas.account_manager)
    url = f"/api/v1/customers/{company.pk}/ratings/"
    bad = manager.post(url, {"security": "gold"}, format="json")
    assert bad.status_code == 400 and "security" in bad.json()["errors"]
    made = manager.post(url, ASSESSED, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["grade"], body["status"], body["card"], body["card_version"]) == (
        "AA",
        "proposed",
        "company",
        1,
    )
    factors = {f["key"]: f for f in body["basis"]["factors"]}
    assert factors["debt_ratio"]["points"] == "8"
    listed = manager.get(url).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    decision = f"/api/v1/ratings/{body['id']}/decision/"
    # The account manager and the proposer of a credit manager's proposal do not decide.
    assert manager.post(decision, {"decision": "approve"}, format="json").status_code == 404
    checker = api_for(UserFactory(username="he.jun", role="credit_manager", department=None))
    refused = checker.post(decision, {"decision": "reject"}, format="json")
    assert refused.status_code == 400
    done = checker.post(decision, {"decision": "approve"}, format="json")
    assert done.status_code == 200 and done.json()["is_current"] is True
    assert done.json()["decided_by"] == "he.jun"
    # The outsider neither sees nor rates the file.
    outsider = api_for(personas.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {}, format="json").status_code == 404
