"""The monitoring settings refuse a value they cannot use, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(CREDFILE_HOME=str(tmp_path / "home"), **variables)
    code = "import credfile.settings as s; print(s.CREDFILE_METRICS_ALLOWED, s.CREDFILE_LOG_FORMAT)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_defaults_allow_only_this_machine_and_log_plain(tmp_path: Path) -> None:
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("[IPv4Network('127.0.0.1/32'), IPv6Network('::1/128')] plain")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CREDFILE_METRICS_ALLOWED", "10.0.0.0/8,prometheus.internal"),
        ("CREDFILE_METRICS_TOKEN", "too-short"),
        ("CREDFILE_LOG_FORMAT", "xml"),
        ("CREDFILE_READY_JOB_STALE_HOURS", "0"),
        ("PROMETHEUS_MULTIPROC_DIR", "/nonexistent/metrics"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = _start(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr
