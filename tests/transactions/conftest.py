from collections.abc import Iterator

import pytest
from django.utils import translation

# The API's bearer-token clients, for the receivables API.
from tests.api.conftest import api_for  # noqa: F401 (a fixture, used by name)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever translations are compiled."""
    with translation.override("en"):
        yield
