from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands pick their language from the environment; messages are asserted in English."""
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    yield
