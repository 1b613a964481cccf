"""A credfile instance of its own for tests that run `credfile serve` as a real process.

The test suite's own database belongs to pytest-django and is rolled back per test, out of
sight of another process; these instances have their own database: a SQLite file in their
own CREDFILE_HOME, or on PostgreSQL (when DATABASE_URL names one) a database of their own
beside the test database, created and dropped here.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

SRC = Path(__file__).resolve().parents[2] / "src"
PASSWORD = "Spring-rain-2026"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _maintenance_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres", query=""))


@dataclass
class Instance:
    """One instance directory and database; `env` is what every process of it runs with."""

    home: Path
    env: dict[str, str]
    database: str | None = None
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def credfile(self, *args: str, stdin: str | None = None, **extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "credfile", *args],
            env={**self.env, **extra},
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode()

    def serve(self, port: int, *options: str, **extra: str) -> subprocess.Popen[bytes]:
        log = (self.home / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "credfile", "serve", "--bind", f"127.0.0.1:{port}", *options],
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert process.poll() is None, self.log(port)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):
                    return process
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(
            f"credfile serve did not answer within {START_TIMEOUT} s\n{self.log(port)}"
        )

    def log(self, port: int) -> str:
        return (self.home / f"serve-{port}.log").read_text(errors="replace")

    def stop(self, process: subprocess.Popen[bytes]) -> float:
        """SIGTERM, as systemd stops the service; the seconds it took to exit."""
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
        return time.monotonic() - started


@contextmanager
def instance(tmp_path: Path, name: str, **extra: str) -> Iterator[Instance]:
    """A migrated instance with a department, an account manager (li.na) and one file."""
    home = tmp_path / "home"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CREDFILE_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        PYTHONPATH=str(SRC),
        CREDFILE_HOME=str(home),
        CREDFILE_OTP_REQUIRED_ROLES="",
        CREDFILE_LANGUAGE="en",
        CREDFILE_SECRET_KEY="serve-tests-" + "k" * 40,
        **extra,
    )
    database = None
    if on_postgres():
        base = os.environ.get("CREDFILE_TEST_DATABASE_NAME") or "test_credfile"
        # Each test process (pytest-xdist's gw0, gw1 …) may build the same instance.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        database = "_".join(filter(None, [base, worker, name]))[:63]
        url = os.environ["DATABASE_URL"]
        with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        parts = urllib.parse.urlsplit(url)
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))
    else:
        env.pop("DATABASE_URL", None)
    inst = Instance(home=home, env=env, database=database)
    try:
        inst.credfile("keys", "init")
        inst.credfile("migrate", "--no-input", "-v0")
        inst.credfile("adddepartment", "SALES1", "销售一部")
        inst.credfile(
            "adduser",
            "li.na",
            "--role",
            "account_manager",
            "--department",
            "SALES1",
            stdin=PASSWORD + "\n",
        )
        inst.credfile(
            "addcustomer",
            "--as",
            "li.na",
            "--kind",
            "organization",
            "--name",
            "北京星辰科技有限公司",
            "--credit-code",
            "91110000600037341L",
        )
        yield inst
    finally:
        for process in inst.servers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        if database is not None:
            with psycopg.connect(
                _maintenance_url(os.environ["DATABASE_URL"]), autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


class Browser:
    """A cookie-keeping HTTP client that signs in through the login form, as a browser does."""

    def __init__(self, port: int, **headers: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.headers = {"Accept-Language": "en", **headers}

    def at(self, port: int) -> Browser:
        """The same cookies (session) sent to another server."""
        other = Browser(port, **self.headers)
        other.cookies = self.cookies
        other.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        return other

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers={**self.headers, **headers}
        )
        try:
            with self.opener.open(request, timeout=30) as answer:
                return (
                    answer.status,
                    dict(answer.headers.items()),
                    answer.read().decode(errors="replace"),
                )
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read().decode(errors="replace")

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, **headers)

    def log_in(self, username: str, password: str) -> tuple[int, str]:
        _status, _headers, page = self.get("/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page
        status, _headers, page = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password},
        )
        return status, page


def api(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
