"""Fixtures of the page tests."""

from tests.api.conftest import api_for  # noqa: F401 - the API client, for these tests too
