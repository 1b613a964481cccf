from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands pick their language from the environment; messages are asserted in English."""
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    yield


def shell_locale(monkeypatch: pytest.MonkeyPatch, **environ: str) -> None:
    """A shell announcing only these locale variables (LANG, LC_ALL, LANGUAGE …)."""
    for name in ("CREDFILE_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
