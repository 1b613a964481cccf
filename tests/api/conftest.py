"""API fixtures: bearer-token clients and a few credit files in the sales department."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from credfile.accounts.models import User
from credfile.accounts.otp import otp_required
from credfile.customers.models import Customer
from tests.api.helpers import make_customer
from tests.conftest import PASSWORD, Personas, otp_device_for, totp_code
from tests.factories import IndividualFactory

ApiFor = Callable[..., APIClient]


@pytest.fixture
def api_for(db: None) -> ApiFor:
    """api_for(user, language="en") → a client holding a token from POST /api/v1/auth/token/."""

    def make(user: User, language: str = "en") -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        credentials = {"username": user.username, "password": PASSWORD}
        if otp_required(user):
            device = otp_device_for(user)
            device.last_t = -1  # a code may be used once; let each client have one
            device.save()
            credentials["otp_token"] = totp_code(device)
        response = client.post("/api/v1/auth/token/", credentials, format="json")
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
        return client

    return make


@pytest.fixture
def manager_api(api_for: ApiFor, personas: Personas) -> APIClient:
    return api_for(personas.account_manager)


@pytest.fixture
def org(personas: Personas) -> Customer:
    """An organisation in the sales department, managed by personas.account_manager."""
    return make_customer(
        name="北京星辰科技有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
        phone="+8613812345678",
    )


@pytest.fixture
def person(personas: Personas) -> Customer:
    return make_customer(
        IndividualFactory,
        name="张伟",
        department=personas.sales,
        account_manager=personas.account_manager,
    )


@pytest.fixture
def foreign(personas: Personas) -> Customer:
    """A customer of the other department (outside the sales staff's scope)."""
    return make_customer(
        name="上海远洋贸易有限公司",
        department=personas.other,
        account_manager=personas.outsider,
    )
