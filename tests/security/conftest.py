"""Security tests read messages in English; the personas come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.api.conftest import api_for  # noqa: F401  (the token clients of the API tests)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
