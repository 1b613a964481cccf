"""CREDFILE_LOG_FORMAT=json: one JSON object a line, masked like the plain log, with the
request's id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.factories import resident_id

_SCRIPT = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from django.test import Client
    response = Client().get(sys.argv[1])
    print(response["X-Request-ID"])
    """
)


def _run(tmp_path: Path, url: str, **variables: str) -> tuple[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="credfile.settings",
        CREDFILE_HOME=str(tmp_path / "home"),
        CREDFILE_ALLOWED_HOSTS="testserver",
        **variables,
    )
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip(), result.stderr.strip().splitlines()


def test_a_json_log_line_parses_and_keeps_the_numbers_masked(tmp_path: Path) -> None:
    number = resident_id(3)
    mobile = "13812345678"
    request_id, lines = _run(
        tmp_path, f"/no-such-page/{number}/?q={mobile}&page=2", CREDFILE_LOG_FORMAT="json"
    )
    records = [json.loads(line) for line in lines]
    (record,) = [r for r in records if r["logger"] == "django.request"]
    assert record["level"] == "WARNING"
    assert record["message"] == f"Not Found: /no-such-page/{number[:6]}********{number[-4:]}/"
    assert record["request_id"] == request_id
    assert record["status_code"] == 404
    assert "time" in record
    everything = "\n".join(lines)
    assert number not in everything and mobile not in everything


def test_the_plain_log_stays_the_default(tmp_path: Path) -> None:
    number = resident_id(4)
    _request_id, lines = _run(tmp_path, f"/no-such-page/{number}/")
    (line,) = [line for line in lines if "django.request" in line]
    assert line.split(" ", 3)[2:] == [
        "WARNING",
        f"django.request Not Found: /no-such-page/{number[:6]}********{number[-4:]}/",
    ]
