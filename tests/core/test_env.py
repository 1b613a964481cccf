"""Settings come from environment variables and a bad value stops the start with its name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from credfile.core.env import env_bool, env_choice, env_int, env_list, env_path, env_str


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_it_reads_true_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CREDFILE_X", raw)
    assert env_bool("CREDFILE_X", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_it_reads_false_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CREDFILE_X", raw)
    assert env_bool("CREDFILE_X", True) is False


def test_it_uses_the_default_when_a_variable_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDFILE_X", raising=False)
    assert env_bool("CREDFILE_X", True) is True
    assert env_int("CREDFILE_X", 25) == 25
    assert env_str("CREDFILE_X", "zh-hans") == "zh-hans"
    assert env_list("CREDFILE_X", ["localhost"]) == ["localhost"]


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"CREDFILE_DEBUG must be a boolean.*'maybe'"):
        env_bool("CREDFILE_DEBUG", False)


def test_it_refuses_an_integer_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_PAGE_SIZE", "25 rows")
    with pytest.raises(ImproperlyConfigured, match=r"CREDFILE_PAGE_SIZE must be an integer"):
        env_int("CREDFILE_PAGE_SIZE", 25)


def test_it_refuses_an_integer_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_PAGE_SIZE", "2")
    with pytest.raises(ImproperlyConfigured, match=r"CREDFILE_PAGE_SIZE must be at least 5, got 2"):
        env_int("CREDFILE_PAGE_SIZE", 25, minimum=5)


def test_it_accepts_an_integer_at_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_PAGE_SIZE", "5")
    assert env_int("CREDFILE_PAGE_SIZE", 25, minimum=5) == 5


def test_it_refuses_a_value_outside_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_X", "fr")
    with pytest.raises(
        ImproperlyConfigured, match=r"CREDFILE_X must be one of \['en', 'zh-hans'\]"
    ):
        env_choice("CREDFILE_X", "en", {"en", "zh-hans"})


def test_it_refuses_an_empty_directory_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_HOME", "  ")
    with pytest.raises(ImproperlyConfigured, match="CREDFILE_HOME must name a directory"):
        env_path("CREDFILE_HOME", "./var")


def test_it_resolves_a_directory_to_an_absolute_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREDFILE_HOME", str(tmp_path / "a" / ".." / "b"))
    assert env_path("CREDFILE_HOME", "./var") == tmp_path / "b"


def test_it_splits_lists_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_ALLOWED_HOSTS", " credfile.example.com, ,10.0.0.5 ,")
    assert env_list("CREDFILE_ALLOWED_HOSTS", []) == ["credfile.example.com", "10.0.0.5"]


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter, as `credfile` does on start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.update(CREDFILE_HOME=str(tmp_path / "home"), **variables)
    return subprocess.run(
        [sys.executable, "-c", "import credfile.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"CREDFILE_DEBUG": "sometimes"}, "CREDFILE_DEBUG must be a boolean"),
        ({"CREDFILE_SESSION_AGE": "60"}, "CREDFILE_SESSION_AGE must be at least 300"),
        ({"CREDFILE_PASSWORD_MIN_LENGTH": "6"}, "CREDFILE_PASSWORD_MIN_LENGTH must be at least 8"),
        ({"CREDFILE_SECRET_KEY": "short"}, "CREDFILE_SECRET_KEY must be at least 32 characters"),
        ({"CREDFILE_LANGUAGE": "fr"}, "CREDFILE_LANGUAGE must be 'zh-hans' or 'en'"),
        (
            {"DATABASE_URL": "mysql://root@localhost/credfile"},
            "DATABASE_URL must be a sqlite:// or postgres:// URL",
        ),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database URL"),
        (
            {"DATABASE_URL": "postgres://u@h/db", "CREDFILE_DB_CONN_MAX_AGE": "-1"},
            "CREDFILE_DB_CONN_MAX_AGE must be at least 0, got -1",
        ),
        ({"CREDFILE_TOKEN_HOURS": "0"}, "CREDFILE_TOKEN_HOURS must be at least 1, got 0"),
        ({"CREDFILE_TOKEN_HOURS": "8h"}, "CREDFILE_TOKEN_HOURS must be an integer"),
        (
            {"CREDFILE_BALANCE_TOLERANCE": "one"},
            "CREDFILE_BALANCE_TOLERANCE must be a decimal amount",
        ),
        (
            {"CREDFILE_BALANCE_TOLERANCE": "-1"},
            "CREDFILE_BALANCE_TOLERANCE must be zero or a positive amount",
        ),
        (
            {"CREDFILE_PRIVILEGE_APPROVAL": "perhaps"},
            "CREDFILE_PRIVILEGE_APPROVAL must be a boolean",
        ),
        (
            {
                "CREDFILE_DOCUMENT_S3_BUCKET": "credfile",
                "CREDFILE_ARCHIVE_S3_BUCKET": "credfile",
                "CREDFILE_ARCHIVE_S3_PREFIX": "documents/archive",
            },
            "CREDFILE_ARCHIVE_S3_PREFIX and CREDFILE_DOCUMENT_S3_PREFIX must be two separate",
        ),
    ],
)
def test_credfile_refuses_to_start_with_a_bad_setting(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = _start(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_credfile_starts_with_the_defaults_and_keeps_its_secret_key(tmp_path: Path) -> None:
    first = _start(tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "home" / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    second = _start(tmp_path)
    assert second.returncode == 0, second.stderr
    assert key_file.read_text() == key


def test_api_tokens_live_eight_hours_and_privilege_changes_need_approval_by_default() -> None:
    from datetime import timedelta

    from django.conf import settings

    if "CREDFILE_TOKEN_HOURS" in os.environ or "CREDFILE_PRIVILEGE_APPROVAL" in os.environ:
        pytest.skip("set in this environment")
    assert settings.CREDFILE_TOKEN_HOURS == 8
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(hours=8)
    assert settings.CREDFILE_PRIVILEGE_APPROVAL is True


def test_postgresql_connections_are_kept_as_long_as_configured(tmp_path: Path) -> None:
    code = "import credfile.settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.update(CREDFILE_HOME=str(tmp_path / "home"), DATABASE_URL="postgres://u@h/db")
    ages = []
    for value in (None, "0"):
        if value is not None:
            env["CREDFILE_DB_CONN_MAX_AGE"] = value
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        ages.append(result.stdout.strip())
    assert ages == ["60", "0"]
